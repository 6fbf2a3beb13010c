import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildTestApp } from '../support/app.js';
import { tenantWith } from '../support/api.js';
import { defaultTenant } from '../../src/config/default-tenant.js';
import { Browser, alertText } from '../support/browser.js';
import { SPA, latestMessage, passwordlessLogin, exchangeCode } from '../support/flows.js';
import { enterIdentifier, postChallenge, reachChallenge, startLogin } from '../support/screens.js';
import { DEFAULT_RATE_LIMITS } from '../../src/config/rate-limit-settings.js';

/**
 * Rate limits with Auth0's public-tier figures (src/config/rate-limit-settings.ts): 429
 * `too_many_requests` in Auth0's error shape with X-RateLimit-Limit/-Remaining/-Reset, per IP and
 * per recipient where Auth0 counts so, tunable per tenant and off for load tests. The client's IP is
 * the socket's unless a trusted proxy is configured, so X-Forwarded-For cannot dodge a limit.
 */
const start = (app: FastifyInstance, email: string, ip = '127.0.0.1', headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
  app.inject({
    method: 'POST',
    url: '/passwordless/start',
    remoteAddress: ip,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify({ client_id: SPA, connection: 'email', email, send: 'code' }),
  });

function expectTooMany(response: LightMyRequestResponse, limit: number): void {
  expect(response.statusCode, response.body).toBe(429);
  expect(response.json()).toEqual({ error: 'too_many_requests', error_description: expect.stringContaining('Too many requests') });
  expect(response.headers['x-ratelimit-limit']).toBe(String(limit));
  expect(response.headers['x-ratelimit-remaining']).toBe('0');
  const reset = Number(response.headers['x-ratelimit-reset']);
  // Auth0's X-RateLimit-Reset is a UTC epoch second.
  expect(reset).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
  expect(reset).toBeLessThan(Date.now() / 1000 + 3700);
}

const withLimits = (rate_limits: unknown): unknown => ({ ...defaultTenant, rate_limits });

describe('defaults: Auth0 public tier', () => {
  it('are 50/hour for /passwordless/start and login-id, 30/second for /oauth/token, 10 per 2 minutes for /userinfo, 500/minute for /authorize', () => {
    expect(DEFAULT_RATE_LIMITS).toEqual({
      passwordlessStart: { max: 50, windowSeconds: 3600 },
      loginIdentifier: { max: 50, windowSeconds: 3600 },
      oauthToken: { max: 30, windowSeconds: 1 },
      userinfo: { max: 10, windowSeconds: 120 },
      authorize: { max: 500, windowSeconds: 60 },
    });
  });

  it('/passwordless/start: 50 an hour from one IP, then 429 in Auth0 shape with X-RateLimit headers', async () => {
    const { app } = await buildTestApp();
    for (let i = 0; i < 50; i++) {
      const ok = await start(app, `user${i}@example.com`);
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.headers['x-ratelimit-limit']).toBe('50');
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(49 - i));
    }
    expectTooMany(await start(app, 'one-more@example.com'), 50);
    // Another address is not affected.
    expect((await start(app, 'other@example.com', '10.1.1.1')).statusCode).toBe(200);
    await app.close();
  });

  it('/passwordless/start: 50 an hour for one recipient, from however many IPs', async () => {
    const { app } = await buildTestApp();
    for (let i = 0; i < 50; i++) expect((await start(app, 'target@example.com', `10.0.${i >> 8}.${i & 255}`)).statusCode).toBe(200);
    // The same address spelt differently counts as the same recipient.
    expectTooMany(await start(app, ' Target@Example.com ', '10.9.9.9'), 50);
    await app.close();
  });

  it('/passwordless/start over SMS: keyed by the E.164 number sent to, so a decoy email or another spelling does not reset the count', async () => {
    const { app } = await buildTestApp({ tenant: withLimits({ passwordless_start: { max: 3, window_seconds: 3600 } }) });
    const sms = (phone_number: string, ip: string, extra: Record<string, unknown> = {}) =>
      app.inject({ method: 'POST', url: '/passwordless/start', remoteAddress: ip, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ client_id: SPA, connection: 'sms', phone_number, send: 'code', ...extra }) });
    const sent = async (): Promise<number> => (await app.inject('/_dev/api/messages?to=%2B15557654321')).json().messages.length;
    for (let i = 0; i < 3; i++) expect((await sms('+15557654321', `10.2.0.${i}`, { email: `decoy${i}@example.com` })).statusCode).toBe(200);
    // Decoy emails, and the same number written +1 1 555…: one recipient, over its limit.
    expectTooMany(await sms('+15557654321', '10.2.1.1', { email: 'decoy-next@example.com' }), 3);
    expectTooMany(await sms('+115557654321', '10.2.1.2'), 3);
    expect(await sent()).toBe(3);
    // Another number is its own recipient.
    expect((await sms('+15557654322', '10.2.1.3')).statusCode).toBe(200);
    await app.close();
  });

  it('/oauth/token counts anonymous junk per IP, after client authentication fails: one sender cannot lock every client out', async () => {
    const { app } = await buildTestApp();
    const junk = (ip: string, body: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/oauth/token', remoteAddress: ip, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(body).toString() });
    for (let i = 0; i < 30; i++) expect((await junk('10.5.0.1', { grant_type: 'nope' })).statusCode).toBe(400);
    // The junk sender is now over its own limit, whatever it sends (a wrong secret, no grant_type)…
    expectTooMany(await junk('10.5.0.1', { grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: 'wrong' }), 30);
    expectTooMany(await junk('10.5.0.1', {}), 30);
    // …while a real client, from anywhere else, still gets its token.
    const ok = await junk('10.5.0.2', { grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: 'understudy-m2m-secret', audience: 'http://understudy.test/api/v2/' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.headers['x-ratelimit-limit']).toBe('30');
    await app.close();
  });

  it('/oauth/token holds secret guessing to the per-IP limit: over it, even the right secret gets 429, so a 429 tells nothing', async () => {
    const { app } = await buildTestApp({ tenant: withLimits({ oauth_token: { max: 3, window_seconds: 60 } }) });
    const guess = (secret: string) =>
      app.inject({ method: 'POST', url: '/oauth/token', remoteAddress: '10.5.1.1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: secret, audience: 'http://understudy.test/api/v2/' }).toString() });
    for (let i = 0; i < 3; i++) expect((await guess(`wrong-${i}`)).statusCode).toBe(401);
    expectTooMany(await guess('wrong-again'), 3);
    expectTooMany(await guess('understudy-m2m-secret'), 3);
    await app.close();
  });

  it('/oauth/token announces Auth0\'s tenant-wide 30 per second', async () => {
    const { app } = await buildTestApp();
    const response = await exchangeCode(app, { client_id: SPA, code: 'nope', code_verifier: 'x' });
    expect(response.statusCode).toBe(403);
    expect(response.headers['x-ratelimit-limit']).toBe('30');
    await app.close();
  });
});

describe('the client IP', () => {
  it('ignores X-Forwarded-For by default, so rotating it does not dodge the per-IP limit', async () => {
    const { app } = await buildTestApp({ tenant: withLimits({ passwordless_start: { max: 3, window_seconds: 3600 } }) });
    for (let i = 0; i < 3; i++) expect((await start(app, `u${i}@example.com`, '127.0.0.1', { 'x-forwarded-for': `203.0.113.${i}` })).statusCode).toBe(200);
    expectTooMany(await start(app, 'u9@example.com', '127.0.0.1', { 'x-forwarded-for': '203.0.113.99' }), 3);
    await app.close();
  });

  it('believes X-Forwarded-For from a trusted proxy (UNDERSTUDY_TRUST_PROXY)', async () => {
    const { app } = await buildTestApp({ tenant: withLimits({ passwordless_start: { max: 3, window_seconds: 3600 } }), app: { trustProxy: '127.0.0.1' } });
    for (let i = 0; i < 6; i++) expect((await start(app, `u${i}@example.com`, '127.0.0.1', { 'x-forwarded-for': `203.0.113.${i}` })).statusCode).toBe(200);
    // From an untrusted peer the header is still ignored.
    for (let i = 0; i < 3; i++) await start(app, `v${i}@example.com`, '198.51.100.7', { 'x-forwarded-for': `203.0.113.${50 + i}` });
    expectTooMany(await start(app, 'v9@example.com', '198.51.100.7', { 'x-forwarded-for': '203.0.113.99' }), 3);
    await app.close();
  });
});

describe('tenant settings and the off switch', () => {
  it('rate_limits tunes a limit', async () => {
    const { app } = await buildTestApp({ tenant: withLimits({ oauth_token: { max: 2, window_seconds: 60 } }) });
    for (let i = 0; i < 2; i++) expect((await exchangeCode(app, { client_id: SPA, code: 'nope' })).statusCode).toBe(403);
    expectTooMany(await exchangeCode(app, { client_id: SPA, code: 'nope' }), 2);
    await app.close();
  });

  it('tells the operator once per window which limit tripped and how to tune it', async () => {
    const lines: { level: number; msg: string; limit?: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const { app } = await buildTestApp({ tenant: withLimits({ oauth_token: { max: 1, window_seconds: 60 } }), app: { logger } });
    for (let i = 0; i < 4; i++) await exchangeCode(app, { client_id: SPA, code: 'nope' });
    const warnings = lines.filter((l) => l.level === 40 && l.limit === 'oauthToken');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain('rate_limits');
    await app.close();
  });

  it('rate_limits: false and UNDERSTUDY_RATE_LIMITS=off (rateLimits: false) turn every limit off', async () => {
    for (const { app } of [
      await buildTestApp({ tenant: withLimits(false) }),
      await buildTestApp({ tenant: withLimits({ passwordless_start: { max: 1, window_seconds: 60 } }), app: { rateLimits: false } }),
    ]) {
      for (let i = 0; i < 60; i++) {
        const response = await start(app, 'same@example.com');
        expect(response.statusCode).toBe(200);
        expect(response.headers['x-ratelimit-limit']).toBeUndefined();
      }
      await app.close();
    }
  });

  it('the dev API\'s reset forgets every count, so tests that reset between them start afresh', async () => {
    const { app } = await buildTestApp({ tenant: withLimits({ passwordless_start: { max: 2, window_seconds: 3600 } }) });
    for (let i = 0; i < 2; i++) await start(app, 'same@example.com');
    expect((await start(app, 'same@example.com')).statusCode).toBe(429);
    expect((await app.inject({ method: 'POST', url: '/_dev/api/reset' })).statusCode).toBe(204);
    expect((await start(app, 'same@example.com')).statusCode).toBe(200);
    await app.close();
  });

  it('one limit can be switched off alone', async () => {
    const { app } = await buildTestApp({ tenant: withLimits({ passwordless_start: false, oauth_token: { max: 1, window_seconds: 60 } }) });
    for (let i = 0; i < 55; i++) expect((await start(app, 'same@example.com')).statusCode).toBe(200);
    await exchangeCode(app, { client_id: SPA, code: 'nope' });
    expect((await exchangeCode(app, { client_id: SPA, code: 'nope' })).statusCode).toBe(429);
    await app.close();
  });
});

describe('/userinfo per user', () => {
  it('counts each user apart, and an unverifiable token per IP', async () => {
    const { app } = await buildTestApp({ tenant: withLimits({ userinfo: { max: 2, window_seconds: 60 } }) });
    const tokenOf = async (email: string): Promise<string> => {
      const { callback, verifier } = await passwordlessLogin(app, { identifier: email });
      const response = await exchangeCode(app, { client_id: SPA, code: callback.searchParams.get('code')!, code_verifier: verifier });
      return response.json().access_token as string;
    };
    const userinfo = (token: string, ip = '127.0.0.1') => app.inject({ method: 'GET', url: '/userinfo', remoteAddress: ip, headers: { authorization: `Bearer ${token}` } });
    const alice = await tokenOf('alice@example.com');
    const bob = await tokenOf('bob@example.com');
    expect((await userinfo(alice)).statusCode).toBe(200);
    expect((await userinfo(alice, '10.0.0.2')).statusCode).toBe(200);
    expectTooMany(await userinfo(alice, '10.0.0.3'), 2);
    expect((await userinfo(bob)).statusCode).toBe(200);
    expect((await userinfo('garbage', '10.0.0.9')).statusCode).toBe(401);
    expect((await userinfo('garbage', '10.0.0.9')).statusCode).toBe(401);
    expectTooMany(await userinfo('garbage', '10.0.0.9'), 2);
    await app.close();
  });
});

describe('Universal Login', () => {
  const tenant = withLimits({ login_identifier: { max: 2, window_seconds: 3600 } });

  it('the login-id POST: over the limit the screen comes back with an alert and a 429, and no code is sent', async () => {
    const { app } = await buildTestApp({ tenant });
    for (const email of ['a@example.com', 'b@example.com']) expect((await enterIdentifier(await startLogin(app), email)).statusCode).toBe(302);
    const s = await startLogin(app);
    const page = await enterIdentifier(s, 'c@example.com');
    expect(page.statusCode).toBe(429);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['x-ratelimit-limit']).toBe('2');
    expect(alertText(page.body) ?? page.body).toContain('Too many requests');
    expect((await app.inject('/_dev/api/messages?to=c@example.com')).json().messages).toEqual([]);
    await app.close();
  });

  it('counts per recipient across IPs, and Resend counts too', async () => {
    const { app } = await buildTestApp({ tenant });
    // A browser whose requests come from `ip` (Browser only calls app.inject).
    const browserAt = (ip: string): Browser =>
      new Browser({ inject: (opts: object) => app.inject({ ...opts, remoteAddress: ip }) } as unknown as FastifyInstance);
    const s = await startLogin(app, {}, browserAt('10.0.0.1'));
    const challenge = await reachChallenge(s, 'victim@example.com');
    expect((await postChallenge(s, challenge, { action: 'resend' })).statusCode).toBe(200);
    const resent = await postChallenge(s, challenge, { action: 'resend' });
    expect(resent.statusCode).toBe(429);
    expect(alertText(resent.body)).toContain('Too many requests');
    const other = await startLogin(app, {}, browserAt('10.0.0.2'));
    expect((await enterIdentifier(other, 'victim@example.com')).statusCode).toBe(429);
    expect((await latestMessage(app, 'victim@example.com')).code).toBeTruthy();
    expect((await app.inject('/_dev/api/messages?to=victim@example.com')).json().messages).toHaveLength(2);
    // Another address from another IP is not held back by the victim's count.
    const third = await startLogin(app, {}, browserAt('10.0.0.3'));
    expect((await enterIdentifier(third, 'someone@example.com')).statusCode).toBe(302);
    await app.close();
  });

  it('social buttons are not counted', async () => {
    const { app } = await buildTestApp({ tenant: { ...(tenantWith({ connections: [{ name: 'email', strategy: 'email' }, { name: 'google-oauth2', strategy: 'google-oauth2' }] }) as object), rate_limits: { login_identifier: { max: 1, window_seconds: 3600 } } } });
    for (let i = 0; i < 3; i++) {
      const s = await startLogin(app);
      const response = await s.browser.post(`/u/login/identifier?state=${encodeURIComponent(s.state)}`, { state: s.state, connection: 'google-oauth2', action: 'default' });
      expect(response.statusCode).toBe(302);
    }
    await app.close();
  });
});

describe('the tenant file', () => {
  it('names each bad rate_limits value', async () => {
    const { buildTenant } = await import('../../src/config/tenant-file.js');
    const problems = (raw: unknown): string[] => {
      try {
        buildTenant(withLimits(raw), 't', 's');
        return [];
      } catch (err) {
        return (err as { problems: string[] }).problems;
      }
    };
    expect(problems({ oauth_token: { max: 0, window_seconds: 1 } })).toEqual([expect.stringMatching(/^rate_limits\.oauth_token\.max: /)]);
    expect(problems({ userinfo: { max: 5 } })).toEqual([expect.stringMatching(/^rate_limits\.userinfo\.window_seconds: /)]);
    expect(problems({ userinfo: 'lots' })).toEqual([expect.stringMatching(/^rate_limits\.userinfo: /)]);
    expect(problems([1])).toEqual([expect.stringMatching(/^rate_limits: /)]);
    const loaded = buildTenant(withLimits({ passwordless_start: { max: 5, window_seconds: 60 }, bogus: 1 }), 't', 's');
    expect(loaded.ignoredKeys).toContain('rate_limits.bogus');
    expect(loaded.tenant.rateLimits).toEqual({ ...DEFAULT_RATE_LIMITS, passwordlessStart: { max: 5, windowSeconds: 60 } });
  });
});
