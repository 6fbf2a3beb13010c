import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA } from '../support/flows.js';
import { alertText, inputValue } from '../support/browser.js';
import { callbackOf, enterIdentifier, startLogin, tokensFor, verifyJwt, type Started } from '../support/screens.js';

const DB = 'Username-Password-Authentication';
const tenant = {
  clients: [{ name: 'Demo App', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], web_origins: ['http://localhost:3000'] }],
  connections: [
    { name: DB, strategy: 'auth0' },
    { name: 'google-oauth2', strategy: 'google-oauth2' },
  ],
  users: [{ connection: DB, email: 'Dana@Example.com', user_id: 'auth0|dana-1', name: 'Dana Scully', password: 'correct horse battery' }],
};
const enc = encodeURIComponent;

describe('database (auth0 strategy) login', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  async function toPasswordScreen(username: string): Promise<Started> {
    const s = await startLogin(t.app);
    const submitted = await enterIdentifier(s, username);
    expect(submitted.statusCode, submitted.body).toBe(302);
    expect(submitted.headers.location).toBe(`/u/login/password?state=${enc(s.state)}`);
    return s;
  }
  const postPassword = (s: Started, password: string) =>
    s.browser.post(`/u/login/password?state=${enc(s.state)}`, { state: s.state, password, action: 'default' });

  it('logs a seeded user in with the right password via /u/login/password', async () => {
    t = await buildTestApp({ tenant });
    const s = await toPasswordScreen('  DANA@example.com ');
    const page = await s.browser.get(`/u/login/password?state=${enc(s.state)}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Enter your password | Demo App</title>');
    expect(page.body).toContain('dana@example.com');
    expect(page.body).toMatch(/<input id="password" name="password" type="password"/);

    const accepted = await postPassword(s, 'correct horse battery');
    expect(accepted.statusCode, accepted.body).toBe(302);
    expect(accepted.headers.location).toBe(`/authorize/resume?state=${enc(s.state)}`);
    const callback = callbackOf(await s.browser.get(String(accepted.headers.location)));
    expect(callback.searchParams.get('state')).toBe('client-state');

    const tokens = await tokensFor(t.app, callback, s.verifier);
    const claims = await verifyJwt(t.app, tokens.id_token, t.issuer, t.clock.now(), SPA);
    expect(claims).toMatchObject({ sub: 'auth0|dana-1', email: 'dana@example.com', name: 'Dana Scully' });
  });

  it('re-renders the password screen with "Wrong email or password" in role="alert" for a wrong password', async () => {
    t = await buildTestApp({ tenant });
    const s = await toPasswordScreen('dana@example.com');
    const refused = await postPassword(s, 'incorrect horse');
    expect(refused.statusCode).toBe(400);
    expect(refused.headers.location).toBeUndefined();
    expect(alertText(refused.body)).toBe('Wrong email or password');
    // The same screen, still usable: the right password now succeeds.
    const accepted = await postPassword(s, 'correct horse battery');
    expect(accepted.statusCode).toBe(302);
    expect(accepted.headers.location).toBe(`/authorize/resume?state=${enc(s.state)}`);
  });

  it('gives an unknown email the same "Wrong email or password" as a wrong password', async () => {
    t = await buildTestApp({ tenant });
    const s = await toPasswordScreen('nobody@example.com');
    const refused = await postPassword(s, 'correct horse battery');
    expect(refused.statusCode).toBe(400);
    expect(alertText(refused.body)).toBe('Wrong email or password');
  });

  it('refuses /authorize/resume before the password was accepted', async () => {
    t = await buildTestApp({ tenant });
    const s = await toPasswordScreen('dana@example.com');
    const early = await s.browser.get(`/authorize/resume?state=${enc(s.state)}`);
    expect(early.statusCode).toBe(400);
    expect(early.headers.location).toBeUndefined();
  });
});

describe('mock social login', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  /** login-id → "Continue with Google" → consent page → POST email/name → resume → callback. */
  async function socialLogin(profile: { email: string; name: string }): Promise<{ s: Started; callback: URL }> {
    const s = await startLogin(t.app);
    const loginId = await s.browser.get(s.location);
    expect(loginId.body).toMatch(/name="connection" value="google-oauth2"/);

    const chosen = await s.browser.post(s.location, { state: s.state, action: 'default', connection: 'google-oauth2' });
    expect(chosen.statusCode, chosen.body).toBe(302);
    const consentUrl = String(chosen.headers.location);
    expect(consentUrl).toBe(`/u/login/social?state=${enc(s.state)}&connection=google-oauth2`);

    const consent = await s.browser.get(consentUrl);
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('Continue as');
    expect(inputValue(consent.body, 'connection')).toBe('google-oauth2');
    expect(consent.body).toMatch(/<input id="email" name="email" type="email"/);

    const done = await s.browser.post(consentUrl, { state: s.state, connection: 'google-oauth2', action: 'default', ...profile });
    expect(done.statusCode, done.body).toBe(302);
    expect(done.headers.location).toBe(`/authorize/resume?state=${enc(s.state)}`);
    return { s, callback: callbackOf(await s.browser.get(String(done.headers.location))) };
  }

  it('takes the user from the login-id button through the consent page to tokens with a google-oauth2 subject', async () => {
    t = await buildTestApp({ tenant });
    const { s, callback } = await socialLogin({ email: 'Pat@Example.com', name: 'Pat Doe' });
    const tokens = await tokensFor(t.app, callback, s.verifier);
    const claims = await verifyJwt(t.app, tokens.id_token, t.issuer, t.clock.now(), SPA);
    expect(claims.sub).toMatch(/^google-oauth2\|\d+$/);
    expect(claims).toMatchObject({ email: 'pat@example.com', email_verified: true, name: 'Pat Doe' });
  });

  it('gives the same email the same subject on the next social login, and another email another one', async () => {
    t = await buildTestApp({ tenant });
    const subs: unknown[] = [];
    for (const email of ['same@example.com', 'SAME@example.com', 'other@example.com']) {
      const { s, callback } = await socialLogin({ email, name: 'Someone' });
      const tokens = await tokensFor(t.app, callback, s.verifier);
      subs.push((await verifyJwt(t.app, tokens.id_token, t.issuer, t.clock.now())).sub);
    }
    expect(subs[1]).toBe(subs[0]);
    expect(subs[2]).not.toBe(subs[0]);
  });

  it('re-renders the consent page with an alert for an invalid email', async () => {
    t = await buildTestApp({ tenant });
    const s = await startLogin(t.app, { connection: 'google-oauth2' });
    const refused = await s.browser.post(s.location, { state: s.state, connection: 'google-oauth2', email: 'not-an-email', name: 'X' });
    expect(refused.statusCode).toBe(400);
    expect(alertText(refused.body)).toBe('Email is not valid.');
  });
});
