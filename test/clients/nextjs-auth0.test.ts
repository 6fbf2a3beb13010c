import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, createUnderstudyClient, loginWithPasswordless, type UnderstudyClient } from '../../src/testing/index.js';
import { CHROMIUM_ARGS, ensureChromium } from '../support/chromium.js';
import { freePort } from '../support/net.js';
import { eventually, expectVisible, textOf } from '../support/page-waits.js';

/**
 * @auth0/nextjs-auth0 4.x, unmodified, in a Next.js 16 App Router app (test/clients/nextjs-app, its
 * own workspace: `npm run test:nextjs` installs it and runs this file; `npm test` leaves it out), in
 * Debian's Chromium, against the real entry point listening as the README's "nextjs-auth0 4.x" says:
 *
 *   PORT=443 ISSUER_BASE_URL=https://understudy.test/ understudy --https --config tenant.yaml
 *
 * The app gets the AUTH0_DOMAIN (in .env.local) and NODE_EXTRA_CA_CERTS that the start-up log prints,
 * and NODE_OPTIONS='--require understudy/resolve' for the name; Chromium gets understudy/testing's
 * chromiumArgs (host resolver rule, SPKI pin of the local CA). Nothing edits /etc/hosts, nothing
 * ignores certificate errors. Port 443 needs root, or net.ipv4.ip_unprivileged_port_start <= 443.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP_DIR = join(ROOT, 'test/clients/nextjs-app');
const NEXT_BIN = join(APP_DIR, 'node_modules/next/dist/bin/next');
const ENV_FILE = join(APP_DIR, '.env.local');
const ISSUER = 'https://understudy.test/';
const AUDIENCE = 'https://api.understudy.test/';
const EMAIL = 'next.user@example.com';
const work = mkdtempSync(join(tmpdir(), 'understudy-nextjs-'));
const children: ChildProcess[] = [];
const timings: string[] = [];

let understudyLog = '';
let appBase = '';
let caPem = '';
let agent: Agent;
let understudy: UnderstudyClient;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let nextApp: Running | undefined;

interface Running {
  child: ChildProcess;
  output: () => string;
}

/** A child in its own process group (next start runs workers), its output collected. */
function start(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Running {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return { child, output: () => output };
}

/** Resolves with the child's output once `ready` says so; rejects with that output when it exits or times out. */
function waitFor(run: Running, what: string, ready: () => boolean | Promise<boolean>, ms: number): Promise<string> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`${what} ${why}:\n${run.output().slice(-4000)}`));
    run.child.once('exit', (code, signal) => fail(`exited (${code ?? signal})`));
    const poll = async (): Promise<void> => {
      if (await ready()) return resolve(run.output());
      if (Date.now() - started > ms) return fail(`was not ready within ${ms / 1000} s`);
      setTimeout(() => void poll(), 200);
    };
    void poll();
  });
}

function stopAll(): Promise<unknown> {
  return Promise.all(
    children.map((child) => {
      if (!child.pid || child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      const force = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 10_000);
      return exited.finally(() => clearTimeout(force));
    }),
  );
}

const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** The JSON lines Understudy logged, parsed. */
const understudyEvents = (): { msg?: string; grantType?: string; clientId?: string }[] =>
  understudyLog.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as { msg?: string }];
    } catch {
      return [];
    }
  });

/** Waits for the page to land where `where` says; otherwise fails with what the page and the app said. */
async function landOn(where: (url: URL) => boolean, what: string): Promise<void> {
  try {
    await page.waitForURL(where, { timeout: 20_000 });
  } catch {
    const body = await page.locator('body').innerText({ timeout: 1_000 }).catch(() => '');
    throw new Error(`expected ${what}, the page is at ${page.url()} showing:\n${body.slice(0, 500)}\nthe app said:\n${nextApp?.output().slice(-2000) ?? ''}`);
  }
}

