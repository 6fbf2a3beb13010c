import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { SPA, WEB, WEB_SECRET, latestMessage } from '../support/flows.js';
import { verifyJwt } from '../support/screens.js';
import { BODY_KINDS, OTP_GRANT, errorOf, post, tenantWith, token } from '../support/api.js';

const tenant = tenantWith({
  connections: [
    { name: 'email', strategy: 'email' },
    { name: 'sms', strategy: 'sms' },
    { name: 'web-only-email', strategy: 'email', enabled_clients: ['Understudy Web'] },
  ],
});

const WRONG_EMAIL = 'Wrong email or verification code.';
const EXPIRED = 'The verification code has expired. Please try to login again.';
const TOO_MANY = "You've reached the maximum number of attempts. Please try to login again.";

describe('POST /oauth/token with the passwordless OTP grant', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({ tenant });
  });
  afterEach(() => t.app.close());

  /** /passwordless/start with send=code; returns the code from the dev mailbox. */
  async function sendCode(to: string, connection = 'email'): Promise<string> {
    const field = connection === 'sms' ? { phone_number: to } : { email: to };
    const response = await post(t.app, '/passwordless/start', { client_id: SPA, connection, send: 'code', ...field });
    expect(response.statusCode, response.body).toBe(200);
    return (await latestMessage(t.app, to)).code;
  }

  const otpLogin = (fields: Record<string, unknown>, kind: 'json' | 'form' = 'form') =>
    token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', scope: 'openid profile email', ...fields }, kind);

  const invalidGrant = (description: string) => ({ status: 403, body: { error: 'invalid_grant', error_description: description } });

  describe.each(BODY_KINDS)('with a %s body', (kind) => {
    it('returns an access token and an ID token without nonce whose sub is email|…', async () => {
      const otp = await sendCode('otp.user@example.com');
      const response = await otpLogin({ username: 'otp.user@example.com', otp }, kind);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 86400 });
      expect(typeof body.access_token).toBe('string');
      expect(body.refresh_token).toBeUndefined();
      const claims = await verifyJwt(t.app, body.id_token, t.issuer, t.clock.now(), SPA);
      expect(claims.sub).toMatch(/^email\|[0-9a-f]{24}$/);
      expect(claims).toMatchObject({ email: 'otp.user@example.com', email_verified: true });
      expect('nonce' in claims).toBe(false);

      const userinfo = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${body.access_token}` } });
      expect(userinfo.statusCode, userinfo.body).toBe(200);
      expect(userinfo.json().sub).toBe(claims.sub);
    });
  });

  it('adds a refresh token only when offline_access is requested', async () => {
    const otp = await sendCode('offline@example.com');
    const response = await otpLogin({ username: 'offline@example.com', otp, scope: 'openid offline_access' });
    expect(response.statusCode, response.body).toBe(200);
    expect(typeof response.json().refresh_token).toBe('string');
  });

  it('authenticates a confidential client with its secret, and refuses it without', async () => {
    const otp = await sendCode('web.otp@example.com');
    const refused = await otpLogin({ client_id: WEB, username: 'web.otp@example.com', otp });
    expect(errorOf(refused)).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'Client authentication is required' } });
    const accepted = await otpLogin({ client_id: WEB, client_secret: WEB_SECRET, username: 'web.otp@example.com', otp });
    expect(accepted.statusCode, accepted.body).toBe(200);
  });

  it('logs an SMS user in with realm=sms and subject sms|…', async () => {
    const otp = await sendCode('+15551234567', 'sms');
    const response = await otpLogin({ realm: 'sms', username: '+15551234567', otp, scope: 'openid phone' });
    expect(response.statusCode, response.body).toBe(200);
    const claims = await verifyJwt(t.app, response.json().id_token, t.issuer, t.clock.now(), SPA);
    expect(claims.sub).toMatch(/^sms\|[0-9a-f]{24}$/);
    expect(claims.phone_number).toBe('+15551234567');
  });

  it('refuses a wrong email code with "Wrong email or verification code."', async () => {
    const otp = await sendCode('wrong@example.com');
    const wrong = otp === '000000' ? '111111' : '000000';
    expect(errorOf(await otpLogin({ username: 'wrong@example.com', otp: wrong }))).toEqual(invalidGrant(WRONG_EMAIL));
  });

  it('refuses a wrong SMS code with "Wrong phone number or verification code."', async () => {
    const otp = await sendCode('+15557654321', 'sms');
    const wrong = otp === '000000' ? '111111' : '000000';
    expect(errorOf(await otpLogin({ realm: 'sms', username: '+15557654321', otp: wrong }))).toEqual(
      invalidGrant('Wrong phone number or verification code.'),
    );
  });

  it('refuses a code for an address that was never sent one as a wrong code', async () => {
    expect(errorOf(await otpLogin({ username: 'never@example.com', otp: '123456' }))).toEqual(invalidGrant(WRONG_EMAIL));
  });

  it('accepts a code just before its 180 s lifetime and refuses it as expired after', async () => {
    const otp = await sendCode('late@example.com');
    t.clock.advance(181_000);
    expect(errorOf(await otpLogin({ username: 'late@example.com', otp }))).toEqual(invalidGrant(EXPIRED));

    const fresh = await sendCode('late@example.com');
    t.clock.advance(179_000);
    const response = await otpLogin({ username: 'late@example.com', otp: fresh });
    expect(response.statusCode, response.body).toBe(200);
  });

  it('answers the third wrong code with the maximum-attempts message and then refuses the right code', async () => {
    const otp = await sendCode('guesser@example.com');
    const wrong = otp === '000000' ? '111111' : '000000';
    expect(errorOf(await otpLogin({ username: 'guesser@example.com', otp: wrong }))).toEqual(invalidGrant(WRONG_EMAIL));
    expect(errorOf(await otpLogin({ username: 'guesser@example.com', otp: wrong }))).toEqual(invalidGrant(WRONG_EMAIL));
    expect(errorOf(await otpLogin({ username: 'guesser@example.com', otp: wrong }))).toEqual(invalidGrant(TOO_MANY));
    expect(errorOf(await otpLogin({ username: 'guesser@example.com', otp }))).toEqual(invalidGrant(TOO_MANY));
  });

  it('accepts a code only once', async () => {
    const otp = await sendCode('once@example.com');
    expect((await otpLogin({ username: 'once@example.com', otp })).statusCode).toBe(200);
    expect(errorOf(await otpLogin({ username: 'once@example.com', otp }))).toEqual(invalidGrant(WRONG_EMAIL));
  });

  it('invalidates the previous code when a new one is sent', async () => {
    const first = await sendCode('resend@example.com');
    const second = await sendCode('resend@example.com');
    expect(second).not.toBe(first);
    expect(errorOf(await otpLogin({ username: 'resend@example.com', otp: first }))).toEqual(invalidGrant(WRONG_EMAIL));
    expect((await otpLogin({ username: 'resend@example.com', otp: second })).statusCode).toBe(200);
  });

  it('gives the same user the same subject on every login', async () => {
    const subs: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const otp = await sendCode('same@example.com');
      const response = await otpLogin({ username: 'SAME@example.com', otp });
      subs.push((await verifyJwt(t.app, response.json().id_token, t.issuer, t.clock.now())).sub);
    }
    expect(subs[0]).toBe(subs[1]);
  });

  describe('request errors', () => {
    it('invalid_request "the connection was disabled" for a realm not enabled for the client', async () => {
      expect(errorOf(await otpLogin({ realm: 'web-only-email', username: 'a@example.com', otp: '123456' }))).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: 'the connection was disabled' },
      });
    });

    it('invalid_request "the connection was not found" for an unknown realm', async () => {
      expect(errorOf(await otpLogin({ realm: 'fax', username: 'a@example.com', otp: '123456' }))).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: 'the connection was not found' },
      });
    });

    it.each(['username', 'otp', 'realm'])('invalid_request naming a missing %s', async (name) => {
      const fields: Record<string, unknown> = { username: 'a@example.com', otp: '123456', realm: 'email' };
      delete fields[name];
      const response = await token(t.app, { grant_type: OTP_GRANT, client_id: SPA, ...fields });
      expect(errorOf(response)).toEqual({ status: 400, body: { error: 'invalid_request', error_description: `Missing required parameter: ${name}` } });
    });
  });
});
