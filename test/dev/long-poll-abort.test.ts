import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, devHeaders, realTimeClock } from '../support/app.js';
import { untilPollWaits, waitingAt } from '../support/long-poll.js';

/**
 * A mailbox long poll holds nothing for a client that went away: the server stops waiting when the
 * socket closes, long before the poll's own wait ends. One that was answered is simply done.
 */
describe('the mailbox long poll', () => {
  let app: FastifyInstance;
  let base: string;
  let headers: Record<string, string>;
  beforeAll(async () => {
    ({ app } = await buildTestApp({ issuer: 'http://127.0.0.1:0/', clock: realTimeClock() }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    headers = devHeaders(app);
  });
  afterAll(() => app.close());

  it.each(['/_dev/api/messages/latest?to=gone%40example.com&wait=30000', '/_dev/api/messages?to=gone%40example.com&after=msg_0&wait=30000'])(
    'stops waiting when its client disconnects: %s',
    async (path) => {
      const waiting = waitingAt(base, headers);
      const controller = new AbortController();
      const poll = fetch(`${base}${path}`, { headers, signal: controller.signal }).catch((err: unknown) => err);
      await untilPollWaits(waiting);
      const startedAt = Date.now();
      controller.abort();
      expect(await poll).toBeInstanceOf(Error);
      await expect.poll(waiting, { timeout: 5_000, interval: 20 }).toBe(0);
      // Far below the poll's own 30 s: the close ended it.
      expect(Date.now() - startedAt).toBeLessThan(10_000);
    },
  );

  it('answers a poll whose message arrives, and then holds nothing', async () => {
    const waiting = waitingAt(base, headers);
    const poll = fetch(`${base}/_dev/api/messages/latest?to=here%40example.com&wait=30000`, { headers });
    await untilPollWaits(waiting);
    const started = await fetch(`${base}/passwordless/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'understudy-spa', connection: 'email', email: 'here@example.com', send: 'code' }),
    });
    expect(started.status).toBe(200);
    const answer = await poll;
    expect(answer.status).toBe(200);
    expect((await answer.json()).to).toBe('here@example.com');
    expect(await waiting()).toBe(0);
  });
});
