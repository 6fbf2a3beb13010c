import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { connect as tlsConnect } from 'node:tls';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent, fetch as undiciFetch } from 'undici';
import { freePort } from '../support/net.js';

/**
 * HTTPS mode through the real entry point, as a user starts it: `--https` makes the local CA in the
 * data folder, serves TLS, prints the CA path with the NODE_EXTRA_CA_CERTS hint (which works, proven
 * by a second Node process), and a restart reuses the same CA.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WAIT_MS = 30_000;
// Each start compiles TypeScript through tsx: seconds apiece on a busy two-core machine.
const SPAWN_TEST_MS = 120_000;
const children: ChildProcess[] = [];
let dir: string;

interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function start(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, HOST: '127.0.0.1', UNDERSTUDY_DATA_DIR: join(dir, 'data'), LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

/** The start-up summary (the JSON log line carrying `issuer`), or a failure with what the process said. */
function summary(run: Running): Promise<{ issuer: string; port: number; msg: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line within ${WAIT_MS} ms\n${run.out()}\n${run.err()}`)), WAIT_MS);
    const check = (): void => {
      const line = run.out().split('\n').find((l) => l.includes('"issuer"'));
      if (!line) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { issuer: string; port: number; msg: string });
    };
    run.child.stdout!.on('data', check);
    void run.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before start-up\n${run.out()}\n${run.err()}`));
    });
  });
}

async function stop(run: Running): Promise<number | null> {
  run.child.kill('SIGTERM');
  return run.exited;
}


beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'understudy-https-'));
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('understudy --https (the real entry point)', () => {
  it('serves TLS from a local CA in the data folder, prints the trust hint, and reuses the CA after a restart', async () => {
    const port = await freePort();
    const first = start(['--https'], { PORT: String(port), UNDERSTUDY_TLS_HOSTS: 'understudy.dev.test' });
    const log = await summary(first);
    const caPath = join(dir, 'data', 'tls', 'ca.pem');
    const caPem = readFileSync(caPath, 'utf8');
    expect(log.issuer).toBe(`https://localhost:${port}/`);
    expect(log.msg).toContain(`listening on  https://127.0.0.1:${port}`);
    expect(log.msg).toContain('created a new local CA and certificate');
    expect(log.msg).toContain('localhost, 127.0.0.1, ::1, understudy.dev.test');
    expect(log.msg).toContain(`NODE_EXTRA_CA_CERTS=${caPath}`);
    expect(log.msg).toContain(`https://localhost:${port}/_dev/ca.pem`);

    const agent = new Agent({ connect: { ca: caPem } });
    try {
      const health = await undiciFetch(`https://localhost:${port}/healthz`, { dispatcher: agent });
      expect(await health.json()).toEqual({ status: 'ok' });
      const served = await undiciFetch(`https://localhost:${port}/_dev/ca.pem`, { dispatcher: agent });
      expect(await served.text()).toBe(caPem);
      // Login cookies over HTTPS are SameSite=None; Secure (with the _compat twin).
      const authorize = await undiciFetch(
        `https://localhost:${port}/authorize?client_id=understudy-spa&redirect_uri=${encodeURIComponent('http://localhost:3000/callback')}&response_type=code&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
        { dispatcher: agent, redirect: 'manual' },
      );
      expect(authorize.status).toBe(302);
      const cookies = authorize.headers.getSetCookie();
      expect(cookies.find((c) => c.startsWith('did='))).toMatch(/; Secure/i);
      expect(cookies.find((c) => c.startsWith('did='))).toMatch(/SameSite=None/i);
    } finally {
      await agent.close();
    }

    // The hint as printed: a plain Node process that trusts nothing else reaches the server.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-e', `fetch('https://localhost:${port}/.well-known/openid-configuration').then((r) => r.json()).then((d) => console.log(d.issuer))`],
      { env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: caPath }, timeout: WAIT_MS },
    );
    expect(stdout.trim()).toBe(`https://localhost:${port}/`);
    expect(await stop(first)).toBe(0);

    const second = start(['--https'], { PORT: String(port), UNDERSTUDY_TLS_HOSTS: 'understudy.dev.test' });
    expect((await summary(second)).msg).toContain('reused the certificate');
    expect(readFileSync(caPath, 'utf8')).toBe(caPem);
    expect(await stop(second)).toBe(0);
  }, SPAWN_TEST_MS);

  it('under a host name: prints the AUTH0_DOMAIN and NODE_EXTRA_CA_CERTS to use, and sends the local CA with its certificate', async () => {
    const port = await freePort();
    const data = join(dir, 'named');
    const run = start(['--https'], { PORT: String(port), ISSUER_BASE_URL: 'https://understudy.test/', UNDERSTUDY_DATA_DIR: data });
    const log = await summary(run);
    const caPath = join(data, 'tls', 'ca.pem');
    expect(log.issuer).toBe('https://understudy.test/');
    expect(log.msg).toContain(`AUTH0_DOMAIN=understudy.test NODE_EXTRA_CA_CERTS=${caPath}`);
    // A client that trusts nothing sees the CA only if the server sent it.
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'understudy.test', rejectUnauthorized: false });
    await once(socket, 'secureConnect');
    const leaf = socket.getPeerCertificate(true);
    socket.destroy();
    expect(leaf.subjectaltname).toContain('DNS:understudy.test');
    expect(leaf.issuerCertificate?.fingerprint256).toBe(new X509Certificate(readFileSync(caPath, 'utf8')).fingerprint256);
    expect(await stop(run)).toBe(0);
  }, SPAWN_TEST_MS);

  it('refuses an http ISSUER_BASE_URL and an unreadable UNDERSTUDY_TLS_CERT, naming the variable', async () => {
    const insecure = start(['--https'], { PORT: '0', ISSUER_BASE_URL: 'http://localhost:4000' });
    const missing = start([], { PORT: '0', UNDERSTUDY_TLS_CERT: join(dir, 'missing.pem'), UNDERSTUDY_TLS_KEY: join(dir, 'missing-key.pem') });
    expect(await insecure.exited).toBe(2);
    expect(insecure.err()).toMatch(/ISSUER_BASE_URL: must be https:\/\//);
    expect(await missing.exited).toBe(2);
    expect(missing.err()).toContain(`UNDERSTUDY_TLS_CERT: cannot read "${join(dir, 'missing.pem')}"`);
    expect(missing.err()).not.toMatch(/\n\s+at /);
  }, SPAWN_TEST_MS);
});
