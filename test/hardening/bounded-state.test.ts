import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { tenantWith } from '../support/api.js';
import { defaultTenant } from '../../src/config/default-tenant.js';
import { createManualClock } from '../../src/clock.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { Browser } from '../support/browser.js';
import { CALLBACK, SPA, authorizeUrl, latestMessage, pkcePair } from '../support/flows.js';
import { callbackOf, postChallenge, reachChallenge, startLogin } from '../support/screens.js';

/**
 * What one caller can make the server hold is bounded: /authorize is rate limited per IP, its
 * parameters have a size bound, the live logins are capped (the oldest unauthenticated ones make
 * room), and the mock social provider's sign-ups count like any other.
 */
let t: TestApp;
afterEach(() => t.app.close());

const authorize = (ip: string, params: Record<string, string> = {}) =>
  t.app.inject({
    method: 'GET',
    remoteAddress: ip,
    headers: { accept: 'text/html' },
    url: authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', code_challenge: pkcePair().challenge, code_challenge_method: 'S256', state: 's', ...params }),
  });

describe('bounded state', () => {
  it('/authorize: a per-IP limit (rate_limits.authorize), over it a 429 error page and no new login', async () => {
    t = await buildTestApp({ tenant: { ...defaultTenant, rate_limits: { authorize: { max: 5, window_seconds: 60 } } } });
    for (let i = 0; i < 5; i++) expect((await authorize('10.3.0.1')).statusCode).toBe(302);
    const refused = await authorize('10.3.0.1');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.headers.location).toBeUndefined();
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect((await authorize('10.3.0.2')).statusCode).toBe(302);
  });

  it('/authorize: a 14 KB state (or any parameter over 2,048 characters) gets a 400 error page, no redirect and no login kept', async () => {
    t = await buildTestApp();
    const huge = await authorize('10.3.1.1', { state: 'x'.repeat(14_000) });
    expect(huge.statusCode).toBe(400);
    expect(huge.headers.location).toBeUndefined();
    expect(huge.body).toContain('Parameter state is longer than 2048 characters');
    for (const name of ['nonce', 'login_hint', 'ext-anything']) {
      const response = await authorize('10.3.1.1', { [name]: 'y'.repeat(2049) });
      expect(response.statusCode, name).toBe(400);
    }
    expect((await authorize('10.3.1.1', { state: 'z'.repeat(2048) })).statusCode).toBe(302);
  });

  it('live logins are capped: past the cap the oldest unauthenticated one makes room, and a login mid-way still finishes', async () => {
    const clock = createManualClock(Date.parse('2026-06-01T12:00:00Z'));
    t = await buildTestApp({ clock, store: createMemoryStore(clock, { maxTransactions: 3 }) });
    // One person logs in and enters their code: authenticated, about to resume.
    const person = await startLogin(t.app);
    const challenge = await reachChallenge(person, 'mid.login@example.com');
    const verified = await postChallenge(person, challenge, { code: (await latestMessage(t.app, 'mid.login@example.com')).code });
    expect(verified.statusCode, verified.body).toBe(302);
    // Another starts and walks away; then a flood.
    const idle = await startLogin(t.app);
    for (let i = 0; i < 5; i++) expect((await authorize('10.3.2.1')).statusCode).toBe(302);
    const gone = await idle.browser.get(`/u/login/identifier?state=${encodeURIComponent(idle.state)}`);
    expect(gone.statusCode).toBe(400);
    const callback = callbackOf(await person.browser.get(String(verified.headers.location)));
    expect(callback.searchParams.get('code')).toBeTruthy();
  });

  it('the mock social provider\'s sign-ups count against login_identifier, per IP and per address', async () => {
    t = await buildTestApp({
      tenant: {
        ...(tenantWith({ connections: [{ name: 'google-oauth2', strategy: 'google-oauth2' }] }) as Record<string, unknown>),
        rate_limits: { login_identifier: { max: 2, window_seconds: 3600 } },
      },
    });
    const users = async (): Promise<number> => (await t.app.inject('/_dev/api/snapshot')).json().users.length;
    const before = await users();
    const signUp = async (email: string) => {
      const s = await startLogin(t.app, { connection: 'google-oauth2' }, new Browser(t.app));
      return s.browser.post(s.location, { state: s.state, connection: 'google-oauth2', action: 'default', email, name: 'Mock' });
    };
    expect((await signUp('one@gmail.example')).statusCode).toBe(302);
    expect((await signUp('two@gmail.example')).statusCode).toBe(302);
    const third = await signUp('three@gmail.example');
    expect(third.statusCode).toBe(429);
    expect(third.body).toMatch(/role="alert"/);
    expect(await users()).toBe(before + 2);
  });
});
