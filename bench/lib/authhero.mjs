// AuthHero 0.162.0 as the third peer (for the full page-login figure), and AuthHero 8.22.1 beside it in
// that figure. They are not dev dependencies: they would add their whole trees to every `npm ci`. The
// bench installs each on demand into bench/.peers/<its dir>, with a visible progress line, and reports
// the column as "not installed: <reason>" when that is impossible. Their one native module is
// better-sqlite3, the version Understudy's own optional dependency pins: the compiled addon is reused
// from Understudy's node_modules when it is there, so the install downloads only (compiling SQLite from
// source took 1 to 7 minutes here).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, rssMB, spawnNode, track, waitFor200 } from './procs.mjs';
import { round } from './stats.mjs';

// The newest self-consistent set this registry offers (../shared/research/authhero.md §9), pinned.
export const AUTHHERO_PACKAGES = {
  authhero: '0.162.0',
  '@authhero/kysely-adapter': '10.23.0',
  '@authhero/adapter-interfaces': '0.72.0',
  hono: '4.13.19',
  '@hono/zod-openapi': '0.19.10',
  '@hono/node-server': '2.1.9',
  kysely: '0.27.6',
  'better-sqlite3': '12.11.1',
};

// AuthHero 8.22.1, the newest MIT release here (9.x is AGPL), pinned. Not a released pairing: its own
// kysely-adapter (11.17.1, on adapter-interfaces 3.12.0) is not on this registry, so it runs on the
// newest adapter here, 10.119.0, through the bridge in bench/peers/authhero-8/server.mjs. Its peers are
// those its package.json names (`@hono/zod-openapi` ^1.4 wants zod 4; `@authhero/widget`, only for the
// /u2 pages, is left out), so npm runs with --legacy-peer-deps: the 10.119.0 adapter asks for
// @hono/zod-openapi ^0.19.
export const AUTHHERO_8_PACKAGES = {
  authhero: '8.22.1',
  '@authhero/kysely-adapter': '10.119.0',
  hono: '4.13.23',
  '@hono/zod-openapi': '1.6.3',
  '@hono/node-server': '2.1.9',
  kysely: '0.27.6',
  zod: '4.6.7',
  'ua-parser-js': '2.0.6',
  'better-sqlite3': '12.11.1',
};

/**
 * The AuthHero installs, by name: where each goes (bench/.peers/<name>), its harness
 * (bench/peers/<name>/), its packages, and what npm needs besides. 8.22.1 depends on
 * @authhero/proxy 0.9.2 and @authhero/saml 0.4.3, which this registry does not have (E404): its dist
 * bundles both (its only imports are hono and @hono/zod-openapi), so `overrides` point them at empty
 * local packages (`stubs`), and its @authhero/adapter-interfaces 3.12.0 (also absent, also bundled) at
 * 3.9.0.
 */
export const AUTHHERO_PEERS = {
  authhero: { label: `AuthHero ${AUTHHERO_PACKAGES.authhero}`, packages: AUTHHERO_PACKAGES },
  'authhero-8': {
    label: `AuthHero ${AUTHHERO_8_PACKAGES.authhero}`,
    packages: AUTHHERO_8_PACKAGES,
    stubs: { '@authhero/proxy': '0.9.2', '@authhero/saml': '0.4.3' },
    overrides: { '@authhero/proxy': 'file:./stubs/proxy', '@authhero/saml': 'file:./stubs/saml', authhero: { '@authhero/adapter-interfaces': '3.9.0' } },
    npmFlags: ['--legacy-peer-deps'],
  },
};

// Seven minutes were seen on a 2-core machine busy with other jobs.
const INSTALL_TIMEOUT_MS = 12 * 60_000;

export function authheroDir(benchDir, name = 'authhero') {
  return join(benchDir, '.peers', name);
}

function installedMarker(dir) {
  return join(dir, '.installed.json');
}

/** What an install is: its packages and, when it has them, its overrides (the marker holds it). */
const installSpec = (peer) => (peer.overrides ? { ...peer.packages, overrides: peer.overrides } : peer.packages);

function isInstalled(dir, peer) {
  try {
    return JSON.stringify(JSON.parse(readFileSync(installedMarker(dir), 'utf8'))) === JSON.stringify(installSpec(peer));
  } catch {
    return false;
  }
}

/**
 * Makes sure AuthHero 0.162.0 is installed. Returns { ok: true, dir } or { ok: false, reason }, either with
 * `newer()`, which does the same for AuthHero 8.22.1 (only the page-login figure calls it, so only
 * that figure installs it). Installs only when `allowInstall` (the full run); `--quick` uses an existing
 * install or skips the column.
 */
export async function ensureAuthHero(benchDir, { allowInstall, log }) {
  const result = await ensureAuthHeroPeer('authhero', benchDir, { allowInstall, log });
  return { ...result, newer: () => ensureAuthHeroPeer('authhero-8', benchDir, { allowInstall, log }) };
}

