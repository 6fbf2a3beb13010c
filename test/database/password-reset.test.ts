import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';
import { authorizeUrl, CALLBACK, latestMessage, pkcePair, transactionState } from '../support/flows.js';
import { post, token } from '../support/api.js';

/**
 * "Forgot password?" on a database connection, over HTTP: POST /dbconnections/change_password answers
 * Auth0's plain text whether or not the user exists and mails a reset link only to a real user; the
 * link's screen takes a new password under the connection's policy, once; the old password then fails
 * and the new one works. The same request starts from the login's password screen.
 */
const DB = 'Username-Password-Authentication';
const CLIENT = 'reset-web';
const PASSWORD_REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const EMAIL = 'forgetful@example.com';
const OLD = 'Old-password-1';
const NEW = 'Brand-new-pass-2';
const SENT = "We've just sent you an email to reset your password.";

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({
    tenant: {
      clients: [{ name: 'Reset Web', client_id: CLIENT, app_type: 'spa', callbacks: [CALLBACK], web_origins: ['http://localhost:3000'], grant_types: ['authorization_code', PASSWORD_REALM] }],
      connections: [{ name: DB, strategy: 'auth0', enabled_clients: ['Reset Web'], options: { passwordPolicy: 'good' } }],
      users: [{ connection: DB, email: EMAIL, password: OLD }],
    },
  });
});
afterEach(async () => t.app.close());

const login = (password: string) => token(t.app, { grant_type: PASSWORD_REALM, client_id: CLIENT, realm: DB, username: EMAIL, password, scope: 'openid' });
const attr = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, '&');

describe('POST /dbconnections/change_password and the reset-password screen', () => {
  it('mails a reset link; the screen takes a new password once; the old password then fails', async () => {
    const requested = await post(t.app, '/dbconnections/change_password', { client_id: CLIENT, email: EMAIL, connection: DB });
    expect(requested.statusCode).toBe(200);
    expect(requested.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(requested.body).toBe(SENT);

    const mail = await latestMessage(t.app, EMAIL);
    expect(mail).toMatchObject({ channel: 'email', subject: 'Reset your password', connection: DB });
    const link = new URL(String(mail.link));
    expect(link.pathname).toBe('/u/reset-password');
    const browser = new Browser(t.app);
    const screen = await browser.get(link.pathname + link.search);
    expect(screen.statusCode).toBe(200);
    expect(screen.body).toContain('Change Your Password');
    expect(screen.body).toContain('Contain at least 3 of the following 4 types of characters:');
    const ticket = attr(screen.body, 'ticket')!;

    // Auth0's refusals: the two fields differ, then a password below the policy.
    const mismatch = await browser.post('/u/reset-password', { ticket, password: NEW, 're-enter-password': 'something else' });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toMatch(/data-error-code="password-mismatch"[^>]*>Passwords don&#39;t match</);
    const weak = await browser.post('/u/reset-password', { ticket, password: 'weakling', 're-enter-password': 'weakling' });
    expect(weak.body).toContain('The password is too weak');

    const changed = await browser.post('/u/reset-password', { ticket, password: NEW, 're-enter-password': NEW });
    expect(changed.statusCode).toBe(200);
    expect(changed.body).toContain('Password Changed!');
    expect((await login(OLD)).statusCode).toBe(403);
    expect((await login(NEW)).statusCode).toBe(200);

    // The link changes one password once.
    const again = await browser.get(link.pathname + link.search);
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('This link has already been used.');
  });

  it('answers the same for an email with no user, and mails nothing', async () => {
    const requested = await post(t.app, '/dbconnections/change_password', { client_id: CLIENT, email: 'nobody@example.com', connection: DB });
    expect(requested.statusCode).toBe(200);
    expect(requested.body).toBe(SENT);
    const none = await t.app.inject({ method: 'GET', url: '/_dev/api/messages?to=nobody%40example.com' });
    expect(none.json()).toMatchObject({ messages: [] });
  });

  it('refuses a request without an email or with a connection that is not a database', async () => {
    expect((await post(t.app, '/dbconnections/change_password', { client_id: CLIENT, connection: DB })).json()).toMatchObject({ code: 'invalid_body', description: 'Missing required parameter: email' });
    expect((await post(t.app, '/dbconnections/change_password', { client_id: CLIENT, email: EMAIL, connection: 'email' })).json()).toMatchObject({ code: 'invalid_connection' });
    const forged = await t.app.inject({ method: 'GET', url: '/u/reset-password?ticket=not-a-ticket' });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('Invalid Link');
  });

  it('"Forgot password?" on the password screen sends the same email, then says to check it', async () => {
    const browser = new Browser(t.app);
    const { challenge } = pkcePair();
    const start = await browser.get(authorizeUrl({ client_id: CLIENT, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', connection: DB }));
    const loginId = String(start.headers.location);
    const state = transactionState(loginId);
    const identified = await browser.post(loginId, { state, username: EMAIL, action: 'default' });
    const passwordScreen = await browser.get(String(identified.headers.location));
    const forgot = /href="(\/u\/reset-password\/request\?state=[^"]+)"/.exec(passwordScreen.body)?.[1]?.replace(/&amp;/g, '&');
    expect(forgot).toBe(`/u/reset-password/request?state=${encodeURIComponent(state)}`);
    const request = await browser.get(forgot!);
    expect(request.body).toContain('Forgot Your Password?');
    expect(request.body).toContain(`value="${EMAIL}"`);
    const sent = await browser.post(forgot!, { state, email: EMAIL, action: 'default' });
    expect(sent.body).toContain('Check Your Email');
    expect((await latestMessage(t.app, EMAIL)).link).toMatch(/\/u\/reset-password\?ticket=/);
  });
});
