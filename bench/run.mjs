#!/usr/bin/env node
// `npm run bench` (full, under 10 minutes on 2 cores) and `npm run bench -- --quick` (under 60 s).
// Understudy (compiled dist/, never tsx) side by side with oidc-provider, oauth2-mock-server, a bare
// Fastify + jose route (the ceiling for a signing endpoint) and, for the page-login figure, AuthHero
// 0.162.0. Prints one table and writes bench/results/latest.json (README.md, "Performance").
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import autocannon from 'autocannon';
import { cpuMs, freePort, rssMiB, spawnNode, stopAll, waitFor200 } from './lib/procs.mjs';
import { median, round } from './lib/stats.mjs';
import { hammer, warmUp } from './lib/load.mjs';
import { runFlow } from './lib/flows.mjs';
import { BENCH_DEV_TOKEN, authheroPageLogin, understudyApiLogin, understudyPageLogin } from './lib/logins.mjs';
import { joseLoop, nodeCryptoLoop } from './lib/signing.mjs';
import { AUTHHERO_PACKAGES, ensureAuthHero } from './lib/authhero.mjs';
import { BENCH_ACTIONS, actionsHostPids, checkActionClaims, writeActionsExports } from './lib/actions-tenant.mjs';
import { findRedisServer, redisVersion, startRedis } from './lib/redis.mjs';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(BENCH, '..');
const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const NO_AUTHHERO = args.has('--no-authhero');
// --only=token,scale runs some figures (signing, coldstart, token, password, logins, memory, flood, stores, scale,
// actions, actionsSoak); the default is all.
const ONLY = new Set([...args].find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',') ?? []);
const wanted = (name) => ONLY.size === 0 || ONLY.has(name);

// Every loop below is bounded by these counts and durations.
const P = QUICK
  ? { signMs: 200, signReps: 1, coldRuns: 1, tokenConnections: 20, tokenWarm: 200, tokenS: 1, tokenReps: 1, users: 50, loginWarmMs: 200, loginMs: 1000, loginReps: 1, memLogins: 300, soakLogins: 600, soakSamples: 3, soakUsers: 300, storeWarmMs: 0, storeMs: 500, storeReps: 1, scaleUsers: 2_000, scaleMs: 700, scaleReps: 1, floodRequests: 12_000, floodSamples: 3, floodLogins: 100, actionsReps: 1, actionsSoakLogins: 600 }
  : { signMs: 1000, signReps: 3, coldRuns: 5, tokenConnections: 20, tokenWarm: 2000, tokenS: 5, tokenReps: 3, users: 50, loginWarmMs: 2000, loginMs: 6000, loginReps: 3, memLogins: 10_000, soakLogins: 100_000, soakSamples: 10, soakUsers: 1_000, storeWarmMs: 1000, storeMs: 3000, storeReps: 2, scaleUsers: 100_000, scaleMs: 6000, scaleReps: 3, floodRequests: 100_000, floodSamples: 10, floodLogins: 500, actionsReps: 5, actionsSoakLogins: 50_000 };
const BASELINE_USERS = 100;
const MB = 1.048576; // MiB → MB (10^6 bytes), the unit of the issue's targets

const t0 = Date.now();
const log = (line) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
const work = mkdtempSync(join(tmpdir(), 'understudy-bench-'));
const API = 'https://bench.example/api';
const M2M = { id: 'bench-m2m', secret: 'bench-m2m-secret' };

const results = {
  generatedAt: new Date().toISOString(),
  mode: QUICK ? 'quick' : 'full',
  machine: {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGB: round(totalmem() / 1e9, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((x) => round(x, 2)),
  },
  params: P,
  figures: {},
  targets: [],
  notes: [],
};

// ---------------------------------------------------------------------------------------------
// Fixtures: one RS256 key for every server, Understudy data folders and a bench tenant file.
function fixtures() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench' };
  const keyFile = join(work, 'key.json');
  writeFileSync(keyFile, JSON.stringify(jwk));
  const dataDir = join(work, 'understudy-data');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'signing-key.json'), JSON.stringify(jwk));
  writeFileSync(join(dataDir, 'master-secret'), randomBytes(32).toString('base64url'));
  // The embedded default tenant's clients and connections, plus an API for client_credentials.
  const tenant = {
    tenant: { friendly_name: 'Understudy Bench' },
    clients: [
      { name: 'Understudy Web', client_id: 'understudy-web', client_secret: 'understudy-web-secret', app_type: 'regular_web', token_endpoint_auth_method: 'client_secret_post', callbacks: ['http://localhost:3000/callback'], allowed_logout_urls: ['http://localhost:3000'], web_origins: ['http://localhost:3000'] },
      { name: 'Bench M2M', client_id: M2M.id, client_secret: M2M.secret, app_type: 'non_interactive', token_endpoint_auth_method: 'client_secret_post' },
    ],
    connections: [{ name: 'email', strategy: 'email', options: { totp: { length: 6, time_step: 180 } } }],
    resourceServers: [{ identifier: API, name: 'Bench API', scopes: [{ value: 'read:bench' }] }],
    // Rate limits off twice over: here and UNDERSTUDY_RATE_LIMITS=off (an unknown key to a build without them).
    rate_limits: false,
  };
  const tenantFile = join(work, 'tenant.json');
  writeFileSync(tenantFile, JSON.stringify(tenant));
  return { jwk, keyFile, dataDir, tenantFile, tenant };
}

// ---------------------------------------------------------------------------------------------
// The servers. Each kind knows how to start, where its discovery is, and how to ask for one token.
function serverKinds(fx) {
  const understudyEnv = (port, dataDir) => ({
    PORT: String(port), HOST: '127.0.0.1', ISSUER_BASE_URL: `http://127.0.0.1:${port}/`, UNDERSTUDY_DATA_DIR: dataDir,
    UNDERSTUDY_CONFIG: fx.tenantFile, LOG_FORMAT: 'json', UNDERSTUDY_RATE_LIMITS: 'off', UNDERSTUDY_DEV_TOKEN: BENCH_DEV_TOKEN,
    // The launcher's module compile cache (Node 22.1+), in the bench's own folder: the first start fills it.
    NODE_COMPILE_CACHE: join(work, 'compile-cache'),
  });
  const ccBody = (extra) => new URLSearchParams({ grant_type: 'client_credentials', client_id: M2M.id, client_secret: M2M.secret, scope: 'read:bench', ...extra }).toString();
  return {
    understudy: {
      label: 'Understudy',
      env: understudyEnv,
      start: (port) => spawnNode('understudy', [join(ROOT, 'dist/understudy.js')], { env: understudyEnv(port, fx.dataDir) }),
      discovery: '/.well-known/openid-configuration', tokenPath: '/oauth/token', tokenBody: ccBody({ audience: API }),
    },
    'understudy-no-cache': {
      label: 'Understudy, compile cache off',
      start: (port) => spawnNode('understudy (no compile cache)', [join(ROOT, 'dist/understudy.js')], { env: { ...understudyEnv(port, fx.dataDir), NODE_DISABLE_COMPILE_CACHE: '1' } }),
      discovery: '/.well-known/openid-configuration', tokenPath: '/oauth/token', tokenBody: ccBody({ audience: API }),
    },
    'understudy-first': {
      label: 'Understudy, first start (key generated)',
      start: (port) => {
        const dir = join(work, `first-${port}-${randomBytes(3).toString('hex')}`);
        return spawnNode('understudy (first start)', [join(ROOT, 'dist/understudy.js')], { env: understudyEnv(port, dir) });
      },
      discovery: '/.well-known/openid-configuration', tokenPath: '/oauth/token', tokenBody: ccBody({ audience: API }),
    },
    'oidc-provider': {
      label: 'oidc-provider 9.13.3',
      start: (port) => spawnNode('oidc-provider', [join(BENCH, 'peers/oidc-provider.mjs')], { env: { PORT: String(port), KEY_FILE: fx.keyFile } }),
      discovery: '/.well-known/openid-configuration', tokenPath: '/token', tokenBody: ccBody({ resource: API }),
    },
    'oauth2-mock-server': {
      label: 'oauth2-mock-server 8.2.3',
      start: (port) => spawnNode('oauth2-mock-server', [join(BENCH, 'peers/oauth2-mock-server.mjs')], { env: { PORT: String(port), KEY_FILE: fx.keyFile } }),
      discovery: '/.well-known/openid-configuration', tokenPath: '/token', tokenBody: ccBody({ audience: API }),
    },
    'bare-fastify': {
      label: 'bare Fastify + jose route',
      start: (port) => spawnNode('bare fastify', [join(BENCH, 'peers/bare-fastify.mjs')], { env: { PORT: String(port), KEY_FILE: fx.keyFile } }),
      discovery: '/.well-known/openid-configuration', tokenPath: '/oauth/token', tokenBody: ccBody({ audience: API }),
    },
    'bare-node': {
      label: 'bare node:http (no token)',
      start: (port) => spawnNode('bare node', [join(BENCH, 'peers/bare-node.mjs')], { env: { PORT: String(port) } }),
      discovery: '/', tokenPath: undefined,
    },
  };
}