beforeAll(async () => {
  if (!existsSync(NEXT_BIN)) throw new Error('test/clients/nextjs-app is not installed: run `npm run test:nextjs`, which installs it and runs this test');
  const appPort = await freePort();
  appBase = `http://localhost:${appPort}`;
  // The workspace's tenant file, with the app on the port this run has.
  const tenantPath = join(work, 'tenant.yaml');
  writeFileSync(tenantPath, readFileSync(join(APP_DIR, 'tenant.yaml'), 'utf8').replaceAll('http://localhost:3000', appBase));

  // The recipe: HTTPS mode, the issuer under a host name on 443.
  let started = Date.now();
  const server = start(process.execPath, ['--import', 'tsx', 'src/server.ts', '--https', '--config', tenantPath], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work, PORT: '443', ISSUER_BASE_URL: ISSUER, UNDERSTUDY_DATA_DIR: join(work, 'understudy'), LOG_FORMAT: 'json' },
  });
  const startupLog = await waitFor(server, 'Understudy on port 443 (root, or net.ipv4.ip_unprivileged_port_start <= 443)', () => server.output().includes('"issuer"'), 60_000);
  timings.push(`understudy start ${seconds(started)}`);
  understudyLog = startupLog;
  server.child.stdout!.on('data', (chunk: string) => (understudyLog += chunk));
  // The app's settings are the ones the start-up log prints, as a user copies them.
  const printed = /AUTH0_DOMAIN=(\S+) NODE_EXTRA_CA_CERTS=(\S+)/.exec(startupLog.replace(/\\n/g, '\n'));
  expect(printed, 'the start-up log prints AUTH0_DOMAIN and NODE_EXTRA_CA_CERTS').not.toBeNull();
  const [, domain, caPath] = printed as unknown as [string, string, string];
  expect(domain).toBe('understudy.test');
  caPem = readFileSync(caPath, 'utf8');
  agent = new Agent({ connect: { ca: caPem } });
  // The dev API answers on loopback names too, which the certificate covers.
  const agentFetch = (url: URL | RequestInfo, init?: RequestInit) => undiciFetch(url as string, { ...(init as object), dispatcher: agent });
  understudy = createUnderstudyClient('https://localhost/', { fetch: agentFetch as unknown as typeof fetch });

  // As the README has it: nextjs-auth0's settings in .env.local, which Next.js reads once it runs; what
  // Node reads at start-up (the CA, the preload) in the environment of `next build` and `next start`.
  writeFileSync(
    ENV_FILE,
    [`AUTH0_DOMAIN=${domain}`, 'AUTH0_CLIENT_ID=nextjs-app', 'AUTH0_CLIENT_SECRET=nextjs-app-secret', `AUTH0_SECRET=${randomBytes(32).toString('hex')}`, `APP_BASE_URL=${appBase}`, `AUTH0_AUDIENCE=${AUDIENCE}`, ''].join('\n'),
  );
  const nodeEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? work,
    NEXT_TELEMETRY_DISABLED: '1',
    NODE_EXTRA_CA_CERTS: caPath,
    // `understudy/resolve` in a user's project; here the same file from the sources.
    NODE_OPTIONS: `--require ${join(ROOT, 'src/testing/resolve.cjs')}`,
  };
  // A clean build each run: no cache from an earlier one decides what this run tests.
  rmSync(join(APP_DIR, '.next'), { recursive: true, force: true });
  started = Date.now();
  const build = start(process.execPath, [NEXT_BIN, 'build'], { cwd: APP_DIR, env: nodeEnv });
  const buildExit = await new Promise<number | null>((resolve) => build.child.once('exit', resolve));
  if (buildExit !== 0) throw new Error(`next build failed (${buildExit}):\n${build.output().slice(-4000)}`);
  timings.push(`next build ${seconds(started)}`);

  started = Date.now();
  const app = (nextApp = start(process.execPath, [NEXT_BIN, 'start', '--port', String(appPort), '--hostname', '127.0.0.1'], { cwd: APP_DIR, env: nodeEnv }));
  await waitFor(app, 'next start', () => fetch(`http://127.0.0.1:${appPort}/`).then((r) => r.status === 200, () => false), 60_000);
  timings.push(`next start ${seconds(started)}`);

  browser = await chromium.launch({
    executablePath: await ensureChromium(),
    headless: true,
    args: [...CHROMIUM_ARGS, ...chromiumArgs({ hosts: ISSUER, certificate: caPem })],
  });
  context = await browser.newContext();
  page = await context.newPage();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await agent?.close();
  await stopAll();
  rmSync(ENV_FILE, { force: true });
  rmSync(work, { recursive: true, force: true });
  if (timings.length) process.stdout.write(`[nextjs-auth0] ${timings.join(', ')}\n`);
});

