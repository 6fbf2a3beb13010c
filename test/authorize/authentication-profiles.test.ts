import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA } from '../support/flows.js';
import { Browser, decodeEntities } from '../support/browser.js';
import { callbackOf, enterIdentifier, startLogin, tokensFor, verifyJwt } from '../support/screens.js';
import { buildTenant } from '../../src/config/tenant-file.js';
import { ConfigError } from '../../src/config/config-error.js';

/**
 * The three Authentication Profiles (Auth0's `prompts` settings) answering the same /authorize
 * request: Identifier First (the default), Identifier + Password (identifier_first: false) and
 * Identifier First + Biometrics (webauthn_platform_first_factor: true).
 */
const DB = 'Username-Password-Authentication';
const baseTenant = {
  clients: [
    { name: 'Demo App', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], web_origins: ['http://localhost:3000'] },
    { name: 'Passwordless App', client_id: 'pwl-only', app_type: 'spa', callbacks: [CALLBACK] },
  ],
  connections: [
    { name: DB, strategy: 'auth0', enabled_clients: [SPA] },
    { name: 'email', strategy: 'email', enabled_clients: [SPA, 'pwl-only'] },
    { name: 'google-oauth2', strategy: 'google-oauth2', enabled_clients: [SPA] },
  ],
  users: [
    { connection: DB, email: 'dana@example.com', user_id: 'auth0|dana-1', name: 'Dana Scully', password: 'correct horse battery' },
    { connection: DB, email: 'fox@example.com', user_id: 'auth0|fox-1', name: 'Fox Mulder', password: 'trust no one' },
  ],
};
const IDENTIFIER_FIRST = baseTenant;
const IDENTIFIER_PASSWORD = { ...baseTenant, prompts: { identifier_first: false } };
const BIOMETRICS = { ...baseTenant, prompts: { identifier_first: true, webauthn_platform_first_factor: true } };
const enc = encodeURIComponent;

/** What a screen shows, in a few facts a reader can compare across profiles. */
function screenFacts(html: string): { screen: string | undefined; title: string | undefined; username: boolean; password: boolean; passkey: boolean; google: boolean } {
  return {
    screen: /data-screen="([^"]+)"/.exec(html)?.[1],
    title: decodeEntities(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? ''),
    username: /<input id="username" name="username"/.test(html),
    password: /name="password" type="password"/.test(html),
    passkey: /Continue with a passkey/.test(html),
    google: /value="google-oauth2"/.test(html),
  };
}

