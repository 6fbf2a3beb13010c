import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../support/app.js';
import { runtimeProblems } from '../support/config-problems.js';
import { loadRuntimeConfig } from '../../src/config/runtime.js';

/**
 * Slow and piled-up clients are cut off: a body trickled in a byte at a time gets 408 and a closed
 * socket once the request timeout passes, and connections beyond the cap are refused. The limits are
 * settings, checked at start-up.
 */
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function listening(connections: { requestTimeoutMs: number; headersTimeoutMs: number; idleTimeoutMs: number; maxConnections: number }): Promise<number> {
  ({ app } = await buildTestApp({ app: { connections } }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as { port: number }).port;
}

/** Resolves with everything the server sent once it closes the socket. */
function closed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(received));
  });
}

describe('connection limits', () => {
  it('a body sent one byte at a time gets 408 and a closed socket after the request timeout', async () => {
    const port = await listening({ requestTimeoutMs: 1_000, headersTimeoutMs: 1_000, idleTimeoutMs: 31_000, maxConnections: 100 });
    const socket = connect(port, '127.0.0.1');
    const done = closed(socket);
    socket.write(`POST /passwordless/start HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n`);
    let sent = 0;
    // Bounded: at most 200 bytes over 20 s, far past the 1 s limit; the close ends it sooner.
    const drip = setInterval(() => {
      if (sent++ >= 200 || socket.destroyed) clearInterval(drip);
      else socket.write('{');
    }, 100);
    const answer = await done;
    clearInterval(drip);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(sent).toBeLessThan(200);
    // The server still serves everyone else.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('refuses connections beyond the cap, and serves again once they close', async () => {
    const port = await listening({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, idleTimeoutMs: 65_000, maxConnections: 3 });
    const held = await Promise.all([0, 1, 2].map(() => new Promise<Socket>((resolve) => { const s = connect(port, '127.0.0.1', () => resolve(s)); })));
    // Wait until the server has counted all three before the fourth knocks.
    await expect.poll(() => new Promise<number>((resolve) => app!.server.getConnections((_e, n) => resolve(n)))).toBe(3);
    const fourth = connect(port, '127.0.0.1');
    const refused = closed(fourth);
    fourth.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(await refused).toBe('');
    for (const s of held) s.destroy();
    await expect.poll(() => new Promise<number>((resolve) => app!.server.getConnections((_e, n) => resolve(n)))).toBe(0);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('reads the timeouts and the cap from the environment and names a bad one', () => {
    const config = loadRuntimeConfig({ UNDERSTUDY_REQUEST_TIMEOUT: '20', UNDERSTUDY_HEADERS_TIMEOUT: '5', UNDERSTUDY_IDLE_TIMEOUT: '90', UNDERSTUDY_MAX_CONNECTIONS: '64' });
    expect(config.connections).toEqual({ requestTimeoutMs: 20_000, headersTimeoutMs: 5_000, idleTimeoutMs: 90_000, maxConnections: 64 });
    expect(runtimeProblems({ UNDERSTUDY_REQUEST_TIMEOUT: 'soon' })).toEqual([expect.stringMatching(/^UNDERSTUDY_REQUEST_TIMEOUT: /)]);
    // An idle timeout must outlast the mailbox's 30 s long poll.
    expect(runtimeProblems({ UNDERSTUDY_IDLE_TIMEOUT: '30' })).toEqual([expect.stringMatching(/^UNDERSTUDY_IDLE_TIMEOUT: must be a whole number of seconds from 31/)]);
    expect(runtimeProblems({ UNDERSTUDY_REQUEST_TIMEOUT: '5', UNDERSTUDY_HEADERS_TIMEOUT: '10' })).toEqual([expect.stringMatching(/^UNDERSTUDY_HEADERS_TIMEOUT: must not be longer/)]);
    expect(runtimeProblems({ UNDERSTUDY_MAX_CONNECTIONS: '0' })).toEqual([expect.stringMatching(/^UNDERSTUDY_MAX_CONNECTIONS: /)]);
  });
});
