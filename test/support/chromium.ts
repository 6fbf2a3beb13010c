import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Real Chromium for the conformance suite: Debian's `chromium` (or any Chrome named by CHROME_PATH),
 * driven by playwright-core. Never a browser download: when no browser is found and the tests run as
 * root on Debian, Debian's package is installed with apt-get (with a visible progress line); otherwise
 * the suite fails with a message saying what to install. It never skips silently.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const INSTALL_HINT =
  'Chromium is needed for the auth0-spa-js conformance tests. Install it (Debian/Ubuntu: `apt-get install -y chromium`) ' +
  'or point CHROME_PATH at a Chrome/Chromium executable.';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** CHROME_PATH, then /usr/bin/chromium, then chromium / google-chrome on PATH. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`CHROME_PATH is set to ${fromEnv}, which is not an executable. ${INSTALL_HINT}`);
    return fromEnv;
  }
  if (isExecutable('/usr/bin/chromium')) return '/usr/bin/chromium';
  return onPath('chromium') ?? onPath('google-chrome') ?? onPath('google-chrome-stable');
}

function isDebianLike(): boolean {
  if (existsSync('/etc/debian_version')) return true;
  try {
    return /^ID(_LIKE)?=.*debian/m.test(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

/** Runs a command with its output on the terminal (apt-get's own progress), without blocking the test worker. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const fail = (why: string) => reject(new Error(`\`${command} ${args.join(' ')}\` failed (${why}). ${INSTALL_HINT}`));
    child.on('error', (err) => fail(err.message));
    child.on('exit', (code, signal) => (code === 0 ? resolve() : fail(signal ? `signal ${signal}` : `exit ${code}`)));
  });
}

let located: Promise<string> | undefined;

/** The browser's path, installing Debian's chromium when that is possible and nothing was found. */
export function ensureChromium(): Promise<string> {
  located ??= (async () => {
    const found = findChromium();
    if (found) return found;
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!root || !isDebianLike()) {
      throw new Error(`No Chromium found (looked at CHROME_PATH, /usr/bin/chromium, chromium and google-chrome on PATH). ${INSTALL_HINT}`);
    }
    process.stderr.write('[conformance] No Chromium found: installing Debian\'s "chromium" package with apt-get (about 115 packages, 113 MB, once)…\n');
    const started = Date.now();
    await run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update']);
    await run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', 'chromium']);
    const installed = findChromium();
    if (!installed) throw new Error(`apt-get installed chromium but no executable was found afterwards. ${INSTALL_HINT}`);
    process.stderr.write(`[conformance] Installed ${installed} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return installed;
  })();
  return located;
}

/**
 * Launches headless Chromium. playwright's launch() gives the browser a fresh temporary user-data
 * directory (removed on close), and every test opens its own context on top of it.
 */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: await ensureChromium(), headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export interface BrowserTestSession<Env> {
  browser: Browser;
  env: Env;
  context: BrowserContext;
  page: Page;
}

/**
 * The browser lifecycle of a client test file: one Chromium and one environment for the file, a fresh
 * context (no cookies, no storage) and page for every test. It registers the four vitest hooks and
 * hands every new session to `bind`, so the file's tests keep reading plain `page` and `env`.
 * `launchArgs` (for example understudy/testing's chromiumArgs, to trust the environment's local CA)
 * are computed from the started environment, so Chromium then starts after it.
 */
export function browserPerTest<Env extends { close(): Promise<unknown> }>(
  startEnv: () => Promise<Env>,
  bind: (session: BrowserTestSession<Env>) => void,
  options: { actionTimeoutMs?: number; eachTest?: (session: BrowserTestSession<Env>) => Promise<void>; launchArgs?: (env: Env) => string[] } = {},
): void {
  let browser: Browser | undefined;
  let env: Env | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    if (options.launchArgs) {
      env = await startEnv();
      browser = await launchChromium(options.launchArgs(env));
    } else {
      [browser, env] = await Promise.all([launchChromium(), startEnv()]);
    }
  }, 300_000); // room for a one-time `apt-get install chromium`
  afterAll(async () => {
    await Promise.allSettled([browser?.close(), env?.close()]);
  });
  beforeEach(async () => {
    context = await browser!.newContext();
    context.setDefaultTimeout(options.actionTimeoutMs ?? 30_000);
    const session = { browser: browser!, env: env!, context, page: await context.newPage() };
    bind(session);
    await options.eachTest?.(session);
  });
  afterEach(async () => {
    await context?.close();
  });
}
