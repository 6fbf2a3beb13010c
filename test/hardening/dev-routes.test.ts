import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Browser as Chromium } from 'playwright-core';
import { buildTestApp } from '../support/app.js';
import { createManualClock } from '../../src/clock.js';
import { createMemoryStore, DEFAULT_MAX_MESSAGES } from '../../src/store/memory-store.js';
import { BODY_LIMIT } from '../../src/app.js';
import { SPA } from '../support/flows.js';
import { post } from '../support/api.js';
import { launchChromium } from '../support/chromium.js';

/**
 * The dev routes' exposure (UNDERSTUDY_DEV_TOKEN), the mailbox's bound (UNDERSTUDY_MAILBOX_LIMIT),
 * the readiness probe and the body size limit.
 */
const TOKEN = 'dev-token-for-tests-0123456789';

describe('UNDERSTUDY_DEV_TOKEN', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ app } = await buildTestApp({ app: { devToken: TOKEN } }));
  });
  afterAll(async () => app.close());

  const routes: [string, string][] = [
    ['GET', '/_dev/api/messages'],
    ['GET', '/_dev/api/messages/latest?to=a@example.com'],
    ['DELETE', '/_dev/api/messages'],
    ['GET', '/_dev/api/clock'],
    ['POST', '/_dev/api/reset'],
    ['POST', '/_dev/api/fixed-codes'],
    ['GET', '/_dev/api/faults'],
  ];

  it.each(routes)('%s %s answers 401 without the token, with a wrong one, or with it in the query', async (method, url) => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }]) {
      const response = await app.inject({ method: method as 'GET', url, headers });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ error: 'unauthorized', error_description: expect.stringContaining('UNDERSTUDY_DEV_TOKEN') });
      expect(response.headers['www-authenticate']).toBe('Bearer realm="understudy-dev"');
    }
    const inQuery = await app.inject({ method: method as 'GET', url: `${url}${url.includes('?') ? '&' : '?'}token=${TOKEN}` });
    expect(inQuery.statusCode).toBe(401);
  });

  it('lets the Bearer token through', async () => {
    const response = await app.inject({ method: 'GET', url: '/_dev/api/messages', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/_dev/api/reset', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(204);
  });

  it('the mailbox page takes ?token= (a link cannot carry a header), or the header', async () => {
    const refused = await app.inject({ method: 'GET', url: '/_dev/mailbox', headers: { accept: 'text/html' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.body).not.toContain('Dev mailbox');
    expect((await app.inject({ method: 'GET', url: '/_dev/mailbox?token=wrong' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: `/_dev/mailbox?token=${TOKEN}` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/_dev/mailbox', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
  });

  it('leaves the rest of Understudy alone', async () => {
    expect((await app.inject('/.well-known/openid-configuration')).statusCode).toBe(200);
    expect((await post(app, '/passwordless/start', { client_id: SPA, connection: 'email', email: 'a@example.com', send: 'code' })).statusCode).toBe(200);
  });

  it('without the setting, the dev routes stay open (local development)', async () => {
    const { app: open } = await buildTestApp();
    expect((await open.inject('/_dev/api/messages')).statusCode).toBe(200);
    await open.close();
  });
});

describe('the mailbox page with a dev token, in Chromium', () => {
  let app: FastifyInstance;
  let chromium: Chromium;
  let base: string;
  beforeAll(async () => {
    ({ app } = await buildTestApp({ issuer: 'http://127.0.0.1:0/', clock: createManualClock(Date.now()), app: { devToken: TOKEN } }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    chromium = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    await app?.close();
  });

  it('passes ?token= on to its own API calls: it goes live and shows a new message', async () => {
    const context = await chromium.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${base}/_dev/mailbox?token=${TOKEN}`);
      await page.waitForSelector('#live.live:not(.off)');
      await post(app, '/passwordless/start', { client_id: SPA, connection: 'email', email: 'live@example.com', send: 'code' });
      await page.waitForSelector('.message .to:text("live@example.com")');
    } finally {
      await context.close();
    }
  });
});

describe('UNDERSTUDY_MAILBOX_LIMIT', () => {
  it('keeps the newest messages and drops the oldest', async () => {
    const { app } = await buildTestApp({ tenant: { clients: [{ name: 'A', client_id: SPA, app_type: 'spa', callbacks: ['http://localhost:3000'] }], connections: [{ name: 'email', strategy: 'email' }], rate_limits: false }, app: { mailboxLimit: 5 } });
    for (let i = 0; i < 8; i++) await post(app, '/passwordless/start', { client_id: SPA, connection: 'email', email: `m${i}@example.com`, send: 'code' });
    const { messages } = (await app.inject('/_dev/api/messages')).json() as { messages: { to: string }[] };
    expect(messages.map((m) => m.to)).toEqual(['m7@example.com', 'm6@example.com', 'm5@example.com', 'm4@example.com', 'm3@example.com']);
    await app.close();
  });

  it('is 1000 by default', () => {
    expect(DEFAULT_MAX_MESSAGES).toBe(1000);
  });
});

describe('GET /readyz', () => {
  it('is ready when the store answers, and 503 without internals when it does not', async () => {
    const { app } = await buildTestApp();
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready' });
    await app.close();

    const clock = createManualClock(Date.now());
    const store = { ...createMemoryStore(clock), getSession: async () => Promise.reject(new Error('ECONNREFUSED 10.0.0.5:6379')) };
    const { app: down } = await buildTestApp({ store, clock });
    const response = await down.inject('/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.body).not.toContain('ECONNREFUSED');
    expect((await down.inject('/healthz')).statusCode).toBe(200);
    await down.close();
  });
});

describe('the body size limit', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });
  afterAll(async () => app.close());

  const big = 'x'.repeat(BODY_LIMIT + 1);

  it('is 64 KiB', () => {
    expect(BODY_LIMIT).toBe(65536);
  });

  it.each([
    ['/oauth/token', 'application/x-www-form-urlencoded', `grant_type=${big}`],
    ['/passwordless/start', 'application/json', JSON.stringify({ email: big })],
    ['/oauth/revoke', 'application/json', JSON.stringify({ token: big })],
  ])('POST %s over it answers 413 in Auth0\'s shape', async (url, type, payload) => {
    const response = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': type } });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ error: 'invalid_request', error_description: 'Request body is too large' });
  });

  it('a screen POST over it gets the error page with 413', async () => {
    const response = await app.inject({ method: 'POST', url: '/u/login/identifier?state=x', payload: `username=${big}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
  });

  it('the Management API answers 413 in its own shape', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v2/users', payload: JSON.stringify({ email: big }), headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });
});
