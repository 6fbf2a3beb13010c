import { untilPollWaits } from '../support/long-poll.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createManualClock, createShiftableClock } from '../../src/clock.js';
import { buildTenant } from '../../src/config/tenant-file.js';
import { defaultTenant } from '../../src/config/default-tenant.js';
import type { Store } from '../../src/store/types.js';
import { openStore } from '../../src/store/open-store.js';
import type { StoreSetting } from '../../src/config/runtime.js';
import { testKeys, TEST_ISSUER } from '../support/app.js';
import { Browser } from '../support/browser.js';
import { SPA, authorizeUrl, exchangeCode, latestMessage, passwordlessLogin, pkcePair } from '../support/flows.js';
import { OTP_GRANT, post, token } from '../support/api.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

/**
 * No difference visible to clients: the same flows through HTTP on each store, built as src/server.ts
 * builds it (the store on the app's own shiftable clock, so the dev clock expires what the store holds).
 */
const dir = mkdtempSync(join(tmpdir(), 'understudy-stores-http-'));
let redis: RedisServer;
let n = 0;
// Room for installing redis-server from Debian on a machine without it (apt-get, once).
beforeAll(async () => {
  redis = await startRedisServer();
}, 240_000);
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const settings: [string, () => StoreSetting][] = [
  ['memory', () => ({ kind: 'memory' })],
  ['sqlite', () => ({ kind: 'sqlite', path: join(dir, `http-${++n}.db`) })],
  ['redis', () => ({ kind: 'redis', url: redis.url.replace(/\/0$/, `/${++n % 16}`) })],
];

describe.each(settings)('through HTTP on the %s store', (_name, setting) => {
  let app: FastifyInstance;
  let store: Store;
  afterEach(async () => app?.close());

  async function build(): Promise<FastifyInstance> {
    const clock = createShiftableClock(createManualClock(Date.parse('2026-06-01T12:00:00Z')));
    store = await openStore(setting(), clock);
    await store.reset();
    if (store.shared) {
      await store.shared.setClockOffset(0);
      await store.shared.resetFixedCodeRules(false);
      await store.shared.resetFaults();
    }
    // The SPA rotates its refresh tokens and they expire, so rotation, reuse and TTLs are all exercised.
    const file = {
      ...defaultTenant,
      clients: defaultTenant.clients!.map((c) =>
        c.client_id === SPA ? { ...c, refresh_token: { rotation_type: 'rotating' as const, expiration_type: 'expiring' as const, leeway: 10 } } : c,
      ),
    };
    const { tenant } = buildTenant(file, 'test tenant', 'test-secret-seed');
    app = await buildApp({ issuer: TEST_ISSUER, tenant, keys: await testKeys(), clock, store });
    return app;
  }

  const dev = (path: string, body: unknown) =>
    app.inject({ method: 'POST', url: `/_dev/api/${path}`, payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  it('a screens login, the code exchange, refresh rotation and reuse detection', async () => {
    await build();
    const { callback, verifier } = await passwordlessLogin(app, { identifier: 'parity@example.com', params: { scope: 'openid email offline_access' } });
    const tokens = await exchangeCode(app, { client_id: SPA, code: callback.searchParams.get('code')!, code_verifier: verifier });
    expect(tokens.statusCode, tokens.body).toBe(200);
    const first = tokens.json().refresh_token as string;
    expect(decodeJwt(tokens.json().id_token).sub).toMatch(/^email\|/);
    const rotated = await token(app, { grant_type: 'refresh_token', client_id: SPA, refresh_token: first });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const second = rotated.json().refresh_token as string;
    expect(second).not.toBe(first);
    // Reusing the rotated token (past the leeway) is taken as theft: the whole family goes.
    expect((await dev('clock', { advance_seconds: 120 })).statusCode).toBe(200);
    expect((await token(app, { grant_type: 'refresh_token', client_id: SPA, refresh_token: first })).statusCode).toBe(403);
    expect((await token(app, { grant_type: 'refresh_token', client_id: SPA, refresh_token: second })).statusCode).toBe(403);
    // The code is single use (and a second redemption would revoke the family too: RFC 6749 §4.1.2).
    const again = await exchangeCode(app, { client_id: SPA, code: callback.searchParams.get('code')!, code_verifier: verifier });
    expect(again.statusCode).toBe(403);
  });

  it('the dev clock expires codes and sessions the store holds', async () => {
    await build();
    const browser = new Browser(app);
    await passwordlessLogin(app, { identifier: 'clock@example.com', browser });
    // Within the session: /authorize goes straight back with a code.
    const { challenge } = pkcePair();
    const url = authorizeUrl({ client_id: SPA, redirect_uri: 'http://localhost:3000/callback', response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' });
    expect(String((await browser.get(url)).headers.location)).toMatch(/^http:\/\/localhost:3000\/callback\?code=/);

    const sent = await post(app, '/passwordless/start', { client_id: SPA, connection: 'email', send: 'code', email: 'late@example.com' });
    expect(sent.statusCode).toBe(200);
    const { code } = await latestMessage(app, 'late@example.com');

    expect((await dev('clock', { advance_seconds: 4 * 24 * 3600 })).statusCode).toBe(200);
    const late = await token(app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: 'late@example.com', otp: code, scope: 'openid' });
    expect(late.json()).toEqual({ error: 'invalid_grant', error_description: 'The verification code has expired. Please try to login again.' });
    // The session ended with the clock: /authorize asks for a login again.
    expect(String((await browser.get(url)).headers.location)).toMatch(/^\/u\/login\/identifier\?state=/);
  });

  it('the mailbox long poll answers when the message lands, fixed codes apply, and reset empties the store', async () => {
    await build();
    expect((await dev('fixed-codes', { match: '*@fixed.test', code: '135790' })).statusCode).toBe(201);
    const poll = app.inject({ method: 'GET', url: '/_dev/api/messages/latest?to=wait%40fixed.test&wait=5000' });
    await untilPollWaits(async () => (await app.inject('/_dev/api/messages/waiting')).json().waiting);
    await post(app, '/passwordless/start', { client_id: SPA, connection: 'email', send: 'code', email: 'wait@fixed.test' });
    const message = await poll;
    expect(message.statusCode).toBe(200);
    expect(message.json().code).toBe('135790');

    expect((await app.inject({ method: 'POST', url: '/_dev/api/reset' })).statusCode).toBe(204);
    expect(await store.listUsers()).toEqual([]);
    expect(await store.listMessages({})).toEqual([]);
  });
});