async function startServer(kind, name) {
  const port = await freePort();
  const handle = kind.start(port);
  await waitFor200(`http://127.0.0.1:${port}${kind.discovery}`, handle);
  return { handle, port, url: `http://127.0.0.1:${port}`, name };
}

/** One token, checked: an RS256 JWT for the bench API. Returns its decoded header and payload. */
async function oneToken(server, kind) {
  const res = await request(`${server.url}${kind.tokenPath}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: kind.tokenBody });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${kind.label}: token endpoint answered ${res.statusCode}: ${text.slice(0, 300)}`);
  const token = JSON.parse(text).access_token;
  const [h, p] = String(token).split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
  if (header.alg !== 'RS256') throw new Error(`${kind.label}: access token is not RS256 (${header.alg})`);
  return { header, payload };
}

/** Runs `login` from P.users virtual users for `ms` against one server; adds the server's CPU per login. */
async function timedFlow(server, login, ms, extra = {}) {
  const cpu0 = cpuMs(server.handle.pid);
  const run = await runFlow({ origin: server.url, concurrency: P.users, durationMs: ms, login, ...extra });
  run.cpuMsPerLogin = (cpuMs(server.handle.pid) - cpu0) / run.logins;
  return run;
}

/** Medians of repeated flow runs, with every run kept for the JSON. */
function flowSummary(list) {
  return {
    perSecond: round(median(list.map((x) => x.perSecond)), 1),
    p50: round(median(list.map((x) => x.p50)), 1),
    p99: round(median(list.map((x) => x.p99)), 1),
    cpuMsPerLogin: round(median(list.map((x) => x.cpuMsPerLogin)), 2),
    logins: list.reduce((n, x) => n + x.logins, 0),
    errors: list.reduce((n, x) => n + x.errors, 0),
    errorSamples: list.flatMap((x) => x.errorSamples).slice(0, 3),
    runs: list.map((x) => ({ perSecond: round(x.perSecond, 1), p50: round(x.p50, 1), p99: round(x.p99, 1), cpuMsPerLogin: round(x.cpuMsPerLogin, 2), logins: x.logins, errors: x.errors })),
  };
}

// ---------------------------------------------------------------------------------------------
// (1) Signing limit
async function signingLimit(fx) {
  log(`(1) RS256 signing limit: ${P.signReps} × ${P.signMs} ms per variant`);
  const nodeRuns = [];
  const joseRuns = [];
  const jose8Runs = [];
  for (let r = 0; r < P.signReps; r++) {
    nodeRuns.push(nodeCryptoLoop(fx.jwk, P.signMs));
    joseRuns.push(await joseLoop(fx.jwk, P.signMs, 1));
    jose8Runs.push(await joseLoop(fx.jwk, P.signMs, 8));
  }
  results.figures.signing = {
    nodeCryptoPerCore: round(median(nodeRuns)),
    josePerCoreSequential: round(median(joseRuns)),
    jose8InFlight: round(median(jose8Runs)),
    runs: { nodeCrypto: nodeRuns.map((x) => round(x)), jose: joseRuns.map((x) => round(x)), jose8: jose8Runs.map((x) => round(x)) },
  };
}

// ---------------------------------------------------------------------------------------------
// (2) Cold start: spawn → first 200 on discovery, then the first token; RSS at that moment.
async function coldStart(kinds) {
  // The compile cache exists from Node 22.1 on; on older lines the row would repeat 'understudy'.
  const compileCache = typeof (await import('node:module')).default.enableCompileCache === 'function';
  const order = ['bare-node', 'bare-fastify', 'understudy', ...(compileCache ? ['understudy-no-cache'] : []), 'understudy-first', 'oidc-provider', 'oauth2-mock-server'];
  log(`(2) cold start: ${P.coldRuns} rounds × ${order.length} servers, interleaved`);
  const runs = Object.fromEntries(order.map((k) => [k, { discovery: [], token: [], rss: [] }]));
  for (let r = 0; r < P.coldRuns; r++) {
    for (const key of r % 2 ? [...order].reverse() : order) {
      const kind = kinds[key];
      const port = await freePort();
      const spawnedAt = performance.now();
      const handle = kind.start(port);
      try {
        const { at } = await waitFor200(`http://127.0.0.1:${port}${kind.discovery}`, handle);
        runs[key].discovery.push(at - spawnedAt);
        if (kind.tokenPath) {
          await oneToken({ url: `http://127.0.0.1:${port}` }, kind);
          runs[key].token.push(performance.now() - spawnedAt);
        }
        runs[key].rss.push(rssMiB(handle.pid) * MB);
      } finally {
        await handle.stop();
      }
    }
  }
  results.figures.coldStart = Object.fromEntries(
    order.map((k) => [k, {
      label: kinds[k].label,
      discoveryMs: round(median(runs[k].discovery)),
      firstTokenMs: round(median(runs[k].token)),
      rssAtFirstTokenMB: round(median(runs[k].rss), 1),
      runs: { discoveryMs: runs[k].discovery.map((x) => round(x)), firstTokenMs: runs[k].token.map((x) => round(x)) },
    }]),
  );
}

// ---------------------------------------------------------------------------------------------
// (4) Token endpoint: client_credentials at fixed concurrency, all servers up at once, measured in
// rounds (the order rotates each round) so each ratio compares runs made minutes apart at most.
async function tokenEndpoint(kinds) {
  const order = ['understudy', 'bare-fastify', 'oidc-provider', 'oauth2-mock-server'];
  log(`(4) token endpoint: ${order.length} servers × ${P.tokenReps} rounds × ${P.tokenS} s at ${P.tokenConnections} connections (after ${P.tokenWarm} warm-up tokens each)`);
  const servers = Object.fromEntries(await Promise.all(order.map(async (key) => [key, await startServer(kinds[key], key)])));
  const out = {};
  for (const key of order) {
    const { header, payload } = await oneToken(servers[key], kinds[key]);
    out[key] = { label: kinds[key].label, token: { typ: header.typ, alg: header.alg, aud: payload.aud }, rssAfterStartMB: round(rssMiB(servers[key].handle.pid) * MB, 1), runs: [] };
    await warmUp({ url: `${servers[key].url}${kinds[key].tokenPath}`, body: kinds[key].tokenBody, connections: P.tokenConnections, count: P.tokenWarm });
  }
  const ratios = { 'bare-fastify': [], 'oidc-provider': [], 'oauth2-mock-server': [] };
  for (let r = 0; r < P.tokenReps; r++) {
    const round_ = {};
    const rotated = order.slice(r % order.length).concat(order.slice(0, r % order.length));
    for (const key of rotated) {
      const cpu0 = cpuMs(servers[key].handle.pid);
      const res = await hammer({ url: `${servers[key].url}${kinds[key].tokenPath}`, body: kinds[key].tokenBody, connections: P.tokenConnections, seconds: P.tokenS });
      res.cpuUsPerToken = ((cpuMs(servers[key].handle.pid) - cpu0) * 1000) / res.ok;
      out[key].runs.push(res);
      round_[key] = res.perSecond;
      if (res.non2xx || res.errors) log(`  ${key}: ${res.non2xx} non-2xx, ${res.errors} errors in round ${r + 1}`);
    }
    for (const peer of Object.keys(ratios)) ratios[peer].push(round_.understudy / round_[peer]);
    log(`  round ${r + 1}: ${order.map((k) => `${k} ${round(round_[k])}/s`).join(', ')}`);
  }
  for (const key of order) {
    const runs = out[key].runs;
    Object.assign(out[key], {
      perSecond: round(median(runs.map((x) => x.perSecond))),
      p50: round(median(runs.map((x) => x.p50)), 1),
      p99: round(median(runs.map((x) => x.p99)), 1),
      cpuUsPerToken: round(median(runs.map((x) => x.cpuUsPerToken))),
      failed: runs.reduce((s, x) => s + x.non2xx + x.errors, 0),
      requests: runs.reduce((s, x) => s + x.ok, 0),
      rssAfterLoadMB: round(rssMiB(servers[key].handle.pid) * MB, 1),
      runs: runs.map((x) => ({ perSecond: round(x.perSecond), p50: x.p50, p99: x.p99, cpuUsPerToken: round(x.cpuUsPerToken), non2xx: x.non2xx, errors: x.errors })),
    });
  }
  out.understudy.ratioTo = Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, round(median(v), 3)]));
  out.understudy.ratioRuns = Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, v.map((x) => round(x, 3))]));
  results.figures.token = out;
  for (const key of order) await servers[key].handle.stop();
}

