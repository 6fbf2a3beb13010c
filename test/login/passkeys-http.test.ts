import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA } from '../support/flows.js';
import { decodeEntities } from '../support/browser.js';
import { callbackOf, enterIdentifier, startLogin, tokensFor, verifyJwt, type Started } from '../support/screens.js';
import { assert, createCredential, type SoftCredential } from '../support/soft-authenticator.js';

/**
 * Identifier First + Biometrics over HTTP with a software authenticator: real WebAuthn registration and
 * assertions verified by the server, and the ways an answer is refused (replayed, wrong origin, another
 * user's passkey, a registration posted as an assertion). Runs on any Store.
 */
const DB = 'Username-Password-Authentication';
const tenant = {
  prompts: { webauthn_platform_first_factor: true },
  clients: [{ name: 'Demo App', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK] }],
  connections: [{ name: DB, strategy: 'auth0' }],
  users: [
    { connection: DB, email: 'dana@example.com', user_id: 'auth0|dana-1', password: 'correct horse battery' },
    { connection: DB, email: 'fox@example.com', user_id: 'auth0|fox-1', password: 'trust no one' },
  ],
};
const ORIGIN = 'http://understudy.test';
const enc = encodeURIComponent;
const optionsIn = (html: string): any => JSON.parse(decodeEntities(/data-webauthn="([^"]*)"/.exec(html)?.[1] ?? 'null'));

