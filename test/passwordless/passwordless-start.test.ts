import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { SPA, WEB, WEB_SECRET, latestMessage } from '../support/flows.js';
import { BODY_KINDS, errorOf, post, tenantWith } from '../support/api.js';

const tenant = tenantWith({
  clients: [
    { name: 'No OTP', client_id: 'no-otp', app_type: 'spa', grant_types: ['authorization_code'], callbacks: ['http://localhost:3000/callback'] },
  ],
  connections: [
    { name: 'email', strategy: 'email' },
    { name: 'sms', strategy: 'sms' },
    { name: 'web-only-email', strategy: 'email', enabled_clients: ['Understudy Web'] },
    { name: 'Username-Password-Authentication', strategy: 'auth0' },
  ],
});

describe('POST /passwordless/start', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({ tenant });
  });
  afterEach(() => t.app.close());

  const start = (body: Record<string, unknown>, kind: 'json' | 'form' = 'json') => post(t.app, '/passwordless/start', body, kind);

  describe.each(BODY_KINDS)('with a %s body', (kind) => {
    it('sends a magic link when `send` is absent, carrying the code, client, connection, email and authParams', async () => {
      const body: Record<string, unknown> = { client_id: SPA, connection: 'email', email: 'Link.User@Example.com' };
      // A form body cannot carry an object; authParams is a JSON-only feature.
      if (kind === 'json') body.authParams = { scope: 'openid email', state: 'abc', redirect_uri: 'http://localhost:3000/callback', response_type: 'code' };
      const response = await start(body, kind);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json()).toMatchObject({ email: 'link.user@example.com', email_verified: false });

      const message = await latestMessage(t.app, 'link.user@example.com');
      expect(message.code).toBeNull();
      const link = String(message.link);
      expect(link.startsWith(`${t.issuer}passwordless/verify_redirect?`)).toBe(true);
      const query = new URL(link).searchParams;
      expect(query.get('verification_code')).toMatch(/^\d{6}$/);
      expect(query.get('client_id')).toBe(SPA);
      expect(query.get('connection')).toBe('email');
      expect(query.get('email')).toBe('link.user@example.com');
      if (kind === 'json') {
        expect(Object.fromEntries(['scope', 'state', 'redirect_uri', 'response_type'].map((k) => [k, query.get(k)]))).toEqual({
          scope: 'openid email',
          state: 'abc',
          redirect_uri: 'http://localhost:3000/callback',
          response_type: 'code',
        });
      }
    });

    it('sends a six-digit code and no link with send=code', async () => {
      const response = await start({ client_id: SPA, connection: 'email', email: 'code.user@example.com', send: 'code' }, kind);
      expect(response.statusCode, response.body).toBe(200);
      const message = await latestMessage(t.app, 'code.user@example.com');
      expect(message.code).toMatch(/^\d{6}$/);
      expect(message.link).toBeNull();
      expect(String(message.text).split('\n')[0]).toBe(`Your verification code is: ${message.code}`);
    });
  });

  it('texts an SMS code as "Your verification code is: NNNNNN"', async () => {
    const response = await start({ client_id: SPA, connection: 'sms', phone_number: '+15551234567', send: 'code' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ phone_number: '+15551234567' });
    const message = await latestMessage(t.app, '+15551234567');
    expect(message.channel).toBe('sms');
    expect(message.text).toBe(`Your verification code is: ${message.code}`);
    expect(message.link).toBeNull();
  });

  it('accepts a confidential client that sends its secret', async () => {
    const response = await start({ client_id: WEB, client_secret: WEB_SECRET, connection: 'email', email: 'web@example.com', send: 'code' });
    expect(response.statusCode, response.body).toBe(200);
  });

  describe('errors', () => {
    const email = { connection: 'email', email: 'someone@example.com' };

    it('bad.client_id when client_id is missing', async () => {
      expect(errorOf(await start(email))).toEqual({ status: 400, body: { error: 'bad.client_id', error_description: 'Missing required property: client_id' } });
    });

    it('bad.client_id when the client does not exist', async () => {
      expect(errorOf(await start({ client_id: 'nope', ...email }))).toEqual({ status: 400, body: { error: 'bad.client_id', error_description: 'Unknown client: nope' } });
    });

    it('401 invalid_client for a confidential client without its secret', async () => {
      expect(errorOf(await start({ client_id: WEB, ...email }))).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication is required' },
      });
    });

    it('401 invalid_client for a confidential client with a wrong secret', async () => {
      expect(errorOf(await start({ client_id: WEB, client_secret: 'wrong', ...email }))).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication failed' },
      });
    });

    it('bad.connection when connection is missing', async () => {
      expect(errorOf(await start({ client_id: SPA, email: 'someone@example.com' }))).toEqual({
        status: 400,
        body: { error: 'bad.connection', error_description: 'Missing required property: connection' },
      });
    });

    it('bad.connection "Connection does not exist" for an unknown connection', async () => {
      expect(errorOf(await start({ client_id: SPA, connection: 'carrier-pigeon', email: 'someone@example.com' }))).toEqual({
        status: 400,
        body: { error: 'bad.connection', error_description: 'Connection does not exist' },
      });
    });

    it('bad.connection "Connection is disabled" for a connection not enabled for the client', async () => {
      expect(errorOf(await start({ client_id: SPA, connection: 'web-only-email', email: 'someone@example.com' }))).toEqual({
        status: 400,
        body: { error: 'bad.connection', error_description: 'Connection is disabled' },
      });
    });

    it('bad.connection for a connection whose strategy is not passwordless', async () => {
      expect(errorOf(await start({ client_id: SPA, connection: 'Username-Password-Authentication', email: 'someone@example.com' }))).toEqual({
        status: 400,
        body: { error: 'bad.connection', error_description: 'Invalid connection strategy. It must either be a passwordless connection' },
      });
    });

    it('bad.email when email is missing', async () => {
      expect(errorOf(await start({ client_id: SPA, connection: 'email' }))).toEqual({
        status: 400,
        body: { error: 'bad.email', error_description: 'Missing required property: email' },
      });
    });

    it('bad.email when email is not an address', async () => {
      expect(errorOf(await start({ client_id: SPA, connection: 'email', email: 'not-an-email' }))).toEqual({
        status: 400,
        body: { error: 'bad.email', error_description: 'Invalid email address' },
      });
    });

    it('bad.phone_number when phone_number is missing', async () => {
      expect(errorOf(await start({ client_id: SPA, connection: 'sms' }))).toEqual({
        status: 400,
        body: { error: 'bad.phone_number', error_description: 'Missing required property: phone_number' },
      });
    });

    it('bad.phone_number with Auth0\'s pattern message for a number without +', async () => {
      expect(errorOf(await start({ client_id: SPA, connection: 'sms', phone_number: '5551234567' }))).toEqual({
        status: 400,
        body: { error: 'bad.phone_number', error_description: 'String does not match pattern: ^\\+[0-9]{1,15}$' },
      });
    });

    it('bad.authParams when authParams is a string', async () => {
      expect(errorOf(await start({ client_id: SPA, ...email, authParams: 'scope=openid' }))).toEqual({
        status: 400,
        body: { error: 'bad.authParams', error_description: 'error in authParams - invalid type: string (expected object)' },
      });
    });

    it('bad.request naming an unknown property', async () => {
      expect(errorOf(await start({ client_id: SPA, ...email, username: 'x' }))).toEqual({
        status: 400,
        body: { error: 'bad.request', error_description: 'the following properties are not allowed: username' },
      });
    });

    it('unauthorized_client for a client without the passwordless OTP grant', async () => {
      expect(errorOf(await start({ client_id: 'no-otp', ...email }))).toEqual({
        status: 403,
        body: { error: 'unauthorized_client', error_description: "Grant type 'http://auth0.com/oauth/grant-type/passwordless/otp' not allowed for the client." },
      });
    });

    it('sends no message when the request is refused', async () => {
      await start({ client_id: WEB, client_secret: 'wrong', ...email });
      const response = await t.app.inject({ method: 'GET', url: '/_dev/api/messages/latest?to=someone@example.com' });
      expect(response.statusCode).toBe(404);
    });
  });
});