// ---------------------------------------------------------------------------------------------
// (4b) Password grant: Cypress's loginByAuth0Api body (password-realm, JSON) against a database user,
// at the token figure's concurrency. Each token is a scrypt check, a login counted, an ID token and an
// access token: two RS256 signatures. Its own tenant file, so the other figures' tenant is untouched.
async function passwordGrantFigure(kinds) {
  log(`(4b) password grant: ${P.tokenReps} rounds × ${P.tokenS} s at ${P.tokenConnections} connections (after ${P.tokenWarm} warm-up tokens)`);
  const db = 'Username-Password-Authentication';
  const client = { id: 'bench-fixture', secret: 'bench-fixture-secret' };
  const tenantFile = join(work, 'tenant-password.json');
  writeFileSync(tenantFile, JSON.stringify({
    tenant: { friendly_name: 'Understudy Bench', default_directory: db },
    clients: [{ name: 'Bench Fixture', client_id: client.id, client_secret: client.secret, app_type: 'regular_web', grant_types: ['http://auth0.com/oauth/grant-type/password-realm', 'password'] }],
    connections: [{ name: db, strategy: 'auth0' }],
    resourceServers: [{ identifier: API, name: 'Bench API', scopes: [{ value: 'read:bench' }] }],
    users: [{ connection: db, email: 'fixture@bench.example', password: 'correct horse battery' }],
    rate_limits: false,
  }));
  const port = await freePort();
  const handle = spawnNode('understudy (password grant)', [join(ROOT, 'dist/understudy.js')], { env: { ...kinds.understudy.env(port, join(work, 'understudy-data')), UNDERSTUDY_CONFIG: tenantFile } });
  const url = `http://127.0.0.1:${port}/oauth/token`;
  await waitFor200(`http://127.0.0.1:${port}/.well-known/openid-configuration`, handle);
  const body = JSON.stringify({ grant_type: 'http://auth0.com/oauth/grant-type/password-realm', realm: db, username: 'fixture@bench.example', password: 'correct horse battery', audience: API, scope: 'openid profile email', client_id: client.id, client_secret: client.secret });
  const headers = { 'content-type': 'application/json' };
  const first = await request(url, { method: 'POST', headers, body });
  const text = await first.body.text();
  if (first.statusCode !== 200 || !JSON.parse(text).id_token) throw new Error(`password grant answered ${first.statusCode}: ${text.slice(0, 300)}`);
  await warmUp({ url, body, headers, connections: P.tokenConnections, count: P.tokenWarm });
  const runs = [];
  for (let r = 0; r < P.tokenReps; r++) {
    const cpu0 = cpuMs(handle.pid);
    const res = await hammer({ url, body, headers, connections: P.tokenConnections, seconds: P.tokenS });
    res.cpuUsPerToken = ((cpuMs(handle.pid) - cpu0) * 1000) / res.ok;
    runs.push(res);
    log(`  round ${r + 1}: ${round(res.perSecond)}/s${res.non2xx || res.errors ? `, ${res.non2xx} non-2xx, ${res.errors} errors` : ''}`);
  }
  results.figures.passwordGrant = {
    label: 'Understudy, password-realm grant (Cypress loginByAuth0Api body)',
    perSecond: round(median(runs.map((x) => x.perSecond))),
    p50: round(median(runs.map((x) => x.p50)), 1),
    p99: round(median(runs.map((x) => x.p99)), 1),
    cpuUsPerToken: round(median(runs.map((x) => x.cpuUsPerToken))),
    failed: runs.reduce((n, x) => n + x.non2xx + x.errors, 0),
    runs: runs.map((x) => ({ perSecond: round(x.perSecond), p50: x.p50, p99: x.p99, cpuUsPerToken: round(x.cpuUsPerToken), non2xx: x.non2xx, errors: x.errors })),
  };
  await handle.stop();
}

// ---------------------------------------------------------------------------------------------
// (5) Full logins: Understudy's API login and page login; AuthHero's page login in the same rounds.
async function logins(kinds, installed) {
  let authhero = installed;
  log(`(5) full logins: ${P.loginReps} rounds × ${P.loginMs / 1000} s each flow, ${P.users} concurrent users${authhero.ok ? ', AuthHero page flow in the same rounds' : ''}`);
  // AuthHero failing to start costs its column, not the run.
  const [us, ah] = await Promise.all([
    startServer(kinds.understudy, 'understudy'),
    authhero.ok
      ? startAuthHero(authhero.dir).catch((err) => {
          authhero = { ok: false, reason: `did not start: ${err.message.slice(0, 300)}` };
          log(`AuthHero column: ${authhero.reason}`);
          return undefined;
        })
      : undefined,
  ]);
  const apiLogin = (pool, w, i) => understudyApiLogin(pool, `api-${w}-${i % 2}@bench.example`);
  const pageLogin = (pool, w, i) => understudyPageLogin(pool, `page-${w}-${i % 2}@bench.example`, i);
  const ahLogin = (pool, w, i) => authheroPageLogin(pool, `page-${w}-${i % 2}@bench.example`, i);
  await timedFlow(us, apiLogin, P.loginWarmMs);
  await timedFlow(us, pageLogin, P.loginWarmMs);
  if (ah) await timedFlow(ah, ahLogin, P.loginWarmMs);
  const runs = { api: [], page: [], authhero: [] };
  const ratios = [];
  const cpuRatios = [];
  for (let r = 0; r < P.loginReps; r++) {
    runs.api.push(await timedFlow(us, apiLogin, P.loginMs));
    runs.page.push(await timedFlow(us, pageLogin, P.loginMs));
    if (ah) {
      runs.authhero.push(await timedFlow(ah, ahLogin, P.loginMs));
      ratios.push(runs.page.at(-1).perSecond / runs.authhero.at(-1).perSecond);
      cpuRatios.push(runs.authhero.at(-1).cpuMsPerLogin / runs.page.at(-1).cpuMsPerLogin);
    }
    log(`  round ${r + 1}: API ${round(runs.api.at(-1).perSecond)}/s, pages ${round(runs.page.at(-1).perSecond)}/s${ah ? `, AuthHero pages ${round(runs.authhero.at(-1).perSecond, 1)}/s` : ''}`);
  }
  results.figures.logins = {
    concurrency: P.users,
    understudyApi: flowSummary(runs.api),
    understudyPages: { ...flowSummary(runs.page), rssAfterMB: round(rssMiB(us.handle.pid) * MB, 1) },
    authhero: ah
      ? { label: `AuthHero ${AUTHHERO_PACKAGES.authhero} (+ kysely-adapter ${AUTHHERO_PACKAGES['@authhero/kysely-adapter']}, SQLite in memory)`, ...flowSummary(runs.authhero), rssAfterStartMB: ah.rssAfterStartMB, rssAfterMB: round(rssMiB(ah.handle.pid) * MB, 1), ratioUnderstudyPages: round(median(ratios), 1), ratioRuns: ratios.map((x) => round(x, 1)), cpuRatio: round(median(cpuRatios), 1) }
      : { skipped: authhero.reason },
  };
  await us.handle.stop();
  if (ah) await ah.handle.stop();
}

