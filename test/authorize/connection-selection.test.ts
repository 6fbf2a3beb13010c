import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA, WEB } from '../support/flows.js';
import { alertText } from '../support/browser.js';
import { enterIdentifier, startLogin } from '../support/screens.js';

/**
 * Which login Universal Login presents, row by row (src/tenant/connection-rules.ts):
 * database wins unless /authorize names a passwordless connection; without a database the passwordless
 * connection created first; social connections as buttons; a connection the client may not use is an error.
 */
const urls = { callbacks: [CALLBACK], web_origins: ['http://localhost:3000'] };
const clients = [
  { name: 'SPA', client_id: SPA, app_type: 'spa', ...urls },
  { name: 'Web', client_id: WEB, client_secret: 'web-secret', app_type: 'regular_web', ...urls },
];
const email = { name: 'email', strategy: 'email' };
const sms = { name: 'sms', strategy: 'sms' };
const database = { name: 'Username-Password-Authentication', strategy: 'auth0' };
const google = { name: 'google-oauth2', strategy: 'google-oauth2' };

const tenantWith = (...connections: object[]) => ({ clients, connections });
const enc = encodeURIComponent;

describe('connection selection on /authorize', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  describe('a client with a database connection and passwordless ones', () => {
    it('gets the database login (identifier, then /u/login/password) when no connection is passed', async () => {
      t = await buildTestApp({ tenant: tenantWith(email, database, sms) });
      const s = await startLogin(t.app);
      expect(s.location).toBe(`/u/login/identifier?state=${enc(s.state)}`);
      const page = await s.browser.get(s.location);
      expect(page.body).toMatch(/<input id="username" name="username"[^>]*type="email"/);

      const submitted = await enterIdentifier(s, 'someone@example.com');
      expect(submitted.statusCode).toBe(302);
      expect(submitted.headers.location).toBe(`/u/login/password?state=${enc(s.state)}`);
      const messages = await t.app.inject('/_dev/api/messages');
      expect(messages.json()).toEqual({ messages: [] });
    });

    it('gets the email challenge with connection=email', async () => {
      t = await buildTestApp({ tenant: tenantWith(database, email, sms) });
      const s = await startLogin(t.app, { connection: 'email' });
      const submitted = await enterIdentifier(s, 'someone@example.com');
      expect(submitted.headers.location).toBe(`/u/login/passwordless-email-challenge?state=${enc(s.state)}`);
      const latest = await t.app.inject('/_dev/api/messages/latest?to=someone@example.com');
      expect(latest.json()).toMatchObject({ channel: 'email', connection: 'email' });
    });

    it('gets the SMS challenge with connection=sms', async () => {
      t = await buildTestApp({ tenant: tenantWith(database, email, sms) });
      const s = await startLogin(t.app, { connection: 'sms' });
      const submitted = await enterIdentifier(s, '+15551234567');
      expect(submitted.headers.location).toBe(`/u/login/passwordless-sms-challenge?state=${enc(s.state)}`);
    });
  });

  describe('a client with no database connection', () => {
    it('gets email when email was created before sms', async () => {
      t = await buildTestApp({ tenant: tenantWith(email, sms) });
      const s = await startLogin(t.app);
      const page = await s.browser.get(s.location);
      expect(page.body).toMatch(/<input id="username" name="username"[^>]*type="email"/);
      const submitted = await enterIdentifier(s, 'first@example.com');
      expect(submitted.headers.location).toBe(`/u/login/passwordless-email-challenge?state=${enc(s.state)}`);
    });

    it('gets sms when sms was created before email', async () => {
      t = await buildTestApp({ tenant: tenantWith(sms, email) });
      const s = await startLogin(t.app);
      const page = await s.browser.get(s.location);
      expect(page.body).toMatch(/<input id="username" name="username"[^>]*type="tel"/);
      const submitted = await enterIdentifier(s, '+1 555 123 4567');
      expect(submitted.headers.location).toBe(`/u/login/passwordless-sms-challenge?state=${enc(s.state)}`);
    });

    it('ignores a connection created first when it is not enabled for the client', async () => {
      t = await buildTestApp({ tenant: tenantWith({ ...sms, enabled_clients: ['Web'] }, { ...email, enabled_clients: ['SPA', 'Web'] }) });
      const s = await startLogin(t.app);
      const submitted = await enterIdentifier(s, 'spa-user@example.com');
      expect(submitted.headers.location).toBe(`/u/login/passwordless-email-challenge?state=${enc(s.state)}`);
    });

    it('shows the single passwordless connection with the enabled social connections as buttons', async () => {
      t = await buildTestApp({ tenant: tenantWith(email, google, { name: 'github', strategy: 'github', enabled_clients: ['Web'] }) });
      const s = await startLogin(t.app);
      const page = await s.browser.get(s.location);
      expect(page.statusCode).toBe(200);
      expect(page.body).toMatch(/<input id="username" name="username"[^>]*type="email"/);
      expect(page.body).toMatch(/<button[^>]*type="submit" name="connection" value="google-oauth2">/);
      expect(page.body).toContain('Continue with Google');
      // GitHub exists on the tenant but is not enabled for this client.
      expect(page.body).not.toContain('value="github"');
    });

    it('shows only social buttons when the client has no passwordless or database connection', async () => {
      t = await buildTestApp({ tenant: tenantWith({ ...email, enabled_clients: ['Web'] }, google) });
      const s = await startLogin(t.app);
      const page = await s.browser.get(s.location);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('name="username"');
      expect(page.body).toMatch(/name="connection" value="google-oauth2"/);
    });
  });

  describe('a social connection', () => {
    it('goes straight to the provider page when /authorize names it', async () => {
      t = await buildTestApp({ tenant: tenantWith(email, google) });
      const s = await startLogin(t.app, { connection: 'google-oauth2' });
      expect(s.location).toBe(`/u/login/social?state=${enc(s.state)}&connection=google-oauth2`);
    });

    it('re-renders login-id with an alert when a posted social connection is not enabled for the client', async () => {
      t = await buildTestApp({ tenant: tenantWith(email, { ...google, enabled_clients: ['Web'] }) });
      const s = await startLogin(t.app);
      const refused = await s.browser.post(s.location, { state: s.state, action: 'default', connection: 'google-oauth2' });
      expect(refused.statusCode).toBe(400);
      expect(alertText(refused.body)).toBe('That sign-in option is not available for this application.');
    });
  });

  describe('a connection parameter the client may not use', () => {
    async function authorizeError(params: Record<string, string>): Promise<URL> {
      const query = new URLSearchParams({
        client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', state: 'xyz-state', ...params,
      });
      const response = await t.app.inject(`/authorize?${query}`);
      expect(response.statusCode, response.body).toBe(302);
      const location = new URL(String(response.headers.location));
      expect(location.origin + location.pathname).toBe(CALLBACK);
      return location;
    }

    it('redirects to the callback with error=invalid_request and the client state when the connection is not enabled', async () => {
      t = await buildTestApp({ tenant: tenantWith(email, { ...sms, enabled_clients: ['Web'] }) });
      const location = await authorizeError({ connection: 'sms' });
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('error_description')).toContain('sms');
      expect(location.searchParams.get('state')).toBe('xyz-state');
      expect(location.searchParams.get('code')).toBeNull();
    });

    it('redirects to the callback with error=invalid_request and the client state when the connection does not exist', async () => {
      t = await buildTestApp({ tenant: tenantWith(email, sms) });
      const location = await authorizeError({ connection: 'no-such-connection' });
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('error_description')).toContain('no-such-connection');
      expect(location.searchParams.get('state')).toBe('xyz-state');
    });
  });
});