/** Makes sure the AuthHero install `name` (of AUTHHERO_PEERS) is there: { ok: true, dir } or { ok: false, reason }. */
export async function ensureAuthHeroPeer(name, benchDir, { allowInstall, log }) {
  const peer = AUTHHERO_PEERS[name];
  const dir = authheroDir(benchDir, name);
  if (!isInstalled(dir, peer)) {
    if (!allowInstall) return { ok: false, reason: 'not installed: --quick never installs it (run `npm run bench` once, or pass --no-authhero to silence)' };
    mkdirSync(dir, { recursive: true });
    for (const [pkg, version] of Object.entries(peer.stubs ?? {})) {
      const stub = join(dir, 'stubs', pkg.split('/').pop());
      mkdirSync(stub, { recursive: true });
      writeFileSync(join(stub, 'package.json'), `${JSON.stringify({ name: pkg, version, description: 'empty stand-in: the authhero dist bundles it', main: 'index.js' })}\n`);
      writeFileSync(join(stub, 'index.js'), 'module.exports = {};\n');
    }
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: `understudy-bench-${name}`, private: true, type: 'module', dependencies: peer.packages, ...(peer.overrides ? { overrides: peer.overrides } : {}) }, null, 2)}\n`,
    );
    log(`installing ${peer.label} into bench/.peers/${name} (npm install)`);
    const flags = peer.npmFlags ?? [];
    const result = await npmInstall(dir, log, ['install', ...flags, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error']);
    if (!result.ok) return { ok: false, reason: `not installed: ${result.reason}` };
    if (!reuseSqliteAddon(benchDir, dir, peer, log)) {
      log(`  compiling better-sqlite3 for ${peer.label} (npm rebuild: a minute or more, several on a busy machine)`);
      const rebuilt = await npmInstall(dir, log, ['rebuild', ...flags, 'better-sqlite3', '--loglevel=error']);
      if (!rebuilt.ok || !sqliteLoads(dir)) return { ok: false, reason: `not installed: better-sqlite3 did not build${rebuilt.ok ? '' : `: ${rebuilt.reason}`}` };
    }
    writeFileSync(installedMarker(dir), JSON.stringify(installSpec(peer)));
  }
  // The harness lives in the repository; it is copied next to the packages it imports.
  const harness = new URL(`../peers/${name}/`, import.meta.url);
  for (const file of readdirSync(harness)) copyFileSync(new URL(file, harness), join(dir, file));
  return { ok: true, dir };
}

/** Starts the installed AuthHero from `dir` on a free port; resolves once its discovery answers 200. */
export async function startAuthHero(dir, name = 'authhero') {
  const port = await freePort();
  // SQLite in memory: no disk I/O at all, the most favourable storage for it (a file on a busy disk
  // spends tens of ms per write in fsync).
  const handle = spawnNode(name, [join(dir, 'server.mjs')], { cwd: dir, env: { PORT: String(port), DB_FILE: ':memory:' } });
  await waitFor200(`http://127.0.0.1:${port}/.well-known/openid-configuration`, handle, { timeoutMs: 60_000 });
  return { handle, port, url: `http://127.0.0.1:${port}`, rssAfterStartMB: round(rssMB(handle.pid), 1) };
}

/** Whether AuthHero's better-sqlite3 opens a database (its addon built and loadable by this Node). */
function sqliteLoads(dir) {
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: dir, stdio: 'ignore' });
  return probe.status === 0;
}

/** Copies Understudy's compiled better-sqlite3 addon into AuthHero's copy when the versions match. */
function reuseSqliteAddon(benchDir, dir, peer, log) {
  const ours = join(benchDir, '..', 'node_modules', 'better-sqlite3');
  const theirs = join(dir, 'node_modules', 'better-sqlite3');
  const addon = join('build', 'Release', 'better_sqlite3.node');
  try {
    const version = (d) => JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).version;
    if (version(ours) !== version(theirs) || !existsSync(join(ours, addon))) return false;
    mkdirSync(join(theirs, 'build', 'Release'), { recursive: true });
    copyFileSync(join(ours, addon), join(theirs, addon));
  } catch {
    return false;
  }
  const ok = sqliteLoads(dir);
  if (ok) log(`  better-sqlite3 ${peer.packages['better-sqlite3']}: reusing Understudy's compiled addon`);
  return ok;
}

function npmInstall(dir, log, args) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn('npm', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    track('npm install (AuthHero)', child);
    let tail = '';
    const keep = (chunk) => {
      tail = (tail + chunk).slice(-3000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const ticker = setInterval(() => log(`  … still installing AuthHero (${Math.round((Date.now() - t0) / 1000)} s)`), 15_000);
    const timer = setTimeout(() => {
      log(`  AuthHero install took over ${INSTALL_TIMEOUT_MS / 60_000} min; stopping it (pid ${child.pid})`);
      child.kill('SIGTERM');
    }, INSTALL_TIMEOUT_MS);
    child.once('error', (err) => {
      clearInterval(ticker);
      clearTimeout(timer);
      resolve({ ok: false, reason: `npm could not run: ${err.message}` });
    });
    child.once('exit', (code, signal) => {
      clearInterval(ticker);
      clearTimeout(timer);
      const lastLine = tail.trim().split('\n').filter((l) => /err|fail|not found|ETARGET|E404|ENOTFOUND/i.test(l)).slice(-2).join(' / ') || tail.trim().split('\n').slice(-1)[0] || '';
      if (code === 0 && existsSync(join(dir, 'node_modules', 'authhero'))) {
        log(`  npm ${args[0]} done in ${Math.round((Date.now() - t0) / 1000)} s`);
        resolve({ ok: true });
      } else {
        resolve({ ok: false, reason: `npm ${args[0]} ${signal ? `killed (${signal})` : `exited ${code}`}: ${lastLine.slice(0, 300)}` });
      }
    });
  });
}
