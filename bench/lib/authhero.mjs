// AuthHero 0.162.0 as the third peer (for the full page-login figure). It is not a dev dependency: it
// would add its whole tree to every `npm ci`. The bench installs it on demand into
// bench/.peers/authhero, with a visible progress line, and reports the column as "not installed:
// <reason>" when that is impossible. Its one native module is better-sqlite3, the version Understudy's
// own optional dependency pins: the compiled addon is reused from Understudy's node_modules when it is
// there, so the install downloads only (compiling SQLite from source took 1 to 7 minutes here).
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

// Seven minutes were seen on a 2-core machine busy with other jobs.
const INSTALL_TIMEOUT_MS = 12 * 60_000;

export function authheroDir(benchDir) {
  return join(benchDir, '.peers', 'authhero');
}

function installedMarker(dir) {
  return join(dir, '.installed.json');
}

function isInstalled(dir) {
  try {
    return JSON.stringify(JSON.parse(readFileSync(installedMarker(dir), 'utf8'))) === JSON.stringify(AUTHHERO_PACKAGES);
  } catch {
    return false;
  }
}

/**
 * Makes sure AuthHero is installed. Returns { ok: true, dir } or { ok: false, reason }. Installs only
 * when `allowInstall` (the full run); `--quick` uses an existing install or skips the column.
 */
export async function ensureAuthHero(benchDir, { allowInstall, log }) {
  const dir = authheroDir(benchDir);
  if (!isInstalled(dir)) {
    if (!allowInstall) return { ok: false, reason: 'not installed: --quick never installs it (run `npm run bench` once, or pass --no-authhero to silence)' };
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: 'understudy-bench-authhero', private: true, type: 'module', dependencies: AUTHHERO_PACKAGES }, null, 2)}\n`,
    );
    log(`installing AuthHero ${AUTHHERO_PACKAGES.authhero} into bench/.peers/authhero (npm install)`);
    const result = await npmInstall(dir, log, ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error']);
    if (!result.ok) return { ok: false, reason: `not installed: ${result.reason}` };
    if (!reuseSqliteAddon(benchDir, dir, log)) {
      log('  compiling better-sqlite3 for AuthHero (npm rebuild: a minute or more, several on a busy machine)');
      const rebuilt = await npmInstall(dir, log, ['rebuild', 'better-sqlite3', '--loglevel=error']);
      if (!rebuilt.ok || !sqliteLoads(dir)) return { ok: false, reason: `not installed: better-sqlite3 did not build${rebuilt.ok ? '' : `: ${rebuilt.reason}`}` };
    }
    writeFileSync(installedMarker(dir), JSON.stringify(AUTHHERO_PACKAGES));
  }
  // The harness lives in the repository; it is copied next to the packages it imports.
  const harness = new URL('../peers/authhero/', import.meta.url);
  for (const name of readdirSync(harness)) copyFileSync(new URL(name, harness), join(dir, name));
  return { ok: true, dir };
}

/** Starts the installed AuthHero from `dir` on a free port; resolves once its discovery answers 200. */
export async function startAuthHero(dir) {
  const port = await freePort();
  // SQLite in memory: no disk I/O at all, the most favourable storage for it (a file on a busy disk
  // spends tens of ms per write in fsync).
  const handle = spawnNode('authhero', [join(dir, 'server.mjs')], { cwd: dir, env: { PORT: String(port), DB_FILE: ':memory:' } });
  await waitFor200(`http://127.0.0.1:${port}/.well-known/openid-configuration`, handle, { timeoutMs: 60_000 });
  return { handle, port, url: `http://127.0.0.1:${port}`, rssAfterStartMB: round(rssMB(handle.pid), 1) };
}

/** Whether AuthHero's better-sqlite3 opens a database (its addon built and loadable by this Node). */
function sqliteLoads(dir) {
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: dir, stdio: 'ignore' });
  return probe.status === 0;
}

/** Copies Understudy's compiled better-sqlite3 addon into AuthHero's copy when the versions match. */
function reuseSqliteAddon(benchDir, dir, log) {
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
  if (ok) log(`  better-sqlite3 ${AUTHHERO_PACKAGES['better-sqlite3']}: reusing Understudy's compiled addon`);
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
