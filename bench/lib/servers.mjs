// The servers the figures start. Each kind knows how to start, where its discovery is, and how to ask
// for one token.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { API, M2M } from './fixtures.mjs';
import { BENCH_DEV_TOKEN } from './logins.mjs';
import { BENCH, UNDERSTUDY_BIN, UNDERSTUDY_NODE_FLAGS } from './paths.mjs';
import { freePort, rssMB, spawnNode, waitFor200 } from './procs.mjs';

const DISCOVERY = '/.well-known/openid-configuration';

/** Understudy, its variants and the peers, for the fixtures `fx` (data folders go under `work`). */
export function serverKinds(fx, work) {
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
      start: (port) => spawnNode('understudy', [...UNDERSTUDY_NODE_FLAGS, UNDERSTUDY_BIN], { env: understudyEnv(port, fx.dataDir) }),
      discovery: DISCOVERY, tokenPath: '/oauth/token', tokenBody: ccBody({ audience: API }),
    },
    // The same server with LOG_LEVEL=warn: no info line per token (what a CI run that reads no logs can
    // choose), to show what that line costs.
    'understudy-warn': {
      label: 'Understudy, LOG_LEVEL=warn',
      start: (port) => spawnNode('understudy (LOG_LEVEL=warn)', [...UNDERSTUDY_NODE_FLAGS, UNDERSTUDY_BIN], { env: { ...understudyEnv(port, fx.dataDir), LOG_LEVEL: 'warn' } }),
      discovery: DISCOVERY, tokenPath: '/oauth/token', tokenBody: ccBody({ audience: API }),
    },
    'understudy-no-cache': {
      label: 'Understudy, compile cache off',
      start: (port) => spawnNode('understudy (no compile cache)', [...UNDERSTUDY_NODE_FLAGS, UNDERSTUDY_BIN], { env: { ...understudyEnv(port, fx.dataDir), NODE_DISABLE_COMPILE_CACHE: '1' } }),
      discovery: DISCOVERY, tokenPath: '/oauth/token', tokenBody: ccBody({ audience: API }),
    },
    'understudy-first': {
      label: 'Understudy, first start (key generated)',
      start: (port) => {
        const dir = join(work, `first-${port}-${randomBytes(3).toString('hex')}`);
        return spawnNode('understudy (first start)', [...UNDERSTUDY_NODE_FLAGS, UNDERSTUDY_BIN], { env: understudyEnv(port, dir) });
      },
      discovery: DISCOVERY, tokenPath: '/oauth/token', tokenBody: ccBody({ audience: API }),
    },
    'oidc-provider': {
      label: 'oidc-provider 9.13.3',
      start: (port) => spawnNode('oidc-provider', [join(BENCH, 'peers/oidc-provider.mjs')], { env: { PORT: String(port), KEY_FILE: fx.keyFile } }),
      discovery: DISCOVERY, tokenPath: '/token', tokenBody: ccBody({ resource: API }),
    },
    'oauth2-mock-server': {
      label: 'oauth2-mock-server 8.2.3',
      start: (port) => spawnNode('oauth2-mock-server', [join(BENCH, 'peers/oauth2-mock-server.mjs')], { env: { PORT: String(port), KEY_FILE: fx.keyFile } }),
      discovery: DISCOVERY, tokenPath: '/token', tokenBody: ccBody({ audience: API }),
    },
    'bare-fastify': {
      label: 'bare Fastify + jose route',
      start: (port) => spawnNode('bare fastify', [join(BENCH, 'peers/bare-fastify.mjs')], { env: { PORT: String(port), KEY_FILE: fx.keyFile } }),
      discovery: DISCOVERY, tokenPath: '/oauth/token', tokenBody: ccBody({ audience: API }),
    },
    'bare-node': {
      label: 'bare node:http (no token)',
      start: (port) => spawnNode('bare node', [join(BENCH, 'peers/bare-node.mjs')], { env: { PORT: String(port) } }),
      discovery: '/', tokenPath: undefined,
    },
  };
}

/** Starts a server of `kind` on a free port; resolves once its discovery answers 200. */
export async function startServer(kind, name) {
  const port = await freePort();
  const handle = kind.start(port);
  await waitFor200(`http://127.0.0.1:${port}${kind.discovery}`, handle);
  return { handle, port, url: `http://127.0.0.1:${port}`, name };
}

/**
 * Starts dist/understudy.cjs with the environment `env(port)` returns (a figure's own tenant, data
 * folder or store) and `nodeArgs` before the script; resolves once its discovery answers 200.
 */
export async function startUnderstudy(name, env, { nodeArgs = [] } = {}) {
  const port = await freePort();
  const handle = spawnNode(name, [...UNDERSTUDY_NODE_FLAGS, ...nodeArgs, UNDERSTUDY_BIN], { env: env(port) });
  await waitFor200(`http://127.0.0.1:${port}${DISCOVERY}`, handle);
  return { handle, port, url: `http://127.0.0.1:${port}`, name };
}

/**
 * Starts the bench-only seeded entry (peers/understudy-seeded.mjs: buildApp from dist/, `users` users
 * put into the store before it listens) with the tenant file `tenantFile` and the peer's switches in
 * `env`; resolves once it listens, with what it wrote to its ready file (seedMs, memory) and its RSS then.
 */
export async function startSeeded(name, { fx, work, tenantFile = fx.tenantFile, users, env = {} }) {
  const port = await freePort();
  const readyFile = join(work, `ready-${port}.json`);
  const handle = spawnNode(name, [...UNDERSTUDY_NODE_FLAGS, '--expose-gc', join(BENCH, 'peers/understudy-seeded.mjs')], {
    env: { PORT: String(port), UNDERSTUDY_DATA_DIR: fx.dataDir, UNDERSTUDY_CONFIG: tenantFile, SEED_USERS: String(users), READY_FILE: readyFile, UNDERSTUDY_RATE_LIMITS: 'off', ...env },
  });
  await waitFor200(`http://127.0.0.1:${port}${DISCOVERY}`, handle, { timeoutMs: 180_000 });
  for (let i = 0; i < 100 && !existsSync(readyFile); i++) await sleep(20);
  const ready = JSON.parse(readFileSync(readyFile, 'utf8'));
  return { handle, port, url: `http://127.0.0.1:${port}`, name, count: users, ready, rssReadyMB: rssMB(handle.pid) };
}

/** One token, checked: an RS256 JWT for the bench API. Returns its decoded header and payload. */
export async function oneToken(server, kind) {
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
