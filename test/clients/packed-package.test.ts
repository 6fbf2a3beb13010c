import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from '../support/chromium.js';
import { freePort } from '../support/net.js';

/**
 * Understudy as a user's project gets it: `npm pack` (its `prepack` builds from a clean dist/), the
 * tarball installed with `npm i` into a scratch project of its own, `npx understudy` started there,
 * and a script in that project that imports `understudy/testing` and logs in with Chromium. Nothing
 * of this repository is on the scratch project's path, so a file the server or the helpers need and
 * the tarball lacks fails the login (or the start).
 *
 * The build runs on a copy of the sources, so it never touches the dist/ other tests start servers
 * from. The install prefers npm's cache (`--prefer-offline`) and leaves out the optional native SQLite
 * driver, whose compilation would dominate the run; the server's default store is memory.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'understudy-packed-'));
const STAGE = join(work, 'source');
const PROJECT = join(work, 'project');
const repoPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };

/** npm without the settings of an npm that may be running this suite (`npm test` exports npm_* variables). */
const npmEnv = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
const npm = (args: string[], cwd: string, timeout = 240_000) => run('npm', args, { cwd, env: npmEnv(), timeout, maxBuffer: 16 * 1024 * 1024 });

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

let packed: Packed;
let server: ChildProcess | undefined;
let output = '';
let base = '';

