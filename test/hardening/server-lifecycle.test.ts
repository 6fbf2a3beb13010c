import { untilPollWaits, waitingAt } from '../support/long-poll.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * The real entry point under signals and exposure: SIGTERM stops taking connections, lets a request
 * already in flight finish, and exits 0; dev routes on a non-loopback address are warned about at
 * start; with dev routes off the start-up banner prints no client secret.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WAIT_MS = 45_000;
const SPAWN_TEST = { timeout: 90_000 };

interface Running {
  child: ChildProcess;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let dir: string;
const children: ChildProcess[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'understudy-lifecycle-'));
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, PORT: '0', HOST: '127.0.0.1', UNDERSTUDY_DATA_DIR: join(dir, `data-${children.length}`), LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, exited };
}

async function banner(run: Running): Promise<{ port: number; msg: string }> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const line = run.stdout().split('\n').find((l) => l.includes('"issuer"'));
    if (line) return JSON.parse(line) as { port: number; msg: string };
    if (run.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no start-up banner:\n${run.stdout()}`);
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

describe('SIGTERM', SPAWN_TEST, () => {
  it('refuses new connections, finishes the request in flight, and exits 0', async () => {
    const run = start({});
    const { port, msg } = await banner(run);
    // On loopback: no exposure warning, and the banner shows secrets for local development.
    expect(run.stdout()).not.toContain('dev routes are on');
    expect(msg).toContain('client_secret=understudy-web-secret');

    // A request in flight: headers and half of the body sent, the rest after SIGTERM.
    const body = 'grant_type=authorization_code&client_id=understudy-spa&code=abc&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback';
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 20)}`);
    await new Promise((r) => setTimeout(r, 300));

    run.child.kill('SIGTERM');
    // Stop accepting: a new connection is refused while the old request is still open.
    const refused = await within(
      (async () => {
        for (let i = 0; i < 50; i++) {
          try {
            await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
          } catch {
            return true;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        return false;
      })(),
      10_000,
      'new connections to be refused',
    );
    expect(refused).toBe(true);
    expect(run.child.exitCode).toBeNull();

    socket.end(body.slice(20));
    await within(ended, 10_000, 'the in-flight response');
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    expect(answer).toContain('"error":"invalid_grant"');

    expect(await within(run.exited, 15_000, 'the process to exit')).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toContain('SIGTERM received');
  });

  it('answers a mailbox long poll at once instead of waiting it out', async () => {
    const run = start({});
    const { port } = await banner(run);
    const poll = fetch(`http://127.0.0.1:${port}/_dev/api/messages/latest?to=nobody@example.com&wait=30000`);
    await untilPollWaits(waitingAt(`http://127.0.0.1:${port}`));
    const stopping = Date.now();
    run.child.kill('SIGTERM');
    const response = await within(poll, 10_000, 'the long poll');
    expect(response.status).toBe(404);
    expect(await within(run.exited, 10_000, 'the process to exit')).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopping).toBeLessThan(5_000);
  });
});

describe('exposure at start-up', SPAWN_TEST, () => {
  it('warns when dev routes are on and the server listens beyond loopback', async () => {
    const run = start({ HOST: '0.0.0.0' });
    await banner(run);
    const warning = run.stdout().split('\n').find((l) => l.includes('dev routes are on'));
    expect(warning).toBeDefined();
    expect(JSON.parse(warning!).level).toBe(40);
    expect(warning).toContain('UNDERSTUDY_DEV_TOKEN');
    run.child.kill('SIGTERM');
    await within(run.exited, 10_000, 'the process to exit');
  });

  it('beyond loopback without UNDERSTUDY_DEV_TOKEN, generates a dev token, prints the mailbox URL with it, and keeps it across a restart', async () => {
    const dataDir = join(dir, 'exposed-data');
    const tokenOf = (msg: string): string => /_dev\/mailbox\?token=([A-Za-z0-9_-]{20,})/.exec(msg)?.[1] ?? '';
    const first = start({ HOST: '0.0.0.0', UNDERSTUDY_DATA_DIR: dataDir });
    const { port, msg } = await banner(first);
    const token = tokenOf(msg);
    expect(token, msg).not.toBe('');
    expect(msg).toContain(`dev token     ${token}`);
    const messages = `http://127.0.0.1:${port}/_dev/api/messages`;
    expect((await fetch(messages)).status).toBe(401);
    expect((await fetch(messages, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/_dev/mailbox?token=${token}`)).status).toBe(200);
    first.child.kill('SIGTERM');
    await within(first.exited, 10_000, 'the process to exit');

    const again = start({ HOST: '0.0.0.0', UNDERSTUDY_DATA_DIR: dataDir });
    expect(tokenOf((await banner(again)).msg)).toBe(token);
    again.child.kill('SIGTERM');
    await within(again.exited, 10_000, 'the process to exit');

    // A token the user chose is used as it is, and not printed.
    const chosen = start({ HOST: '0.0.0.0', UNDERSTUDY_DATA_DIR: dataDir, UNDERSTUDY_DEV_TOKEN: 'a-token-the-user-chose' });
    const shown = await banner(chosen);
    expect(shown.msg).not.toContain('a-token-the-user-chose');
    expect(shown.msg).not.toContain('?token=');
    expect((await fetch(`http://127.0.0.1:${shown.port}/_dev/api/messages`, { headers: { authorization: 'Bearer a-token-the-user-chose' } })).status).toBe(200);
    chosen.child.kill('SIGTERM');
    await within(chosen.exited, 10_000, 'the process to exit');
  });

  it('on loopback, the dev routes need no token and none is generated', async () => {
    const run = start({});
    const { port, msg } = await banner(run);
    expect(msg).not.toContain('?token=');
    expect((await fetch(`http://127.0.0.1:${port}/_dev/api/messages`)).status).toBe(200);
    run.child.kill('SIGTERM');
    await within(run.exited, 10_000, 'the process to exit');
  });

  it('prints no client secret and no warning with dev routes off', async () => {
    const off = start({ HOST: '0.0.0.0', UNDERSTUDY_DEV_ROUTES: 'false' });
    const hidden = await banner(off);
    expect(off.stdout()).not.toContain('dev routes are on');
    expect(hidden.msg).toContain('client_id=understudy-web');
    expect(off.stdout()).not.toContain('understudy-web-secret');
    expect(off.stdout()).not.toContain('understudy-m2m-secret');
    off.child.kill('SIGTERM');
    await within(off.exited, 10_000, 'the process to exit');
  });
});
