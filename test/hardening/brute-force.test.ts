import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA } from '../support/flows.js';
import { Browser, alertText } from '../support/browser.js';
import { enterIdentifier, startLogin, type Started } from '../support/screens.js';
import { token } from '../support/api.js';

/**
 * Auth0's brute-force protection on the password screen: 10 wrong passwords for one identifier from
 * one address block that identifier from that address (the right password included), as
 * `user-blocked` on the screen; other addresses are not blocked; the Management API's user-blocks
 * endpoints list and lift blocks, a new password lifts them, and so does the dev reset.
 */
const DB = 'Username-Password-Authentication';
const PASSWORD = 'correct horse battery';
const USER_ID = 'auth0|dana-1';
const tenant = {
  clients: [
    { name: 'Demo App', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK] },
    { name: 'Admin', client_id: 'admin', client_secret: 'admin-secret', app_type: 'non_interactive' },
  ],
  connections: [{ name: DB, strategy: 'auth0' }],
  clientGrants: [{ client_id: 'admin', audience: 'https://example.auth0.com/api/v2/', scope: ['read:users', 'update:users'] }],
  users: [{ connection: DB, email: 'dana@example.com', user_id: USER_ID, password: PASSWORD }],
};
const BLOCKED = 'Your account has been blocked after multiple consecutive login attempts.';
const enc = encodeURIComponent;

describe('brute-force protection on the password screen', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  async function passwordScreen(ip: string): Promise<Started> {
    const s = await startLogin(t.app, {}, new Browser(t.app, undefined, ip));
    expect((await enterIdentifier(s, 'dana@example.com')).headers.location).toBe(`/u/login/password?state=${enc(s.state)}`);
    return s;
  }
  const tryPassword = (s: Started, password: string) => s.browser.post(`/u/login/password?state=${enc(s.state)}`, { state: s.state, password, action: 'default' });
  async function admin(method: 'GET' | 'DELETE' | 'PATCH', url: string, body?: unknown) {
    const bearer = (await token(t.app, { grant_type: 'client_credentials', client_id: 'admin', client_secret: 'admin-secret', audience: `${t.issuer}api/v2/` })).json().access_token;
    return t.app.inject({ method, url, headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });
  }

  async function block(ip: string): Promise<Started> {
    const s = await passwordScreen(ip);
    for (let i = 1; i <= 10; i++) {
      const wrong = await tryPassword(s, `guess-${i}`);
      expect(wrong.statusCode, `attempt ${i}`).toBe(400);
      expect(alertText(wrong.body)).toBe('Wrong email or password');
    }
    return s;
  }

  it('the 11th attempt from that address is blocked, the right password included; another address still logs in', async () => {
    t = await buildTestApp({ tenant });
    const s = await block('10.4.0.1');
    const refused = await tryPassword(s, PASSWORD);
    expect(refused.statusCode).toBe(429);
    expect(alertText(refused.body)).toBe(BLOCKED);
    expect(refused.headers.location).toBeUndefined();
    const elsewhere = await passwordScreen('10.4.0.2');
    expect((await tryPassword(elsewhere, PASSWORD)).headers.location).toBe(`/authorize/resume?state=${enc(elsewhere.state)}`);
    // A fresh login from the blocked address is blocked too.
    expect((await tryPassword(await passwordScreen('10.4.0.1'), PASSWORD)).statusCode).toBe(429);
  });

  it('a connection with options.brute_force_protection: false never blocks', async () => {
    t = await buildTestApp({ tenant: { ...tenant, connections: [{ name: DB, strategy: 'auth0', options: { brute_force_protection: false } }] } });
    const s = await passwordScreen('10.4.5.1');
    for (let i = 0; i < 12; i++) expect((await tryPassword(s, 'nope')).statusCode).toBe(400);
    expect((await tryPassword(s, PASSWORD)).statusCode).toBe(302);
  });

  it('a correct password before the tenth wrong one starts the count again', async () => {
    t = await buildTestApp({ tenant });
    for (let round = 0; round < 2; round++) {
      const s = await passwordScreen('10.4.1.1');
      for (let i = 0; i < 9; i++) expect((await tryPassword(s, 'nope')).statusCode).toBe(400);
      expect((await tryPassword(s, PASSWORD)).statusCode).toBe(302);
    }
  });

  it('the Management API lists the block (GET /api/v2/user-blocks/{id} and ?identifier=) and lifts it (DELETE)', async () => {
    t = await buildTestApp({ tenant });
    await block('10.4.2.1');
    const listed = await admin('GET', `/api/v2/user-blocks/${enc(USER_ID)}`);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json()).toEqual({ blocked_for: [{ identifier: 'dana@example.com', ip: '10.4.2.1', connection: DB }] });
    expect((await admin('GET', '/api/v2/user-blocks?identifier=dana@example.com')).json()).toEqual(listed.json());
    expect((await admin('DELETE', `/api/v2/user-blocks/${enc(USER_ID)}`)).statusCode).toBe(204);
    expect((await admin('GET', `/api/v2/user-blocks/${enc(USER_ID)}`)).json()).toEqual({ blocked_for: [] });
    expect((await tryPassword(await passwordScreen('10.4.2.1'), PASSWORD)).statusCode).toBe(302);

    await block('10.4.2.1');
    expect((await admin('DELETE', '/api/v2/user-blocks?identifier=dana@example.com')).statusCode).toBe(204);
    expect((await tryPassword(await passwordScreen('10.4.2.1'), PASSWORD)).statusCode).toBe(302);
    expect((await admin('DELETE', '/api/v2/user-blocks')).json()).toMatchObject({ statusCode: 400, errorCode: 'invalid_body' });
  });

  it('a new password lifts the block, and so does the dev reset', async () => {
    t = await buildTestApp({ tenant });
    await block('10.4.3.1');
    expect((await admin('PATCH', `/api/v2/users/${enc(USER_ID)}`, { password: 'a brand new passphrase' })).statusCode).toBe(200);
    expect((await tryPassword(await passwordScreen('10.4.3.1'), 'a brand new passphrase')).statusCode).toBe(302);

    await block('10.4.3.1');
    expect((await t.app.inject({ method: 'POST', url: '/_dev/api/reset' })).statusCode).toBe(204);
    expect((await tryPassword(await passwordScreen('10.4.3.1'), PASSWORD)).statusCode).toBe(302);
  });
});

describe('brute-force blocks and the bounded count', () => {
  it('a flood of wrong passwords for other identifiers does not lift an existing block', async () => {
    const { createBruteForceGuard, BRUTE_FORCE_THRESHOLD } = await import('../../src/users/brute-force.js');
    const { createManualClock } = await import('../../src/clock.js');
    const guard = createBruteForceGuard(createManualClock(Date.parse('2026-06-01T12:00:00Z')));
    for (let i = 0; i < BRUTE_FORCE_THRESHOLD; i++) guard.recordFailure('db', 'victim@example.com', '10.9.0.1');
    expect(guard.isBlocked('db', 'victim@example.com', '10.9.0.1')).toBe(true);
    // More other identifiers than the guard remembers.
    for (let i = 0; i < 12_000; i++) guard.recordFailure('db', `other-${i}@example.com`, `10.8.${i >> 8}.${i & 255}`);
    expect(guard.isBlocked('db', 'victim@example.com', '10.9.0.1')).toBe(true);
  });
});