describe('Authentication profiles: the same /authorize request', () => {
  let t: TestApp;
  afterEach(() => t?.app.close());

  it('Identifier First (default): login-id asks for the email only, then the password screen', async () => {
    t = await buildTestApp({ tenant: IDENTIFIER_FIRST });
    const s = await startLogin(t.app);
    expect(s.location).toBe(`/u/login/identifier?state=${enc(s.state)}`);
    const page = await s.browser.get(s.location);
    expect(screenFacts(page.body)).toEqual({ screen: 'login-id', title: 'Log in | Demo App', username: true, password: false, passkey: false, google: true });
    const next = await enterIdentifier(s, 'dana@example.com');
    expect(next.headers.location).toBe(`/u/login/password?state=${enc(s.state)}`);
    expect(screenFacts((await s.browser.get(String(next.headers.location))).body).screen).toBe('login-password');
    // No single-page login here: /u/login goes to the identifier step.
    expect((await s.browser.get(`/u/login?state=${enc(s.state)}`)).headers.location).toBe(`/u/login/identifier?state=${enc(s.state)}`);
  });

  it('Identifier + Password: one "login" screen at /u/login with email and password, and it logs in', async () => {
    t = await buildTestApp({ tenant: IDENTIFIER_PASSWORD });
    const s = await startLogin(t.app);
    expect(s.location).toBe(`/u/login?state=${enc(s.state)}`);
    const page = await s.browser.get(s.location);
    expect(page.statusCode).toBe(200);
    expect(screenFacts(page.body)).toEqual({ screen: 'login', title: 'Log in | Demo App', username: true, password: true, passkey: false, google: true });
    // The Identifier First steps lead back to the single page.
    expect((await s.browser.get(`/u/login/identifier?state=${enc(s.state)}`)).headers.location).toBe(s.location);
    expect((await s.browser.get(`/u/login/password?state=${enc(s.state)}`)).headers.location).toBe(s.location);

    const wrong = await s.browser.post(s.location, { state: s.state, username: 'dana@example.com', password: 'nope', action: 'default' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Wrong email or password');
    expect(wrong.body).toContain('value="dana@example.com"');

    const accepted = await s.browser.post(s.location, { state: s.state, username: ' Dana@Example.com', password: 'correct horse battery', action: 'default' });
    expect(accepted.statusCode, accepted.body).toBe(302);
    expect(accepted.headers.location).toBe(`/authorize/resume?state=${enc(s.state)}`);
    const callback = callbackOf(await s.browser.get(String(accepted.headers.location)));
    const tokens = await tokensFor(t.app, callback, s.verifier);
    expect(await verifyJwt(t.app, tokens.id_token, t.issuer, t.clock.now(), SPA)).toMatchObject({ sub: 'auth0|dana-1' });
  });

  it('Identifier + Password: the social button on the login screen still goes to the provider', async () => {
    t = await buildTestApp({ tenant: IDENTIFIER_PASSWORD });
    const s = await startLogin(t.app);
    const social = await s.browser.post(s.location, { state: s.state, connection: 'google-oauth2', action: 'default' });
    expect(social.statusCode).toBe(302);
    expect(social.headers.location).toBe(`/u/login/social?state=${enc(s.state)}&connection=google-oauth2`);
  });

  it('Identifier + Password: connection=email gets an error page naming the profile setting, not a redirect to the app', async () => {
    t = await buildTestApp({ tenant: IDENTIFIER_PASSWORD });
    const browser = new Browser(t.app);
    const query = new URLSearchParams({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', connection: 'email', state: 'xyz' });
    const response = await browser.get(`/authorize?${query}`);
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
    const text = decodeEntities(response.body);
    expect(text).toContain('The connection "email" is passwordless.');
    expect(text).toContain('Identifier First');
    expect(text).toContain('prompts.identifier_first: false');
  });

  it('Identifier + Password: an application with only a passwordless connection gets the same explanation', async () => {
    t = await buildTestApp({ tenant: IDENTIFIER_PASSWORD });
    const query = new URLSearchParams({ client_id: 'pwl-only', redirect_uri: CALLBACK, response_type: 'code', scope: 'openid' });
    const response = await new Browser(t.app).get(`/authorize?${query}`);
    expect(response.statusCode).toBe(400);
    expect(decodeEntities(response.body)).toContain('only passwordless connections');
  });

  it('Identifier First: the same connection=email request goes to login-id and then the email code', async () => {
    t = await buildTestApp({ tenant: IDENTIFIER_FIRST });
    const s = await startLogin(t.app, { connection: 'email' });
    expect(s.location).toBe(`/u/login/identifier?state=${enc(s.state)}`);
    const next = await enterIdentifier(s, 'someone@example.com');
    expect(next.headers.location).toBe(`/u/login/passwordless-email-challenge?state=${enc(s.state)}`);
  });

  it('Identifier First + Biometrics: login-id offers "Continue with a passkey"; a password login goes by passkey-enrollment, which can be skipped', async () => {
    t = await buildTestApp({ tenant: BIOMETRICS });
    const s = await startLogin(t.app);
    expect(s.location).toBe(`/u/login/identifier?state=${enc(s.state)}`);
    const page = await s.browser.get(s.location);
    expect(screenFacts(page.body)).toEqual({ screen: 'login-id', title: 'Log in | Demo App', username: true, password: false, passkey: true, google: true });
    // The discoverable-credential options are bound to this transaction.
    const txn = await t.app.deps.store.getTransaction(s.state);
    expect(txn?.webauthnChallenge).toBeTruthy();
    const options = JSON.parse(decodeEntities(/data-webauthn="([^"]*)"/.exec(page.body)?.[1] ?? '{}'));
    expect(options).toMatchObject({ challenge: txn?.webauthnChallenge, rpId: 'understudy.test', userVerification: 'required' });
    expect(options.allowCredentials ?? []).toEqual([]);

    const next = await enterIdentifier(s, 'dana@example.com');
    expect(next.headers.location).toBe(`/u/login/password?state=${enc(s.state)}`);
    const accepted = await s.browser.post(`/u/login/password?state=${enc(s.state)}`, { state: s.state, password: 'correct horse battery', action: 'default' });
    expect(accepted.statusCode).toBe(302);
    expect(accepted.headers.location).toBe(`/u/passkey-enrollment?state=${enc(s.state)}`);

    const enrolment = await s.browser.get(String(accepted.headers.location));
    expect(enrolment.statusCode).toBe(200);
    expect(screenFacts(enrolment.body)).toMatchObject({ screen: 'passkey-enrollment', title: 'Create a passkey | Demo App' });
    expect(enrolment.body).toContain('value="abort-passkey-enrollment"');
    const creation = JSON.parse(decodeEntities(/data-webauthn="([^"]*)"/.exec(enrolment.body)?.[1] ?? '{}'));
    expect(creation).toMatchObject({ rp: { id: 'understudy.test' }, user: { name: 'dana@example.com' }, authenticatorSelection: { residentKey: 'required' } });

    // A made-up credential is refused and the screen stays.
    const bogus = await s.browser.post(String(accepted.headers.location), { state: s.state, action: 'default', passkey: '{"id":"x"}' });
    expect(bogus.statusCode).toBe(400);
    expect(decodeEntities(bogus.body)).toContain("We couldn't create your passkey");

    const skipped = await s.browser.post(String(accepted.headers.location), { state: s.state, action: 'abort-passkey-enrollment' });
    expect(skipped.headers.location).toBe(`/authorize/resume?state=${enc(s.state)}`);
    const callback = callbackOf(await s.browser.get(String(skipped.headers.location)));
    const tokens = await tokensFor(t.app, callback, s.verifier);
    expect(await verifyJwt(t.app, tokens.id_token, t.issuer, t.clock.now(), SPA)).toMatchObject({ sub: 'auth0|dana-1' });
    expect(await t.app.deps.store.listPasskeys('auth0|dana-1')).toEqual([]);
  });

  it('Identifier First + Biometrics: the identifier of a user with a passkey leads to the passkey challenge, with the password as a way out', async () => {
    t = await buildTestApp({ tenant: BIOMETRICS });
    await t.app.deps.store.savePasskey({
      id: 'Zm94LWNyZWRlbnRpYWw',
      userId: 'auth0|fox-1',
      publicKey: 'AA',
      counter: 0,
      transports: ['internal'],
      deviceType: 'singleDevice',
      backedUp: false,
      aaguid: '00000000-0000-0000-0000-000000000000',
      createdAt: new Date(t.clock.now()).toISOString(),
      lastUsedAt: undefined,
    });
    const s = await startLogin(t.app);
    const next = await enterIdentifier(s, 'fox@example.com');
    expect(next.headers.location).toBe(`/u/login/passkey?state=${enc(s.state)}`);
    const challenge = await s.browser.get(String(next.headers.location));
    expect(challenge.statusCode).toBe(200);
    expect(screenFacts(challenge.body)).toMatchObject({ screen: 'login-passkey', password: false, passkey: true });
    const options = JSON.parse(decodeEntities(/data-webauthn="([^"]*)"/.exec(challenge.body)?.[1] ?? '{}'));
    expect(options.allowCredentials).toEqual([{ id: 'Zm94LWNyZWRlbnRpYWw', type: 'public-key', transports: ['internal'] }]);
    expect(challenge.body).toContain(`href="/u/login/password?state=${enc(s.state)}"`);

    // A garbage assertion is refused on the same screen.
    const refused = await s.browser.post(String(next.headers.location), { state: s.state, action: 'default', passkey: 'not json' });
    expect(refused.statusCode).toBe(400);
    expect(screenFacts(refused.body).screen).toBe('login-passkey');

    // "Use password instead" works, and a user with a passkey is not offered another one.
    const password = await s.browser.post(`/u/login/password?state=${enc(s.state)}`, { state: s.state, password: 'trust no one', action: 'default' });
    expect(password.headers.location).toBe(`/authorize/resume?state=${enc(s.state)}`);
  });

  it('Identifier First + Biometrics keeps passwordless: connection=email still sends a code', async () => {
    t = await buildTestApp({ tenant: BIOMETRICS });
    const s = await startLogin(t.app, { connection: 'email' });
    const page = await s.browser.get(s.location);
    expect(screenFacts(page.body)).toMatchObject({ screen: 'login-id', passkey: false });
    const next = await enterIdentifier(s, 'someone@example.com');
    expect(next.headers.location).toBe(`/u/login/passwordless-email-challenge?state=${enc(s.state)}`);
  });

  it('the tenant file: prompts default to Identifier First, and Biometrics without Identifier First is refused', () => {
    expect(buildTenant(baseTenant, 't', 's').tenant.prompts).toEqual({ identifierFirst: true, webauthnPlatformFirstFactor: false });
    expect(buildTenant(BIOMETRICS, 't', 's').tenant.prompts).toEqual({ identifierFirst: true, webauthnPlatformFirstFactor: true });
    const bad = () => buildTenant({ ...baseTenant, prompts: { identifier_first: false, webauthn_platform_first_factor: true } }, 't', 's');
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/prompts\.webauthn_platform_first_factor: Identifier First \+ Biometrics needs identifier_first: true/);
    // Other keys of a Deploy CLI export are ignored, not fatal.
    expect(buildTenant({ ...baseTenant, prompts: { universal_login_experience: 'new', identifier_first: true } }, 't', 's').ignoredKeys).toContain('prompts.universal_login_experience');
  });
});