describe('passkeys over HTTP (software authenticator)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({ tenant });
  });
  afterEach(() => t.app.close());

  /** Password login and enrolment; returns the new credential. */
  async function enrol(email: string, password: string): Promise<SoftCredential> {
    const s = await startLogin(t.app);
    await enterIdentifier(s, email);
    const accepted = await s.browser.post(`/u/login/password?state=${enc(s.state)}`, { state: s.state, password, action: 'default' });
    expect(accepted.headers.location).toBe(`/u/passkey-enrollment?state=${enc(s.state)}`);
    const page = await s.browser.get(String(accepted.headers.location));
    const { credential, response } = createCredential(optionsIn(page.body), ORIGIN);
    const created = await s.browser.post(String(accepted.headers.location), { state: s.state, action: 'default', passkey: response });
    expect(created.statusCode, created.body).toBe(302);
    expect(created.headers.location).toBe(`/authorize/resume?state=${enc(s.state)}`);
    callbackOf(await s.browser.get(String(created.headers.location)));
    return credential;
  }

  async function subOf(s: Started, location: string): Promise<unknown> {
    const callback = callbackOf(await s.browser.get(location));
    const tokens = await tokensFor(t.app, callback, s.verifier);
    return (await verifyJwt(t.app, tokens.id_token, t.issuer, t.clock.now(), SPA)).sub;
  }

  it('enrols a passkey after the password, then logs in with it from login-id (discoverable) and after the identifier', async () => {
    const credential = await enrol('dana@example.com', 'correct horse battery');
    const [stored] = await t.app.deps.store.listPasskeys('auth0|dana-1');
    expect(stored).toMatchObject({ id: credential.id, userId: 'auth0|dana-1', counter: 0, transports: ['internal'], lastUsedAt: undefined });

    // login-id: "Continue with a passkey", no identifier typed.
    const a = await startLogin(t.app);
    const loginId = await a.browser.get(a.location);
    const viaLoginId = await a.browser.post(a.location, { state: a.state, action: 'default', passkey: assert(credential, optionsIn(loginId.body), ORIGIN) });
    expect(viaLoginId.statusCode, viaLoginId.body).toBe(302);
    expect(viaLoginId.headers.location).toBe(`/authorize/resume?state=${enc(a.state)}`);
    expect(await subOf(a, String(viaLoginId.headers.location))).toBe('auth0|dana-1');
    expect(await t.app.deps.store.findPasskey(credential.id)).toMatchObject({ counter: 1, lastUsedAt: new Date(t.clock.now()).toISOString() });

    // After the identifier: the passkey challenge, limited to this user's passkeys.
    const b = await startLogin(t.app);
    const next = await enterIdentifier(b, 'dana@example.com');
    expect(next.headers.location).toBe(`/u/login/passkey?state=${enc(b.state)}`);
    const challenge = await b.browser.get(String(next.headers.location));
    const viaChallenge = await b.browser.post(String(next.headers.location), { state: b.state, action: 'default', passkey: assert(credential, optionsIn(challenge.body), ORIGIN) });
    expect(viaChallenge.headers.location).toBe(`/authorize/resume?state=${enc(b.state)}`);
    expect(await subOf(b, String(viaChallenge.headers.location))).toBe('auth0|dana-1');
  });

  it('refuses a replayed assertion, one for another origin, and a registration posted as an assertion', async () => {
    const credential = await enrol('dana@example.com', 'correct horse battery');
    const s = await startLogin(t.app);
    const page = await s.browser.get(s.location);
    const options = optionsIn(page.body);

    const wrongOrigin = await s.browser.post(s.location, { state: s.state, action: 'default', passkey: assert(credential, options, 'http://evil.test') });
    expect(wrongOrigin.statusCode).toBe(400);
    expect(decodeEntities(wrongOrigin.body)).toContain("We couldn't verify your passkey");

    // The refused answer used up that challenge: a correct answer to it is refused too.
    const stale = await s.browser.post(s.location, { state: s.state, action: 'default', passkey: assert(credential, options, ORIGIN) });
    expect(stale.statusCode).toBe(400);

    // The re-rendered screen carries a new challenge; answered once it works, replayed it does not.
    const fresh = optionsIn(stale.body);
    expect(fresh.challenge).not.toBe(options.challenge);
    const good = assert(credential, fresh, ORIGIN);
    const registrationShaped = await s.browser.post(s.location, { state: s.state, action: 'default', passkey: assert(credential, fresh, ORIGIN, { type: 'webauthn.create' }) });
    expect(registrationShaped.statusCode).toBe(400);
    const retry = optionsIn(registrationShaped.body);
    const accepted = await s.browser.post(s.location, { state: s.state, action: 'default', passkey: assert(credential, retry, ORIGIN) });
    expect(accepted.statusCode, accepted.body).toBe(302);

    const other = await startLogin(t.app);
    await other.browser.get(other.location);
    const replayed = await other.browser.post(other.location, { state: other.state, action: 'default', passkey: good });
    expect(replayed.statusCode).toBe(400);
  });

  it('on the passkey challenge of one user, another user\'s passkey is refused', async () => {
    const danas = await enrol('dana@example.com', 'correct horse battery');
    await enrol('fox@example.com', 'trust no one');
    const s = await startLogin(t.app);
    const next = await enterIdentifier(s, 'fox@example.com');
    expect(next.headers.location).toBe(`/u/login/passkey?state=${enc(s.state)}`);
    const challenge = await s.browser.get(String(next.headers.location));
    const refused = await s.browser.post(String(next.headers.location), { state: s.state, action: 'default', passkey: assert(danas, optionsIn(challenge.body), ORIGIN) });
    expect(refused.statusCode).toBe(400);
    expect(decodeEntities(refused.body)).toContain('This passkey is not registered for this account.');
  });

  it('a passkey-enrollment answer for another challenge or origin stores nothing', async () => {
    const s = await startLogin(t.app);
    await enterIdentifier(s, 'dana@example.com');
    await s.browser.post(`/u/login/password?state=${enc(s.state)}`, { state: s.state, password: 'correct horse battery', action: 'default' });
    const path = `/u/passkey-enrollment?state=${enc(s.state)}`;
    const page = await s.browser.get(path);
    const options = optionsIn(page.body);
    const elsewhere = createCredential(options, 'http://evil.test');
    const refused = await s.browser.post(path, { state: s.state, action: 'default', passkey: elsewhere.response });
    expect(refused.statusCode).toBe(400);
    const stale = createCredential(options, ORIGIN);
    expect((await s.browser.post(path, { state: s.state, action: 'default', passkey: stale.response })).statusCode).toBe(400);
    expect(await t.app.deps.store.listPasskeys()).toEqual([]);
  });
});
