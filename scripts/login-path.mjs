// Which source files one Universal Login email-code login runs code in: /authorize → identifier
// screen → code screen → /authorize/resume → /oauth/token, against the compiled app (dist/), in this
// process, with V8's precise coverage. A first login warms every lazy path and is not counted; the
// second is. A file counts when any of its functions ran during the second login, so modules that
// were only loaded (or whose code ran at start-up) do not. The dev API call that reads the code from
// the mailbox is the test's, not the login's, so what runs during it is left out.
//   npm run build && node scripts/login-path.mjs [--list]
import { Session } from 'node:inspector/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { pino } from 'pino';
import { buildApp } from '../dist/app.js';
import { loadPersistentKeys } from '../dist/config/data-dir.js';
import { buildTenant } from '../dist/config/tenant-file.js';
import { BENCH_DEV_TOKEN, UNDERSTUDY_WEB, understudyPageLogin } from '../bench/lib/logins.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const c = UNDERSTUDY_WEB;
const tenantFile = {
  clients: [{ name: 'Login path', client_id: c.clientId, client_secret: c.clientSecret, app_type: 'regular_web', token_endpoint_auth_method: 'client_secret_post', callbacks: [c.redirectUri] }],
  connections: [{ name: 'email', strategy: 'email' }],
  rate_limits: false,
};

const dataDir = mkdtempSync(join(tmpdir(), 'understudy-login-path-'));
const { tenant } = buildTenant(tenantFile, 'login-path tenant', 'login-path-client-secrets');
const app = await buildApp({ issuer: 'http://127.0.0.1/', tenant, keys: await loadPersistentKeys(dataDir), devToken: BENCH_DEV_TOKEN, logger: pino({ level: process.env.LOG ?? 'silent' }), rateLimits: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const pool = new Pool(`http://127.0.0.1:${app.server.address().port}`);

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
const counted = new Map();
/** Takes (and so resets) the counts; keeps the scripts that ran code when `keep`. */
async function takeCoverage(keep) {
  const { result } = await session.post('Profiler.takePreciseCoverage');
  if (keep) for (const script of result) if (script.functions.some((fn) => fn.ranges[0].count > 0)) counted.set(script.url, script);
}
/** The pool as the login sees it, with the dev API's own work kept out of the counts. */
const loginPool = {
  async request(options) {
    if (!options.path.startsWith('/_dev/')) return pool.request(options);
    await takeCoverage(true);
    const response = await pool.request(options);
    const text = await response.body.text();
    await takeCoverage(false);
    return { ...response, body: { text: async () => text } };
  },
};
await understudyPageLogin(loginPool, 'warm-up@example.com', 1);
await takeCoverage(false);
await understudyPageLogin(loginPool, 'counted@example.com', 2);
await takeCoverage(true);
session.disconnect();
await pool.close();
await app.close();
rmSync(dataDir, { recursive: true, force: true });

const files = [...counted.keys()]
  // Modules compiled from src/ (generated ones, such as the route schemas' validators, have no source there).
  .filter((url) => url.startsWith('file://') && fileURLToPath(url).startsWith(dist + '/') && url.endsWith('.js'))
  .map((url) => relative(dist, fileURLToPath(url)).replace(/\.js$/, '.ts'))
  .sort();
const lines = files.reduce((sum, file) => sum + readFileSync(join(root, 'src', file), 'utf8').split('\n').length, 0);
if (process.argv.includes('--list')) for (const file of files) console.log(`  src/${file}`);
console.log(`An email-code login runs code in ${files.length} files of src/ (${lines} lines).`);