describe('@auth0/nextjs-auth0 4.x (Next.js 16 App Router) in Chromium against Understudy on https://understudy.test/', () => {
  let sid = '';
  let sub = '';

  it('logs in through the Identifier First screens; getSession reads the user on the server', async () => {
    const started = Date.now();
    await page.goto(`${appBase}/`);
    await eventually(textOf(page.locator('#status'))).toBe('signed out');
    await page.click('#login');
    await landOn((url) => url.origin === 'https://understudy.test' && url.pathname === '/u/login/identifier', "Understudy's login screen");
    await loginWithPasswordless(page, { client: understudy, email: EMAIL });
    await landOn((url) => url.origin === appBase && url.pathname === '/', 'the app after the callback');
    await eventually(textOf(page.locator('#status'))).toBe('signed in');
    await eventually(textOf(page.locator('#email'))).toBe(EMAIL);
    sub = (await page.locator('#sub').textContent()) ?? '';
    sid = (await page.locator('#sid').textContent()) ?? '';
    expect(sub).toMatch(/^email\|[0-9a-f]{24}$/);
    expect(sid).not.toBe('');
    timings.push(`login ${seconds(started)}`);
  });

  it('getAccessToken gives an access token for the API audience, and refreshes it with the refresh token', async () => {
    const jwks = createLocalJWKSet((await (await undiciFetch('https://localhost/.well-known/jwks.json', { dispatcher: agent })).json()) as JSONWebKeySet);
    const read = async (path: string) => {
      const response = await page.goto(`${appBase}${path}`);
      expect(response?.status(), await response?.text()).toBe(200);
      return (await response!.json()) as { token: string; scope?: string; expiresAt: number };
    };
    const first = await read('/api/token');
    const { payload } = await jwtVerify(first.token, jwks, { issuer: ISSUER, audience: AUDIENCE });
    expect(payload.sub).toBe(sub);
    expect(String(payload.scope).split(' ')).toContain('read:orders');

    const refreshes = () => understudyEvents().filter((e) => e.grantType === 'refresh_token' && e.clientId === 'nextjs-app').length;
    const before = refreshes();
    const refreshed = await read('/api/token?refresh');
    expect(refreshed.token).not.toBe(first.token);
    expect((await jwtVerify(refreshed.token, jwks, { issuer: ISSUER, audience: AUDIENCE })).payload.sub).toBe(sub);
    await eventually(async () => refreshes()).toBe(before + 1);
  });

  it('logs out through /oidc/logout with logout_hint, which ends the session at Understudy too', async () => {
    const logouts: URL[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === 'https://understudy.test' && url.pathname === '/oidc/logout') logouts.push(url);
    });
    await page.goto(`${appBase}/`);
    await page.click('#logout');
    await landOn((url) => url.origin === appBase && url.pathname === '/', 'the app after the logout');
    await eventually(textOf(page.locator('#status'))).toBe('signed out');
    expect(logouts).toHaveLength(1);
    const query = Object.fromEntries(logouts[0]!.searchParams);
    expect(query).toMatchObject({ client_id: 'nextjs-app', post_logout_redirect_uri: appBase, logout_hint: sid });

    // Understudy's SSO session is gone: logging in again shows the screens instead of coming straight back.
    await page.click('#login');
    await landOn((url) => url.origin === 'https://understudy.test' && url.pathname === '/u/login/identifier', "Understudy's login screen again");
    await expectVisible(page.locator('#username'));
  });
});
