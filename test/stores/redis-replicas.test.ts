import { untilPollWaits, waitingAt } from '../support/long-poll.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { MfaEnrolment } from '../../src/store/records.js';
import { mfaEnrolment } from './contract/fixtures.js';
import { openRedisStore } from '../../src/store/redis-store.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { HttpBrowser, httpLogin, jwksKid, SPA, startServer, type ServerProcess } from '../support/http-login.js';

/**
 * Two Understudy processes on two ports sharing one real redis-server, as behind a load balancer:
 * they sign with one key, a login started on A finishes on B, one code verified 50 times at once
 * across both succeeds exactly once, the dev clock, fixed codes, the mailbox and MFA enrolments are
 * shared, and Redis going away gives 503s (never a crash) until it is back.
 */
const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';
const dir = mkdtempSync(join(tmpdir(), 'understudy-replicas-'));
let redis: RedisServer;
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  redis = await startRedisServer();
  const env = (name: string): Record<string, string> => ({
    UNDERSTUDY_STORE: redis.url,
    // Each replica its own data folder (so each generates its own keys): the first to start publishes.
    UNDERSTUDY_DATA_DIR: join(dir, name),
    ISSUER_BASE_URL: 'http://understudy.test/',
  });
  a = await startServer(env('a'));
  b = await startServer(env('b'));
}, 300_000);