async function startAuthHero(dir) {
  const port = await freePort();
  // SQLite in memory: no disk I/O at all, the most favourable storage for it (a file on a busy disk
  // spends tens of ms per write in fsync).
  const handle = spawnNode('authhero', [join(dir, 'server.mjs')], { cwd: dir, env: { PORT: String(port), DB_FILE: ':memory:' } });
  await waitFor200(`http://127.0.0.1:${port}/.well-known/openid-configuration`, handle, { timeoutMs: 60_000 });
  return { handle, port, url: `http://127.0.0.1:${port}`, rssAfterStartMB: round(rssMiB(handle.pid) * MB, 1) };
}

// ---------------------------------------------------------------------------------------------
// (3) Memory: a fresh Understudy, RSS after start, then N API logins by N different users; then the
// soak: P.soakLogins more logins cycling through a fixed set of those users, RSS sampled as it goes.
// Users are the only thing a login may add for good, and the soak adds none, so anything that grows
// after the first samples is a leak: codes, mailbox messages and expired records must all go.
async function memory(kinds) {
  log(`(3) memory: RSS after start and after ${P.memLogins.toLocaleString('en')} API logins by as many new users; soak: ${P.soakLogins.toLocaleString('en')} logins by ${P.soakUsers.toLocaleString('en')} returning users`);
  const us = await startServer(kinds.understudy, 'understudy');
  await sleep(1000);
  const rssStart = rssMiB(us.handle.pid) * MB;
  const fresh = await runFlow({
    origin: us.url, concurrency: P.users, durationMs: 240_000, maxLogins: P.memLogins,
    login: (pool, w, i) => understudyApiLogin(pool, `mem-${w}-${i}@bench.example`),
  });
  const rssAfter = rssMiB(us.handle.pid) * MB;
  // Each virtual user w cycles through its own share of the returning users, so no two logins of
  // one address ever overlap (a second code would replace the first).
  const perWorker = Math.max(1, Math.floor(P.soakUsers / P.users));
  const returning = (pool, w, i) => understudyApiLogin(pool, `mem-${w}-${i % perWorker}@bench.example`);
  const chunk = Math.ceil(P.soakLogins / P.soakSamples);
  const samples = [{ logins: 0, rssMB: round(rssAfter, 1) }];
  let soakLogins = 0;
  let soakErrors = 0;
  const soakStart = performance.now();
  while (soakLogins + soakErrors < P.soakLogins) {
    const run = await runFlow({ origin: us.url, concurrency: P.users, durationMs: 600_000, maxLogins: Math.min(chunk, P.soakLogins - soakLogins - soakErrors), login: returning });
    soakLogins += run.logins;
    soakErrors += run.errors;
    samples.push({ logins: soakLogins, rssMB: round(rssMiB(us.handle.pid) * MB, 1) });
    if (run.errors && run.logins === 0) break;
  }
  const soakSeconds = (performance.now() - soakStart) / 1000;
  await us.handle.stop();
  // "Flat": from the second sample on (the first chunk still warms caches and grows the heap to its
  // working size), RSS stays within a 10 MB band (highest minus lowest sample) over the remaining logins.
  const settled = samples.slice(2).map((x) => x.rssMB);
  results.figures.memory = {
    rssAfterStartMB: round(rssStart, 1),
    logins: fresh.logins,
    errors: fresh.errors,
    rssAfterLoginsMB: round(rssAfter, 1),
    perSecond: round(fresh.perSecond, 1),
    soak: {
      users: perWorker * P.users,
      logins: soakLogins,
      errors: soakErrors,
      perSecond: round(soakLogins / soakSeconds, 1),
      samples,
      rssFirstMB: samples[1]?.rssMB,
      rssLastMB: samples.at(-1).rssMB,
      settledFromLogins: samples[2]?.logins,
      settledGrowthMB: settled.length >= 2 ? round(settled.at(-1) - settled[0], 1) : undefined,
      settledRangeMB: settled.length >= 2 ? round(Math.max(...settled) - Math.min(...settled), 1) : undefined,
      settledMaxMB: settled.length ? Math.max(...settled) : undefined,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// (3c) /authorize flood: each /authorize keeps a login transaction for 30 minutes with the caller's
// parameters (here a 2,000-character state, near the 2,048 bound). The per-IP limit is off, as it is
// for every figure, so this measures the other bound: the memory store's cap on live logins (10,000,
// the oldest unauthenticated ones making room). Between chunks of the flood, real API logins still
// have to succeed. Target: from the sample after the cap is reached on, RSS stays within 25 MB.
const FLOOD_HEAP_MB = 96;
async function authorizeFlood(kinds, fx) {
  log(`(3c) /authorize flood: ${P.floodRequests.toLocaleString('en')} /authorize calls with a 2,000-character state, ${P.floodLogins} API logins after each of ${P.floodSamples} chunks`);
  // A small old space (96 MB) makes the point sharper: without the cap the live logins alone would
  // outgrow it and the process would die of heap exhaustion; with it, the heap stays put.
  const port = await freePort();
  const handle = spawnNode('understudy (96 MB heap)', [`--max-old-space-size=${FLOOD_HEAP_MB}`, join(ROOT, 'dist/understudy.js')], { env: kinds.understudy.env(port, fx.dataDir) });
  await waitFor200(`http://127.0.0.1:${port}/.well-known/openid-configuration`, handle);
  const us = { url: `http://127.0.0.1:${port}`, handle };
  await sleep(500);
  const query = new URLSearchParams({ client_id: 'understudy-web', redirect_uri: 'http://localhost:3000/callback', response_type: 'code', scope: 'openid', state: 's'.repeat(2000), nonce: 'n'.repeat(200) });
  const samples = [{ requests: 0, rssMB: round(rssMiB(us.handle.pid) * MB, 1) }];
  const chunk = Math.ceil(P.floodRequests / P.floodSamples);
  let sent = 0;
  let refused = 0;
  let logins = 0;
  let loginErrors = 0;
  const started = performance.now();
  while (sent < P.floodRequests) {
    const result = await autocannon({ url: `${us.url}/authorize?${query}`, method: 'GET', connections: 20, amount: chunk, pipelining: 1, timeout: 10 });
    sent += chunk;
    refused += (result['2xx'] ?? 0) + (result['4xx'] ?? 0) + (result['5xx'] ?? 0) + (result.errors ?? 0);
    const run = await runFlow({ origin: us.url, concurrency: 10, durationMs: 60_000, maxLogins: P.floodLogins, login: (pool, w, i) => understudyApiLogin(pool, `flood-${sent}-${w}-${i}@bench.example`) });
    logins += run.logins;
    loginErrors += run.errors;
    samples.push({ requests: sent, rssMB: round(rssMiB(us.handle.pid) * MB, 1) });
  }
  const seconds = (performance.now() - started) / 1000;
  const survived = us.handle.alive();
  await us.handle.stop();
  // The cap (10,000 live logins) is reached within the first 10,000 requests: count from the sample after.
  const settled = samples.filter((x) => x.requests > 10_000).map((x) => x.rssMB);
  results.figures.authorizeFlood = {
    heapLimitMB: FLOOD_HEAP_MB,
    survived,
    requests: sent,
    // Anything but the 302 to the login screen (there should be none).
    notRedirected: refused,
    perSecond: round(sent / seconds, 1),
    logins,
    loginErrors,
    samples,
    settledRangeMB: settled.length >= 2 ? round(Math.max(...settled) - Math.min(...settled), 1) : undefined,
    settledMaxMB: settled.length ? Math.max(...settled) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// (7) Stores: the API and page logins on the memory, SQLite and Redis stores, one server per store,
// measured in alternating rounds. SQLite writes to a file in a fresh data folder (WAL, synchronous
// NORMAL: every acknowledged write survives a crash of the process); Redis is a local redis-server
// without persistence, as a CI job would run it.
async function stores(fx, kinds) {
  const redisBinary = findRedisServer();
  const plan = [
    { key: 'memory', label: 'memory', setting: 'memory' },
    { key: 'sqlite', label: 'SQLite (better-sqlite3, WAL)', setting: 'sqlite:' },
    { key: 'redis', label: `Redis ${redisBinary ? redisVersion(redisBinary) : ''} (local redis-server)`.replace('  ', ' '), setting: redisBinary ? 'redis' : undefined, skipped: 'not run: no redis-server on PATH (apt-get install redis-server, or REDIS_SERVER=<binary>)' },
  ];
  let redis;
  if (redisBinary) {
    try {
      redis = await startRedis(redisBinary);
    } catch (err) {
      Object.assign(plan[2], { setting: undefined, skipped: `not run: redis-server did not start: ${err.message.slice(0, 200)}` });
    }
  }
  log(`(7) stores: ${plan.filter((x) => x.setting).map((x) => x.key).join(', ')}: ${P.storeReps} rounds × ${P.storeMs / 1000} s each of the API and page logins, ${P.users} concurrent users`);
  const servers = {};
  try {
    // A store that cannot start (better-sqlite3 is optional) costs its row, not the run.
    await Promise.all(plan.filter((x) => x.setting).map(async (item) => {
      const dataDir = join(work, `store-${item.key}`);
      mkdirSync(dataDir, { recursive: true });
      for (const file of ['signing-key.json', 'master-secret']) writeFileSync(join(dataDir, file), readFileSync(join(fx.dataDir, file)));
      const store = item.setting === 'redis' ? redis.url : item.setting;
      const port = await freePort();
      const handle = spawnNode(`understudy (${item.key})`, [join(ROOT, 'dist/understudy.js')], { env: { ...kinds.understudy.env(port, dataDir), UNDERSTUDY_STORE: store } });
      try {
        await waitFor200(`http://127.0.0.1:${port}/.well-known/openid-configuration`, handle);
        servers[item.key] = { handle, url: `http://127.0.0.1:${port}` };
      } catch (err) {
        await handle.stop();
        const reason = handle.stderr.split('\n').map((line) => line.trim()).filter(Boolean).slice(0, 2).join(' ') || err.message;
        Object.assign(item, { setting: undefined, skipped: `not run: did not start: ${reason.slice(0, 200)}` });
        log(`  ${item.key}: ${item.skipped}`);
      }
    }));
    const api = (tag) => (pool, w, i) => understudyApiLogin(pool, `${tag}-api-${w}-${i % 2}@bench.example`);
    const page = (tag) => (pool, w, i) => understudyPageLogin(pool, `${tag}-page-${w}-${i % 2}@bench.example`, i);
    const keys = plan.map((x) => x.key).filter((k) => servers[k]);
    const runs = Object.fromEntries(keys.map((k) => [k, { api: [], page: [] }]));
    for (const key of P.storeWarmMs ? keys : []) {
      await timedFlow(servers[key], api(key), P.storeWarmMs);
      await timedFlow(servers[key], page(key), P.storeWarmMs);
    }
    for (let r = 0; r < P.storeReps; r++) {
      for (const key of r % 2 ? [...keys].reverse() : keys) {
        runs[key].api.push(await timedFlow(servers[key], api(key), P.storeMs));
        runs[key].page.push(await timedFlow(servers[key], page(key), P.storeMs));
      }
      log(`  round ${r + 1}: ${keys.map((k) => `${k} API ${round(runs[k].api.at(-1).perSecond)}/s p99 ${round(runs[k].api.at(-1).p99)} ms, pages ${round(runs[k].page.at(-1).perSecond)}/s p99 ${round(runs[k].page.at(-1).p99)} ms`).join('; ')}`);
    }
    results.figures.stores = Object.fromEntries(plan.map((item) => [item.key, servers[item.key]
      ? { label: item.label, api: flowSummary(runs[item.key].api), pages: flowSummary(runs[item.key].page), rssAfterMB: round(rssMiB(servers[item.key].handle.pid) * MB, 1) }
      : { label: item.label, skipped: item.skipped }]));
  } finally {
    for (const server of Object.values(servers)) await server.handle.stop();
    await redis?.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// (6) Scale: the API login at 100 preloaded users vs 100,000 users + 100,000 pending codes.
async function scale(fx) {
  log(`(6) scale: ${BASELINE_USERS} vs ${P.scaleUsers.toLocaleString('en')} preloaded users (+ one pending code each), ${P.scaleReps} rounds × ${P.scaleMs / 1000} s`);
  const start = async (count) => {
    const port = await freePort();
    const readyFile = join(work, `ready-${count}.json`);
    const handle = spawnNode(`understudy seeded ${count}`, ['--expose-gc', join(BENCH, 'peers/understudy-seeded.mjs')], {
      env: { PORT: String(port), UNDERSTUDY_DATA_DIR: fx.dataDir, UNDERSTUDY_CONFIG: fx.tenantFile, SEED_USERS: String(count), READY_FILE: readyFile, UNDERSTUDY_RATE_LIMITS: 'off' },
    });
    await waitFor200(`http://127.0.0.1:${port}/.well-known/openid-configuration`, handle, { timeoutMs: 180_000 });
    for (let i = 0; i < 100 && !existsSync(readyFile); i++) await sleep(20);
    const ready = JSON.parse(readFileSync(readyFile, 'utf8'));
    return { handle, url: `http://127.0.0.1:${port}`, count, ready, rssReadyMB: rssMiB(handle.pid) * MB };
  };
  const [small, large] = await Promise.all([start(BASELINE_USERS), start(P.scaleUsers)]);
  // Worker w logs in as preloaded users w, w+50, w+100, … (random among its own), so no two workers
  // ever share an address and every login replaces a pending code.
  const login = (count) => (pool, w) => {
    const mine = Math.floor((count - 1 - w) / P.users) + 1;
    const index = w + P.users * Math.floor(Math.random() * mine);
    return understudyApiLogin(pool, `seed${index}@bench.example`);
  };
  const flow = (s, ms) => timedFlow(s, login(s.count), ms);
  await flow(small, P.loginWarmMs);
  await flow(large, P.loginWarmMs);
  const runs = { small: [], large: [] };
  const p99Ratios = [];
  for (let r = 0; r < P.scaleReps; r++) {
    const pair = r % 2 ? ['large', 'small'] : ['small', 'large'];
    for (const which of pair) runs[which].push(await flow(which === 'small' ? small : large, P.scaleMs));
    p99Ratios.push(runs.large.at(-1).p99 / runs.small.at(-1).p99);
    log(`  round ${r + 1}: ${BASELINE_USERS} users ${round(runs.small.at(-1).perSecond)}/s p99 ${round(runs.small.at(-1).p99, 1)} ms; ${P.scaleUsers} users ${round(runs.large.at(-1).perSecond)}/s p99 ${round(runs.large.at(-1).p99, 1)} ms`);
  }
  const summary = (s, list) => ({
    users: s.count,
    seedMs: round(s.ready.seedMs),
    heapUsedAfterSeedMB: round(s.ready.memory.heapUsed / 1e6, 1),
    rssAfterSeedMB: round(s.rssReadyMB, 1),
    rssAfterLoadMB: round(rssMiB(s.handle.pid) * MB, 1),
    ...flowSummary(list),
  });
  const a = summary(small, runs.small);
  const b = summary(large, runs.large);
  const users = large.count - small.count;
  results.figures.scale = {
    preload: 'bench-only entry (bench/peers/understudy-seeded.mjs): buildApp from dist/, users.create + otp.issue per user before listen',
    small: a,
    large: b,
    p99Ratio: round(median(p99Ratios), 2),
    p99RatioRuns: p99Ratios.map((x) => round(x, 2)),
    rssPerUserBytes: round(((large.rssReadyMB - small.rssReadyMB) * 1e6) / users),
    heapPerUserBytes: round((large.ready.memory.heapUsed - small.ready.memory.heapUsed) / users),
    rssGrowthDuringLoadMB: { small: round(a.rssAfterLoadMB - a.rssAfterSeedMB, 1), large: round(b.rssAfterLoadMB - b.rssAfterSeedMB, 1) },
  };
  await small.handle.stop();
  await large.handle.stop();
}

// ---------------------------------------------------------------------------------------------
// (8) Actions: figure 5's page login against two servers started from one Deploy CLI export, one
// with two bound post-login Actions (three claims from the event; one from event.authorization.roles)
// and one with the triggers emptied, measured in alternating rounds; each ratio is taken within its
// round. Every login's ID token is checked for the actions' claims (and, without Actions, for their
// absence), so a server that skipped the actions fails its logins instead of looking fast.
const BENCH_CLIENT_NAME = 'Understudy Web';

async function startWithExport(kinds, fx, dir, name) {
  const port = await freePort();
  const handle = spawnNode(name, [join(ROOT, 'dist/understudy.js')], { env: { ...kinds.understudy.env(port, fx.dataDir), UNDERSTUDY_CONFIG: dir } });
  await waitFor200(`http://127.0.0.1:${port}/.well-known/openid-configuration`, handle);
  return { handle, url: `http://127.0.0.1:${port}`, name };
}

async function actionsFigure(kinds, fx, exports) {
  log(`(8) Actions: page logins with two post-login Actions and without, ${P.actionsReps} rounds × ${P.loginMs / 1000} s each, ${P.users} concurrent users`);
  const [withActions, without] = await Promise.all([
    startWithExport(kinds, fx, exports.withActions, 'understudy (2 Actions)'),
    startWithExport(kinds, fx, exports.withoutActions, 'understudy (no Actions)'),
  ]);
  try {
    // Each action runs in a process of its own: their CPU and memory are summed.
    const hostPids = actionsHostPids(withActions.handle.pid);
    if (hostPids.length !== BENCH_ACTIONS.length) throw new Error(`expected ${BENCH_ACTIONS.length} Actions processes, found ${hostPids.length}`);
    if (actionsHostPids(without.handle.pid).length) throw new Error('the server without bound Actions started an Actions process');
    const hostsCpu = () => hostPids.reduce((sum, pid) => sum + cpuMs(pid), 0);
    const pageLogin = (expectClaims) => async (pool, w, i) => {
      const email = `actions-${w}-${i % 2}@bench.example`;
      checkActionClaims(await understudyPageLogin(pool, email, i), { email, clientName: BENCH_CLIENT_NAME, withActions: expectClaims });
    };
    // The host's CPU is the actions' own cost, on top of what the server spends to run them.
    const flow = async (server, ms) => {
      const hasActions = server === withActions;
      const hostCpu0 = hasActions ? hostsCpu() : undefined;
      const run = await timedFlow(server, pageLogin(hasActions), ms);
      if (hasActions) run.hostCpuMsPerLogin = (hostsCpu() - hostCpu0) / run.logins;
      return run;
    };
    await flow(withActions, P.loginWarmMs);
    await flow(without, P.loginWarmMs);
    const runs = { with: [], without: [] };
    const ratios = [];
    // CPU per login (the server's, plus the host's with Actions) moves less than throughput when other
    // work shares the cores: the cost ratio is reported beside the throughput ratio.
    const costRatios = [];
    const measuredFrom = performance.now();
    for (let r = 0; r < P.actionsReps; r++) {
      for (const which of r % 2 ? ['without', 'with'] : ['with', 'without']) runs[which].push(await flow(which === 'with' ? withActions : without, P.loginMs));
      ratios.push(runs.with.at(-1).perSecond / runs.without.at(-1).perSecond);
      costRatios.push((runs.with.at(-1).cpuMsPerLogin + runs.with.at(-1).hostCpuMsPerLogin) / runs.without.at(-1).cpuMsPerLogin);
      log(`  round ${r + 1}: with Actions ${round(runs.with.at(-1).perSecond)}/s, without ${round(runs.without.at(-1).perSecond)}/s, ratio ${round(ratios.at(-1), 2)}`);
    }
    results.figures.actions = {
      concurrency: P.users,
      flow: 'figure 5\'s Universal Login page flow; every ID token checked for the claims (or their absence)',
      actions: BENCH_ACTIONS.map((a) => `${a.name}: ${a.summary}`),
      withActions: {
        ...flowSummary(runs.with),
        hostCpuMsPerLogin: round(median(runs.with.map((x) => x.hostCpuMsPerLogin)), 2),
        rssAfterMB: round(rssMiB(withActions.handle.pid) * MB, 1),
        hostRssAfterMB: round(hostPids.reduce((sum, pid) => sum + rssMiB(pid), 0) * MB, 1),
      },
      withoutActions: { ...flowSummary(runs.without), rssAfterMB: round(rssMiB(without.handle.pid) * MB, 1) },
      ratio: round(median(ratios), 3),
      ratioRuns: ratios.map((x) => round(x, 3)),
      cpuCostRatio: round(median(costRatios), 3),
      cpuCostRatioRuns: costRatios.map((x) => round(x, 3)),
      seconds: round((performance.now() - measuredFrom) / 1000),
    };
  } finally {
    await withActions.handle.stop();
    await without.handle.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// (8b) Actions soak: P.actionsSoakLogins logins by returning users through a server with the two
// Actions, the RSS of the server and of its Actions host sampled every chunk. The login is the API
// login (start → code → OTP grant): the cheapest that still runs post-login, through the same
// finish-login seam as the screens, at about twice the page flow's rate; every ID token is checked
// for the claims. Flat as in figure 3b: from the second sample on, each process's RSS stays within
// a 10 MB band; and the host is the one that started (a restart would hide a leak).
async function actionsSoak(kinds, fx, exports) {
  const perWorker = Math.max(1, Math.floor(P.soakUsers / P.users));
  log(`(8b) Actions soak: ${P.actionsSoakLogins.toLocaleString('en')} API logins through two post-login Actions by ${(perWorker * P.users).toLocaleString('en')} returning users, RSS every ${Math.ceil(P.actionsSoakLogins / P.soakSamples).toLocaleString('en')}`);
  const us = await startWithExport(kinds, fx, exports.withActions, 'understudy (2 Actions, soak)');
  try {
    const hostPids = new Set();
    const sample = (logins) => {
      const pids = actionsHostPids(us.handle.pid);
      for (const pid of pids) hostPids.add(pid);
      return { logins, rssMB: round(rssMiB(us.handle.pid) * MB, 1), hostRssMB: pids.length ? round(pids.reduce((sum, pid) => sum + rssMiB(pid), 0) * MB, 1) : undefined };
    };
    const login = async (pool, w, i) => {
      const email = `asoak-${w}-${i % perWorker}@bench.example`;
      checkActionClaims(await understudyApiLogin(pool, email), { email, clientName: BENCH_CLIENT_NAME, withActions: true });
    };
    const soakFrom = performance.now();
    // Every returning user signs up first: users are the one thing a login may add for good.
    const signUp = await runFlow({ origin: us.url, concurrency: P.users, durationMs: 240_000, maxLogins: perWorker * P.users, login });
    const samples = [sample(0)];
    const chunk = Math.ceil(P.actionsSoakLogins / P.soakSamples);
    let logins = 0;
    let errors = signUp.errors;
    const errorSamples = [...signUp.errorSamples];
    const cpu0 = cpuMs(us.handle.pid);
    const hostPids0 = actionsHostPids(us.handle.pid);
    const hostCpu = () => hostPids0.reduce((sum, pid) => sum + cpuMs(pid), 0);
    const hostCpu0 = hostCpu();
    const started = performance.now();
    while (logins + errors - signUp.errors < P.actionsSoakLogins) {
      const run = await runFlow({ origin: us.url, concurrency: P.users, durationMs: 600_000, maxLogins: Math.min(chunk, P.actionsSoakLogins - logins - (errors - signUp.errors)), login });
      logins += run.logins;
      errors += run.errors;
      errorSamples.push(...run.errorSamples);
      samples.push(sample(logins));
      if (run.errors && run.logins === 0) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const totalSeconds = (performance.now() - soakFrom) / 1000;
    const band = (key) => {
      const settled = samples.slice(2).map((x) => x[key]).filter((x) => x !== undefined);
      return settled.length >= 2 ? round(Math.max(...settled) - Math.min(...settled), 1) : undefined;
    };
    results.figures.actionsSoak = {
      login: 'API login: /passwordless/start → code from the dev API → OTP grant (runs post-login)',
      actions: BENCH_ACTIONS.map((a) => a.name),
      users: perWorker * P.users,
      logins,
      errors,
      errorSamples: errorSamples.slice(0, 3),
      perSecond: round(logins / seconds, 1),
      cpuMsPerLogin: round((cpuMs(us.handle.pid) - cpu0) / logins, 2),
      hostCpuMsPerLogin: round((hostCpu() - hostCpu0) / logins, 2),
      hostProcesses: hostPids.size,
      samples,
      rssFirstMB: samples[1]?.rssMB,
      rssLastMB: samples.at(-1).rssMB,
      hostRssFirstMB: samples[1]?.hostRssMB,
      hostRssLastMB: samples.at(-1).hostRssMB,
      settledFromLogins: samples[2]?.logins,
      settledRangeMB: band('rssMB'),
      hostSettledRangeMB: band('hostRssMB'),
      seconds: round(totalSeconds),
    };
  } finally {
    await us.handle.stop();
  }
}

// ---------------------------------------------------------------------------------------------
function targets() {
  const f = results.figures;
  const t = [];
  const add = (name, value, ok, goal) => t.push({ name, value, goal, met: value === undefined ? null : ok });
  if (f.token) {
    add('token endpoint vs bare Fastify + jose', f.token.understudy.ratioTo['bare-fastify'], f.token.understudy.ratioTo['bare-fastify'] >= 0.9, '≥ 0.90×');
    add('token endpoint p99 (ms)', f.token.understudy.p99, f.token.understudy.p99 <= 12, '≤ 12 ms');
  }
  if (f.logins?.authhero && !f.logins.authhero.skipped) add('page login vs AuthHero 0.162', f.logins.authhero.ratioUnderstudyPages, f.logins.authhero.ratioUnderstudyPages >= 10, '≥ 10×');
  else if (f.logins) t.push({ name: 'page login vs AuthHero 0.162', value: undefined, goal: '≥ 10×', met: null, note: f.logins.authhero?.skipped });
  if (f.coldStart) add('first token after spawn, key on disk (ms)', f.coldStart.understudy.firstTokenMs, f.coldStart.understudy.firstTokenMs <= 200, '≤ 200 ms');
  if (f.memory) {
    add('idle RSS (MB)', f.memory.rssAfterStartMB, f.memory.rssAfterStartMB <= 70, '≤ 70 MB');
    add(`RSS after ${f.memory.logins} logins (MB)`, f.memory.rssAfterLoginsMB, f.memory.rssAfterLoginsMB <= 100, '≤ 100 MB');
    const soak = f.memory.soak;
    if (soak) add(`soak: RSS range from ${soak.settledFromLogins?.toLocaleString('en')} to ${soak.logins.toLocaleString('en')} logins (MB)`, soak.settledRangeMB, soak.settledRangeMB <= 10 && soak.errors === 0, '≤ 10 MB, no errors');
  }
  if (f.authorizeFlood) {
    const fl = f.authorizeFlood;
    add(`/authorize flood: RSS range after the live-login cap, to ${fl.requests.toLocaleString('en')} requests (MB)`, fl.settledRangeMB, fl.survived && fl.settledRangeMB <= 25 && fl.loginErrors === 0 && fl.notRedirected === 0, '≤ 25 MB in a 96 MB heap, logins keep working');
  }
  if (f.scale) add(`p99 at ${f.scale.large.users.toLocaleString('en')} users / at ${BASELINE_USERS}`, f.scale.p99Ratio, f.scale.p99Ratio <= 1.5, '≤ 1.5×');
  if (f.actions) {
    const a = f.actions;
    add('page login with 2 post-login Actions / without', a.ratio, a.ratio >= 0.8 && a.withActions.errors === 0 && a.withoutActions.errors === 0, '≥ 0.80×, no errors');
  }
  if (f.actionsSoak) {
    const s = f.actionsSoak;
    const range = `from ${s.settledFromLogins?.toLocaleString('en')} to ${s.logins.toLocaleString('en')} logins (MB)`;
    add(`Actions soak: server RSS range ${range}`, s.settledRangeMB, s.settledRangeMB <= 10 && s.errors === 0, '≤ 10 MB, no errors');
    add(`Actions soak: Actions host RSS range ${range}`, s.hostSettledRangeMB, s.hostSettledRangeMB <= 10 && s.hostProcesses === s.actions.length, '≤ 10 MB, never restarted');
  }
  results.targets = t;
}

// ---------------------------------------------------------------------------------------------
function table() {
  const f = results.figures;
  const rows = [];
  const row = (fig, subject, value, detail = '', target = '') => rows.push([fig, subject, value, detail, target]);
  const n = (x, d = 0) => (x === undefined ? '–' : Number(x).toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d }));
  const tgt = (name) => {
    const t = results.targets.find((x) => x.name.startsWith(name));
    return t ? `${t.goal} ${t.met === null ? '(n/a)' : t.met ? 'met' : 'MISSED'}` : '';
  };
  if (f.signing) {
    row('1 signing limit', 'node:crypto RS256, 1 core', `${n(f.signing.nodeCryptoPerCore)} sig/s`);
    row('', 'jose SignJWT, 1 in flight', `${n(f.signing.josePerCoreSequential)} sig/s`);
    row('', 'jose SignJWT, 8 in flight (thread pool)', `${n(f.signing.jose8InFlight)} sig/s`);
  }
  if (f.coldStart) {
    for (const [k, v] of Object.entries(f.coldStart)) {
      row(k === 'bare-node' ? '2 cold start' : '', v.label, `${n(v.discoveryMs)} ms`, `first token ${v.firstTokenMs === undefined ? '–' : `${n(v.firstTokenMs)} ms`}, RSS ${n(v.rssAtFirstTokenMB, 1)} MB`, k === 'understudy' ? tgt('first token') : '');
    }
  }
  if (f.memory) {
    row('3 memory', 'Understudy idle (after start)', `${n(f.memory.rssAfterStartMB, 1)} MB`, '', tgt('idle RSS'));
    row('', `Understudy after ${n(f.memory.logins)} API logins (new users)`, `${n(f.memory.rssAfterLoginsMB, 1)} MB`, `${n(f.memory.perSecond)} logins/s, ${f.memory.errors} errors`, tgt('RSS after'));
    const soak = f.memory.soak;
    if (soak) {
      const series = soak.samples.map((x) => n(x.rssMB, 0)).join(' ');
      row('', `soak: ${n(soak.logins)} more logins by ${n(soak.users)} returning users`, `${n(soak.rssFirstMB, 1)} → ${n(soak.rssLastMB, 1)} MB`, `RSS every ${n(soak.samples[1]?.logins)} logins: ${series}; ${n(soak.perSecond)} logins/s${soak.errors ? `, ${soak.errors} errors` : ''}`, tgt('soak'));
    }
    if (f.token) for (const [k, v] of Object.entries(f.token)) if (k !== 'understudy') row('', `${v.label}: start / after token load`, `${n(v.rssAfterStartMB, 1)} / ${n(v.rssAfterLoadMB, 1)} MB`, `${n(v.requests)} tokens`);
  }
  if (f.authorizeFlood) {
    const fl = f.authorizeFlood;
    row('3c /authorize flood', `${n(fl.requests)} calls, 2,000-char state, ${fl.heapLimitMB} MB heap`, `${n(fl.samples[0]?.rssMB, 1)} → ${n(fl.samples.at(-1)?.rssMB, 1)} MB`, `${fl.survived ? 'alive' : 'DIED'}; RSS every ${n(fl.samples[1]?.requests)}: ${fl.samples.map((x) => n(x.rssMB, 0)).join(' ')}; ${n(fl.perSecond)} calls/s; ${n(fl.logins)} logins in between, ${fl.loginErrors} failed`, tgt('/authorize flood'));
  }
  if (f.token) {
    const u = f.token.understudy;
    for (const [k, v] of Object.entries(f.token)) {
      const ratio = k === 'understudy' ? '' : `Understudy = ${n(u.ratioTo[k], 2)}×`;
      row(k === 'understudy' ? `4 token endpoint (c=${P.tokenConnections})` : '', v.label, `${n(v.perSecond)} tokens/s`, `p50 ${n(v.p50, 1)} ms, p99 ${n(v.p99, 1)} ms, ${n(v.cpuUsPerToken)} µs CPU/token${v.failed ? `, ${v.failed} failed` : ''}${ratio ? `; ${ratio}` : ''}`, k === 'bare-fastify' ? tgt('token endpoint vs') : k === 'understudy' ? tgt('token endpoint p99') : '');
    }
  }
  if (f.passwordGrant) {
    const g = f.passwordGrant;
    row(`4b password grant (c=${P.tokenConnections})`, g.label, `${n(g.perSecond)} tokens/s`, `p50 ${n(g.p50, 1)} ms, p99 ${n(g.p99, 1)} ms, ${n(g.cpuUsPerToken)} µs CPU/token${g.failed ? `, ${g.failed} failed` : ''}`);
  }
  if (f.logins) {
    const l = f.logins;
    row(`5 full login (${l.concurrency} users)`, 'Understudy API: start → code → otp grant', `${n(l.understudyApi.perSecond)} logins/s`, `p50 ${n(l.understudyApi.p50, 1)} ms, p99 ${n(l.understudyApi.p99, 1)} ms, ${n(l.understudyApi.cpuMsPerLogin, 1)} ms CPU/login${l.understudyApi.errors ? `, ${l.understudyApi.errors} errors` : ''}`);
    row('', 'Understudy pages: authorize → … → token', `${n(l.understudyPages.perSecond)} logins/s`, `p50 ${n(l.understudyPages.p50, 1)} ms, p99 ${n(l.understudyPages.p99, 1)} ms, ${n(l.understudyPages.cpuMsPerLogin, 1)} ms CPU/login${l.understudyPages.errors ? `, ${l.understudyPages.errors} errors` : ''}`);
    if (l.authhero.skipped) row('', 'AuthHero 0.162.0 pages', l.authhero.skipped, '', tgt('page login'));
    else row('', 'AuthHero 0.162.0 pages (same flow)', `${n(l.authhero.perSecond, 1)} logins/s`, `p50 ${n(l.authhero.p50)} ms, p99 ${n(l.authhero.p99)} ms, ${n(l.authhero.cpuMsPerLogin, 1)} ms CPU/login; Understudy = ${n(l.authhero.ratioUnderstudyPages, 1)}× (${n(l.authhero.cpuRatio, 1)}× less CPU)${l.authhero.errors ? `, ${l.authhero.errors} errors` : ''}`, tgt('page login'));
  }
  if (f.scale) {
    const s = f.scale;
    row('6 scale (API login)', `${n(s.small.users)} users preloaded`, `${n(s.small.perSecond)} logins/s`, `p50 ${n(s.small.p50, 1)} ms, p99 ${n(s.small.p99, 1)} ms, ${n(s.small.cpuMsPerLogin, 1)} ms CPU/login`);
    row('', `${n(s.large.users)} users + ${n(s.large.users)} pending codes`, `${n(s.large.perSecond)} logins/s`, `p50 ${n(s.large.p50, 1)} ms, p99 ${n(s.large.p99, 1)} ms, ${n(s.large.cpuMsPerLogin, 1)} ms CPU/login; p99 ratio ${n(s.p99Ratio, 2)}×`, tgt('p99 at'));
    row('', 'memory per preloaded user (+ code)', `${n(s.rssPerUserBytes)} B RSS`, `${n(s.heapPerUserBytes)} B heap; RSS ${n(s.large.rssAfterSeedMB, 1)} → ${n(s.large.rssAfterLoadMB, 1)} MB under load`);
  }
  if (f.stores) {
    let first = true;
    for (const v of Object.values(f.stores)) {
      const fig = first ? `7 stores (${P.users} users)` : '';
      first = false;
      if (v.skipped) row(fig, v.label, v.skipped);
      else row(fig, v.label, `${n(v.api.perSecond)} / ${n(v.pages.perSecond)} logins/s`, `API p99 ${n(v.api.p99, 1)} ms, pages p99 ${n(v.pages.p99, 1)} ms; ${n(v.api.cpuMsPerLogin, 1)} / ${n(v.pages.cpuMsPerLogin, 1)} ms CPU/login${v.api.errors + v.pages.errors ? `, ${v.api.errors + v.pages.errors} errors` : ''}`);
    }
  }
  if (f.actions) {
    const a = f.actions;
    const detail = (v) => `p50 ${n(v.p50, 1)} ms, p99 ${n(v.p99, 1)} ms, ${n(v.cpuMsPerLogin, 2)} ms server CPU/login${v.hostCpuMsPerLogin === undefined ? '' : ` + ${n(v.hostCpuMsPerLogin, 2)} ms in the Actions host`}${v.errors ? `, ${v.errors} errors` : ''}`;
    row(`8 Actions (${a.concurrency} users)`, 'pages, 2 post-login Actions (claims checked)', `${n(a.withActions.perSecond)} logins/s`, detail(a.withActions));
    row('', 'pages, same export, triggers emptied', `${n(a.withoutActions.perSecond)} logins/s`, detail(a.withoutActions));
    row('', 'with / without', `${n(a.ratio, 2)}×`, `rounds: ${a.ratioRuns.map((x) => n(x, 2)).join(' ')}; CPU per login with / without ${n(a.cpuCostRatio, 2)}× (${a.cpuCostRatioRuns.map((x) => n(x, 2)).join(' ')}); ${n(a.seconds)} s`, tgt('page login with 2'));
  }
  if (f.actionsSoak) {
    const s = f.actionsSoak;
    const every = `every ${n(s.samples[2]?.logins - s.samples[1]?.logins)} logins`;
    row('8b Actions soak', `${n(s.logins)} OTP-grant logins, 2 Actions, ${n(s.users)} users: server`, `${n(s.rssFirstMB, 1)} → ${n(s.rssLastMB, 1)} MB`, `RSS ${every}: ${s.samples.map((x) => n(x.rssMB, 0)).join(' ')}; ${n(s.perSecond)} logins/s, ${n(s.cpuMsPerLogin, 2)} ms CPU/login${s.errors ? `, ${s.errors} errors` : ''}; ${n(s.seconds)} s`, tgt('Actions soak: server'));
    row('', 'Actions processes (summed)', `${n(s.hostRssFirstMB, 1)} → ${n(s.hostRssLastMB, 1)} MB`, `RSS ${every}: ${s.samples.map((x) => n(x.hostRssMB, 0)).join(' ')}; ${n(s.hostCpuMsPerLogin, 2)} ms CPU/login${s.hostProcesses === s.actions.length ? '' : `, ${s.hostProcesses} host processes for ${s.actions.length} actions (restarted)`}`, tgt('Actions soak: Actions host'));
  }
  const headers = ['figure', 'subject', 'value', 'detail', 'target'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  const m = results.machine;
  const out = [
    `Understudy bench (${results.mode}) — ${m.cores} cores, ${m.cpuModel}, Node ${m.node}, load average ${m.loadAverageAtStart.join(' ')} at start, ${m.loadAverageAtEnd?.join(' ')} at end; ${round(results.seconds)} s`,
    line(headers),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ];
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
async function main() {
  if (!existsSync(join(ROOT, 'dist/understudy.js'))) throw new Error('dist/understudy.js is missing: run `npm run build` first (npm run bench does)');
  log(`${QUICK ? 'quick' : 'full'} run; ${results.machine.cores} cores (${results.machine.cpuModel}), Node ${process.version}, load average ${results.machine.loadAverageAtStart.join(' ')}`);
  const fx = fixtures();
  const kinds = serverKinds(fx);
  const authhero = NO_AUTHHERO || !wanted('logins') ? { ok: false, reason: 'not run: --no-authhero' } : await ensureAuthHero(BENCH, { allowInstall: !QUICK, log });
  if (!authhero.ok && wanted('logins')) log(`AuthHero column: ${authhero.reason}`);
  const measuredFrom = Date.now();
  if (wanted('signing')) await signingLimit(fx);
  if (wanted('coldstart')) await coldStart(kinds);
  if (wanted('token')) await tokenEndpoint(kinds);
  if (wanted('password')) await passwordGrantFigure(kinds);
  if (wanted('logins')) await logins(kinds, authhero);
  if (wanted('memory')) await memory(kinds);
  if (wanted('flood')) await authorizeFlood(kinds, fx);
  if (wanted('stores')) await stores(fx, kinds);
  if (wanted('scale')) await scale(fx);
  if (wanted('actions') || wanted('actionsSoak')) {
    const exports = writeActionsExports(join(work, 'actions-export'), fx.tenant);
    if (wanted('actions')) await actionsFigure(kinds, fx, exports);
    if (wanted('actionsSoak')) await actionsSoak(kinds, fx, exports);
  }
  results.seconds = (Date.now() - measuredFrom) / 1000;
  results.machine.loadAverageAtEnd = loadavg().map((x) => round(x, 2));
  targets();
}

let failed;
try {
  await main();
} catch (err) {
  failed = err;
  results.error = err.stack ?? String(err);
} finally {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}
results.machine.loadAverageAtEnd ??= loadavg().map((x) => round(x, 2));
const resultsDir = join(BENCH, 'results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, failed ? 'failed.json' : ONLY.size ? 'partial.json' : QUICK ? 'quick.json' : 'latest.json');
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
if (!failed || Object.keys(results.figures).length) console.log(table());
log(`results written to ${file.slice(ROOT.length + 1)}`);
if (failed) {
  process.stderr.write(`bench failed: ${failed.stack ?? failed}\n`);
  process.exitCode = 1;
}