function waitForListening(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npx understudy did not listen within ${ms} ms:\n${output}`)), ms);
    const check = (): void => {
      if (!/listening on {2}http:\/\//.test(output)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout!.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`npx understudy exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

beforeAll(async () => {
  // The sources `npm pack` builds from, with the repository's installed dependencies.
  mkdirSync(STAGE);
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'scripts', 'src']) {
    cpSync(join(ROOT, entry), join(STAGE, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(STAGE, 'node_modules'), 'dir');
  const { stdout } = await npm(['pack', '--json', '--pack-destination', work], STAGE);
  // `npm pack --json` prints the lifecycle scripts' output before its JSON.
  packed = (JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1 || 0)) as Packed[])[0]!;

  mkdirSync(PROJECT);
  writeFileSync(join(PROJECT, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
  await npm(
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional', join(work, packed.filename), `playwright-core@${repoPackage.devDependencies['playwright-core']}`],
    PROJECT,
  );

  const port = await freePort();
  base = `http://127.0.0.1:${port}/`;
  // `--no`: the installed bin or nothing, never a download of whatever else the registry calls understudy.
  server = spawn('npx', ['--no', 'understudy'], {
    cwd: PROJECT,
    env: { ...npmEnv(), PORT: String(port), HOST: '127.0.0.1', ISSUER_BASE_URL: base, LOG_FORMAT: 'json', UNDERSTUDY_DATA_DIR: join(PROJECT, '.understudy') },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: npx and the server it starts are stopped together.
    detached: true,
  });
  server.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  server.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await waitForListening(server, 60_000);
}, 420_000);

afterAll(async () => {
  if (server?.pid && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    process.kill(-server.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (server.exitCode === null && server.signalCode === null) process.kill(-server.pid, 'SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball in a scratch project', () => {
  it('holds the built server and what it loads at run time, and nothing of the sources, tests or docs', () => {
    const paths = packed.files.map((f) => f.path);
    for (const needed of [
      'package.json',
      'README.md',
      'dist/understudy.cjs',
      'dist/understudy.js',
      'dist/understudy-server.js',
      'dist/app.js',
      'dist/app.d.ts',
      'dist/testing/index.js',
      'dist/testing/index.d.ts',
      'dist/testing/resolve.cjs',
      'dist/testing/resolve.d.cts',
      'dist/config/tenant-check.cjs',
      'dist/actions/actions-host.cjs',
      'dist/views/screens/login-id.eta',
      'dist/views/screens/login-passwordless-email-code.eta',
    ]) {
      expect(paths, needed).toContain(needed);
    }
    expect(paths.filter((p) => !p.startsWith('dist/') && !['package.json', 'README.md'].includes(p))).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.map') || p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
    expect(packed.size).toBeLessThan(2_000_000);
  });

  it('installs without building: no install-time scripts, and every export and its types are in place', async () => {
    const installed = join(PROJECT, 'node_modules', 'understudy');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      version: string;
      private?: boolean;
      scripts?: Record<string, string>;
      bin: Record<string, string>;
      exports: Record<string, { types: string; default: string }>;
    };
    expect(manifest.version).toBe(repoPackage.version);
    expect(manifest.private).toBeUndefined();
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts?.[hook], hook).toBeUndefined();
    expect(existsSync(join(PROJECT, 'node_modules', '.bin', 'understudy'))).toBe(true);
    expect(Object.keys(manifest.exports)).toEqual(expect.arrayContaining(['.', './testing']));
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      expect(existsSync(join(installed, target.types)), `${subpath} types`).toBe(true);
      expect(existsSync(join(installed, target.default)), `${subpath}`).toBe(true);
    }
    // The build toolchain stays behind.
    for (const tool of ['typescript', 'esbuild', 'tsx', 'vitest']) expect(existsSync(join(PROJECT, 'node_modules', tool)), tool).toBe(false);
    // The main export loads from the project, with the dependencies the install brought.
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', "const m = await import('understudy'); console.log(typeof m.buildApp)"], { cwd: PROJECT });
    expect(stdout.trim()).toBe('function');
    // The preload resolves from the project by the package's name, as NODE_OPTIONS='--require understudy/resolve' does.
    const preloaded = await run(process.execPath, ['--require', 'understudy/resolve', '-e', "require('node:dns').lookup('understudy.test', (e, a) => console.log(e ? e.code : a))"], {
      cwd: PROJECT,
      env: { PATH: process.env.PATH ?? '', AUTH0_DOMAIN: 'understudy.test' },
    });
    expect(preloaded.stdout.trim()).toBe('127.0.0.1');
  });

  it('serves with `npx understudy`, and a script there logs in with understudy/testing in Chromium', async () => {
    expect((await fetch(new URL('.well-known/openid-configuration', base))).status).toBe(200);
    writeFileSync(join(PROJECT, 'login.mjs'), LOGIN_SCRIPT);
    const { stdout } = await run(process.execPath, ['login.mjs'], {
      cwd: PROJECT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work, UNDERSTUDY_URL: base, CHROME_PATH: await ensureChromium(), CHROME_ARGS: JSON.stringify(CHROMIUM_ARGS) },
      timeout: 90_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { callback: string; state: string; email: string; tokenType: string };
    expect(result).toEqual({ callback: '/callback', state: 'packed-state', email: 'packed.user@example.com', tokenType: 'Bearer' });
  }, 120_000);
});

/**
 * The scratch project's own test: what a user's Playwright suite does, with playwright-core and the
 * installed package only. Prints one JSON line with what it saw.
 */
const LOGIN_SCRIPT = `
import { createHash, randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { createUnderstudyClient, loginWithPasswordless } from 'understudy/testing';

const base = process.env.UNDERSTUDY_URL;
const understudy = createUnderstudyClient(base);
await understudy.reset();
const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');
const callback = 'http://localhost:3000/callback';
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH, headless: true, args: JSON.parse(process.env.CHROME_ARGS) });
try {
  const page = await browser.newPage();
  // No app runs behind the callback: the browser answers it.
  await page.route('http://localhost:3000/**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'app' }));
  const query = new URLSearchParams({
    client_id: 'understudy-spa', redirect_uri: callback, response_type: 'code', scope: 'openid email',
    state: 'packed-state', code_challenge: challenge, code_challenge_method: 'S256', connection: 'email',
  });
  await page.goto(new URL('authorize?' + query, base).toString());
  await loginWithPasswordless(page, { client: understudy, email: 'Packed.User@example.com' });
  await page.waitForURL((url) => url.origin === 'http://localhost:3000', { timeout: 20000 });
  const landed = new URL(page.url());
  const response = await fetch(new URL('oauth/token', base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'understudy-spa', code: landed.searchParams.get('code') ?? '', code_verifier: verifier, redirect_uri: callback }),
  });
  const tokens = await response.json();
  if (!response.ok) throw new Error('token exchange answered ' + response.status + ': ' + JSON.stringify(tokens));
  const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString());
  console.log(JSON.stringify({ callback: landed.pathname, state: landed.searchParams.get('state'), email: claims.email, tokenType: tokens.token_type }));
} finally {
  await browser.close();
}
`;