afterAll(async () => {
  for (const server of [a, b]) server?.child.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const form = (base: string, path: string, body: Record<string, string>): Promise<Response> =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
const json = (base: string, path: string, body: unknown, method = 'POST'): Promise<Response> =>
  fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function sendCode(base: string, email: string): Promise<void> {
  const response = await json(base, '/passwordless/start', { client_id: SPA, connection: 'email', send: 'code', email });
  expect(response.status, await response.clone().text()).toBe(200);
}

async function latestCode(base: string, email: string): Promise<string> {
  const response = await fetch(`${base}/_dev/api/messages/latest?${new URLSearchParams({ to: email, wait: '5000' })}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { code: string }).code;
}

describe('Redis store: two replicas sharing one Redis', () => {
  it('both replicas sign with the key the first one published', async () => {
    expect(await jwksKid(a.base)).toBe(await jwksKid(b.base));
  });

  it('a login started on A (authorize, identifier) completes on B (challenge, resume, token), and B’s refresh token works on A', async () => {
    const browser = new HttpBrowser();
    const login = await httpLogin('cross@example.com', [a.base, a.base, b.base, b.base, b.base, b.base], { browser });
    expect(login.sub).toMatch(/^email\|[0-9a-f]{24}$/);
    const refreshed = await form(a.base, '/oauth/token', { grant_type: 'refresh_token', client_id: SPA, refresh_token: login.refreshToken! });
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);
    // The SSO session made on B is honoured on A: a second /authorize there goes straight back with a code.
    const query = new URLSearchParams({ client_id: SPA, redirect_uri: 'http://localhost:3000/callback', response_type: 'code', scope: 'openid', state: 's2' });
    const sso = await browser.request(a.base, `/authorize?${query}`);
    expect(sso.status).toBe(302);
    expect(new URL(sso.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  }, 30_000);

  it('of 50 concurrent verifications of one code across both replicas, exactly one succeeds', async () => {
    const email = 'race@example.com';
    await sendCode(a.base, email);
    const otp = await latestCode(b.base, email);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        form(i % 2 ? a.base : b.base, '/oauth/token', { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: email, otp, scope: 'openid' }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 403)).toHaveLength(49);
  }, 30_000);

  it('the mailbox is live on every replica: a long poll on B hears a message sent through A', async () => {
    const email = 'live@example.com';
    const started = Date.now();
    const poll = fetch(`${b.base}/_dev/api/messages/latest?${new URLSearchParams({ to: email, wait: '10000' })}`);
    await untilPollWaits(waitingAt(b.base));
    await sendCode(a.base, email);
    const response = await poll;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { to: string }).to).toBe(email);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('shares the dev clock, fixed codes and delivery faults', async () => {
    expect((await json(a.base, '/_dev/api/clock', { advance_seconds: 3600 })).status).toBe(200);
    const clockOnB = (await (await fetch(`${b.base}/_dev/api/clock`)).json()) as { offset_seconds: number };
    expect(clockOnB.offset_seconds).toBe(3600);
    expect((await fetch(`${b.base}/_dev/api/clock`, { method: 'DELETE' })).status).toBe(200);
    expect(((await (await fetch(`${a.base}/_dev/api/clock`)).json()) as { offset_seconds: number }).offset_seconds).toBe(0);

    expect((await json(a.base, '/_dev/api/fixed-codes', { match: '*@fixed.test', code: '424242' })).status).toBe(201);
    await sendCode(b.base, 'someone@fixed.test');
    expect(await latestCode(a.base, 'someone@fixed.test')).toBe('424242');

    expect((await json(b.base, '/_dev/api/faults', { to: 'broken@example.com', kind: 'fail', times: 2 })).status).toBe(201);
    const failures = await Promise.all([a.base, b.base, a.base].map((base) => json(base, '/passwordless/start', { client_id: SPA, connection: 'email', send: 'code', email: 'broken@example.com' })));
    // Two sends fail (the fault counted down across replicas); the third goes through.
    expect(failures.map((r) => r.status).sort()).toEqual([200, 400, 400]);
    expect((await fetch(`${a.base}/_dev/api/reset`, { method: 'POST' })).status).toBe(204);
    expect(((await (await fetch(`${b.base}/_dev/api/fixed-codes`)).json()) as { fixed_codes: unknown[] }).fixed_codes).toEqual([]);
  }, 30_000);

  it('shares MFA enrolments and remembered-browser revocations between two stores on one Redis', async () => {
    const userId = 'auth0|dddddddddddddddddddddddd';
    const enrolment = (overrides: Partial<MfaEnrolment> = {}): MfaEnrolment => mfaEnrolment({ id: 'totp|dev_REPLICAREPLICA01', userId, ...overrides });
    // Two stores as two replicas open them: the same Redis, the same prefix.
    const [one, two] = await Promise.all([1, 2].map(() => openRedisStore(redis.url, systemClock, { prefix: 'replicas-mfa:' })));
    try {
      expect(await one!.saveEnrolment(enrolment())).toBe(true);
      expect(await two!.saveEnrolment(enrolment({ factor: 'sms' }))).toBe(false);
      expect(await two!.listEnrolments(userId)).toStrictEqual([enrolment()]);
      const confirmed = enrolment({ confirmed: true, lastAuthAt: '2026-03-01T10:05:00.000Z' });
      expect(await two!.updateEnrolment(confirmed)).toBe(true);
      expect(await one!.findEnrolment(confirmed.id)).toStrictEqual(confirmed);
      await one!.revokeRememberedBrowsers(userId, 1_772_359_200_000);
      expect(await two!.rememberedBrowsersRevokedAt(userId)).toBe(1_772_359_200_000);
      expect(await two!.deleteEnrolment(confirmed.id)).toBe(true);
      expect(await one!.deleteEnrolment(confirmed.id)).toBe(false);
      expect(await one!.listEnrolments()).toEqual([]);
    } finally {
      await one?.reset();
      await Promise.all([one?.close(), two?.close()]);
    }
  });

  it('answers 503 temporarily_unavailable while Redis is down (never crashing), and serves again once it is back', async () => {
    const m2m = await form(a.base, '/oauth/token', {
      grant_type: 'client_credentials',
      client_id: 'understudy-m2m',
      client_secret: 'understudy-m2m-secret',
      audience: 'http://understudy.test/api/v2/',
    });
    expect(m2m.status, await m2m.clone().text()).toBe(200);
    const managementToken = ((await m2m.json()) as { access_token: string }).access_token;

    await redis.stop();
    for (const server of [a, b]) {
      const start = await json(server.base, '/passwordless/start', { client_id: SPA, connection: 'email', send: 'code', email: 'outage@example.com' });
      expect(start.status).toBe(503);
      expect(await start.json()).toMatchObject({ error: 'temporarily_unavailable' });
      expect((await fetch(`${server.base}/authorize?client_id=${SPA}&redirect_uri=http://localhost:3000/callback&response_type=code`)).status).toBe(503);
      expect((await fetch(`${server.base}/_dev/api/messages/latest?to=outage@example.com&wait=500`)).status).toBe(503);
      const users = await fetch(`${server.base}/api/v2/users`, { headers: { authorization: `Bearer ${managementToken}` } });
      expect(users.status).toBe(503);
      expect(await users.json()).toMatchObject({ statusCode: 503, errorCode: 'temporarily_unavailable' });
      expect((await fetch(`${server.base}/readyz`)).status).toBe(503);
      expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    }
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();

    await redis.start();
    for (const server of [a, b]) {
      const deadline = Date.now() + 15_000;
      while ((await fetch(`${server.base}/readyz`)).status !== 200) {
        if (Date.now() > deadline) throw new Error(`${server.base} did not recover:\n${server.output().slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    // The same keys still sign on both, and a login crosses replicas again (pub/sub resubscribed too).
    const kid = await jwksKid(a.base);
    expect(await jwksKid(b.base)).toBe(kid);
    const login = await httpLogin('after-outage@example.com', [b.base, b.base, a.base, a.base, a.base, b.base]);
    expect(login.sub).toMatch(/^email\|/);
    const poll = fetch(`${a.base}/_dev/api/messages/latest?${new URLSearchParams({ to: 'live-again@example.com', wait: '10000' })}`);
    await untilPollWaits(waitingAt(a.base));
    await sendCode(b.base, 'live-again@example.com');
    expect((await poll).status).toBe(200);

    // Redis came back empty (no persistence here): the replicas offered their keys again, so a third
    // replica started now, with a data folder of its own, still signs with the same key.
    const c = await startServer({ UNDERSTUDY_STORE: redis.url, UNDERSTUDY_DATA_DIR: join(dir, 'c'), ISSUER_BASE_URL: 'http://understudy.test/' });
    try {
      expect(await jwksKid(c.base)).toBe(kid);
    } finally {
      await c.stop();
    }
  }, 90_000);
});
