import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';
import { authorizeUrl, CALLBACK, exchangeCode, latestMessage, passwordlessLogin, pkcePair, transactionState } from '../support/flows.js';

/**
 * One-time codes by email on a database connection's login screens (authentication_methods.email_otp):
 * with the password off, login-id sends the code at once; with both on, the password screen offers it.
 */
const DB = 'Username-Password-Authentication';
const CLIENT = 'db-otp-screens';
const EMAIL = 'coder@example.com';

let t: TestApp;
afterEach(async () => t.app.close());

async function toIdentifier(browser: Browser) {
  const { challenge } = pkcePair();
  const started = await browser.get(authorizeUrl({ client_id: CLIENT, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' }));
  const location = String(started.headers.location);
  return { location, state: transactionState(location) };
}

const tenant = (methods: Record<string, unknown>) => ({
  clients: [{ name: 'DB OTP', client_id: CLIENT, app_type: 'spa', callbacks: [CALLBACK] }],
  connections: [{ name: DB, strategy: 'auth0', options: { authentication_methods: methods } }],
  users: [{ connection: DB, email: EMAIL, password: 'Any-password-1', phone_number: '+14155550142' }],
});

describe('email codes on a database connection\'s screens', () => {
  it('codes only: login-id sends the code at once and the challenge logs the user in', async () => {
    t = await buildTestApp({ tenant: tenant({ password: { enabled: false }, email_otp: { enabled: true } }) });
    const browser = new Browser(t.app);
    const { location, state } = await toIdentifier(browser);
    const sent = await browser.post(location, { state, username: EMAIL, action: 'default' });
    expect(String(sent.headers.location)).toBe(`/u/login/passwordless-email-challenge?state=${encodeURIComponent(state)}`);
    const mail = await latestMessage(t.app, EMAIL);
    expect(mail.connection).toBe(DB);
    const verified = await browser.post(String(sent.headers.location), { state, code: mail.code, action: 'default' });
    expect(String(verified.headers.location)).toBe(`/authorize/resume?state=${encodeURIComponent(state)}`);
  });

  it('both on: the password screen offers the code; without email_otp it does not, and the challenge is refused', async () => {
    t = await buildTestApp({ tenant: tenant({ email_otp: { enabled: true } }) });
    const browser = new Browser(t.app);
    const { location, state } = await toIdentifier(browser);
    const password = await browser.post(location, { state, username: EMAIL, action: 'default' });
    const screen = await browser.get(String(password.headers.location));
    expect(screen.body).toContain('Email me a code instead');
    const instead = await browser.post(String(password.headers.location), { state, action: 'email-code' });
    expect(String(instead.headers.location)).toBe(`/u/login/passwordless-email-challenge?state=${encodeURIComponent(state)}`);
    await t.app.close();

    t = await buildTestApp({ tenant: tenant({}) });
    const other = new Browser(t.app);
    const again = await toIdentifier(other);
    const passwordOnly = await other.post(again.location, { state: again.state, username: EMAIL, action: 'default' });
    expect((await other.get(String(passwordOnly.headers.location))).body).not.toContain('Email me a code instead');
    const challenge = await other.get(`/u/login/passwordless-email-challenge?state=${encodeURIComponent(again.state)}`);
    expect(challenge.statusCode).toBe(302);
  });

  it('phone_otp: login-id takes a phone number, texts the code, and logs in the database user who has it', async () => {
    t = await buildTestApp({ tenant: tenant({ password: { enabled: true }, phone_otp: { enabled: true } }) });
    const browser = new Browser(t.app);
    const { location } = await toIdentifier(browser);
    const screen = await browser.get(location);
    expect(screen.body).toContain('Phone number or email address');

    const login = await passwordlessLogin(t.app, { identifier: '+1 415 555 0142', clientId: CLIENT });
    const text = await latestMessage(t.app, '+14155550142');
    expect(text).toMatchObject({ channel: 'sms', connection: DB });
    const tokens = await exchangeCode(t.app, { client_id: CLIENT, code: login.callback.searchParams.get('code')!, code_verifier: login.verifier });
    const claims = JSON.parse(Buffer.from(String(tokens.json().id_token).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    // The seeded user: email and phone number on one database account.
    expect(claims).toMatchObject({ sub: expect.stringMatching(/^auth0\|/), email: EMAIL, phone_number: '+14155550142' });

    // An email on the same screen still goes to the password.
    const other = new Browser(t.app);
    const again = await toIdentifier(other);
    const password = await other.post(again.location, { state: again.state, username: EMAIL, action: 'default' });
    expect(String(password.headers.location)).toMatch(/^\/u\/login\/password\?/);
  });
});
