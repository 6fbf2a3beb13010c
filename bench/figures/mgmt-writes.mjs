// (13) Management API write burst: users created per second through POST /api/v2/users, from
// tokenConnections concurrent API clients. Understudy's clients are read-only (loaded from the tenant
// file), so users are the Management API's write path. Understudy's token is what a real client gets: an
// M2M client with a client grant (create:users) for <issuer>api/v2/, by client_credentials at
// /oauth/token. Two variants: a database user with email + password (the password is hashed with
// scrypt, node:crypto's defaults: that hash is the cost), and a user of the passwordless email
// connection without one (the API's own overhead). Understudy runs on the memory store and on SQLite
// (a file in a fresh data folder, WAL), one server each; AuthHero 0.162.0 (the harness, SQLite in
// memory) is the peer on the variant it has. Every subject runs in each round, the order reversed every
// other round, and each ratio is taken within its round. Every request is a new email and must answer
// 201 with a user_id of the connection's provider, so a server that failed fast does not look fast.
// Each server is also sent one forged token: Understudy must refuse it (401); AuthHero 0.162.0 answers 201,
// as its Management API checks no token (its middleware looks routes up by the full path, /api/v2/users,
// among paths registered without /api/v2), and the figure records that beside its rate.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { startAuthHero } from '../lib/authhero.mjs';
import { M2M } from '../lib/fixtures.mjs';
import { FlowError, JSON_TYPE, send } from '../lib/flows.mjs';
import { log } from '../lib/log.mjs';
import { rssMB } from '../lib/procs.mjs';
import { startUnderstudy } from '../lib/servers.mjs';
import { median, round } from '../lib/stats.mjs';
import { flowSummary, timedFlow } from '../lib/timed-flows.mjs';

const DB = 'Username-Password-Authentication';
const PASSWORD = 'Bench-Passw0rd!42';
/** What Understudy's hashPassword runs for each password (src/users/passwords.ts). */
const HASH = 'scrypt (node:crypto defaults: N = 16,384, r = 8, p = 1; 16-byte salt, 32-byte key), on the thread pool';
// AuthHero 0.162.0's POST /api/v2/users drops `password` (its schema has none); a password is set by a
// PATCH afterwards (its bundled bcryptjs, cost 10), which on Node throws in its salt generation (the
// bundle's `crypto` is an empty stub, so bcryptjs looks for `self.crypto`): the peer has no password
// variant to hold Understudy's against.
const AUTHHERO_NO_PASSWORD = 'POST /api/v2/users drops `password`; a PATCH sets it with its bundled bcryptjs, which throws on Node (no crypto for the salt)';

/** Understudy's Management API token, as an M2M client with a client grant gets it. */
async function understudyToken(server) {
  const audience = `${server.url}/api/v2/`;
  const res = await request(`${server.url}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: M2M.id, client_secret: M2M.secret, audience }).toString(),
  });
  const body = await res.body.json().catch(() => ({}));
  if (res.statusCode !== 200 || !String(body.scope ?? '').split(' ').includes('create:users')) throw new Error(`${server.name}: no Management API token (${res.statusCode}): ${JSON.stringify(body).slice(0, 300)}`);
  return body.access_token;
}

/** AuthHero's token: client_credentials for the harness's seeded client, with the scope its Management API asks for. */
async function authheroToken(server) {
  const res = await request(`${server.url}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'benchclient', client_secret: 'benchclient-secret', scope: 'auth:write', audience: 'https://bench.example/api' }).toString(),
  });
  const body = await res.body.json().catch(() => ({}));
  if (res.statusCode !== 200 || !body.access_token) throw new Error(`AuthHero: no token (${res.statusCode}): ${JSON.stringify(body).slice(0, 300)}`);
  return body.access_token;
}

export const mgmtWrites = {
  name: 'mgmtWrites',
  resultKey: 'mgmtWrites',
  async measure({ P, fx, kinds, work, authhero }) {
    const connections = P.tokenConnections;
    log(`(13) Management API write burst (POST /api/v2/users): ${P.mgmtReps} rounds × ${P.mgmtMs / 1000} s each, ${connections} connections; Understudy memory and SQLite${authhero.ok ? ', AuthHero 0.162.0' : ''}`);
    const tenantFile = join(work, 'tenant-mgmt-writes.json');
    const tenant = structuredClone(fx.tenant);
    tenant.connections.push({ name: DB, strategy: 'auth0' });
    // Any audience whose path is /api/v2/ names the Management API of the server that loads the file.
    tenant.clientGrants = [{ client_id: M2M.id, audience: 'http://localhost/api/v2/', scope: ['create:users', 'read:users'] }];
    writeFileSync(tenantFile, JSON.stringify(tenant));

    const servers = {};
    try {
      for (const [key, store, label] of [['memory', 'memory', 'Understudy, memory store'], ['sqlite', 'sqlite:', 'Understudy, SQLite (WAL)']]) {
        const dataDir = join(work, `mgmt-writes-${key}`);
        mkdirSync(dataDir, { recursive: true });
        for (const file of ['signing-key.json', 'master-secret']) writeFileSync(join(dataDir, file), readFileSync(join(fx.dataDir, file)));
        const server = await startUnderstudy(`understudy (mgmt writes, ${key})`, (port) => ({ ...kinds.understudy.env(port, dataDir), UNDERSTUDY_CONFIG: tenantFile, UNDERSTUDY_STORE: store }));
        servers[key] = { ...server, label, token: await understudyToken(server), variants: ['password', 'noPassword'] };
      }
      let authheroSkipped = authhero.ok ? undefined : authhero.reason;
      if (authhero.ok) {
        try {
          const server = await startAuthHero(authhero.dir);
          servers.authhero = { ...server, name: 'authhero', label: 'AuthHero 0.162.0 (SQLite in memory)', token: await authheroToken(server), variants: ['noPassword'], headers: { 'tenant-id': 'bench' } };
        } catch (err) {
          authheroSkipped = `not run: ${err.message.slice(0, 200)}`;
          log(`  AuthHero: ${authheroSkipped}`);
        }
      }

      // Does the server refuse a forged token? (A write path that skips the check does less work.)
      const forged = {};
      for (const [key, s] of Object.entries(servers)) {
        const res = await request(`${s.url}/api/v2/users`, { method: 'POST', headers: { ...JSON_TYPE, authorization: 'Bearer not.a.jwt', ...s.headers }, body: JSON.stringify({ connection: 'email', email: `forged-${key}@bench.example`, email_verified: true }) });
        await res.body.dump();
        forged[key] = res.statusCode;
      }

      let n = 0;
      const create = (key, variant) => {
        const s = servers[key];
        const headers = { ...JSON_TYPE, authorization: `Bearer ${s.token}`, ...s.headers };
        const [connection, provider] = variant === 'password' ? [DB, 'auth0|'] : ['email', 'email|'];
        return async (pool, w) => {
          const email = `mgmt-${key}-${variant}-${n++}-${w}@bench.example`.toLowerCase();
          const body = variant === 'password' ? { connection, email, password: PASSWORD } : { connection, email, email_verified: true };
          const { text } = await send(pool, { method: 'POST', path: '/api/v2/users', headers, body: JSON.stringify(body), expect: 201 });
          const user = JSON.parse(text);
          if (typeof user.user_id !== 'string' || !user.user_id.startsWith(provider) || user.email !== email) throw new FlowError(`${key}: a created user reads ${text.slice(0, 160)}`);
          s.last = user.user_id;
        };
      };
      const subjects = Object.entries(servers).flatMap(([key, s]) => s.variants.map((variant) => ({ key, variant, tag: `${key}/${variant}` })));
      const runs = Object.fromEntries(subjects.map((x) => [x.tag, []]));
      const run = (x, ms) => timedFlow(servers[x.key], create(x.key, x.variant), ms, connections);

      for (const x of P.mgmtWarmMs ? subjects : []) await run(x, P.mgmtWarmMs);
      const ratios = { memory: { vsAuthHero: [], cpuVsAuthHero: [], passwordShare: [], cpuPasswordShare: [] }, sqlite: { vsAuthHero: [], cpuVsAuthHero: [], passwordShare: [], cpuPasswordShare: [] } };
      const measuredFrom = performance.now();
      for (let r = 0; r < P.mgmtReps; r++) {
        for (const x of r % 2 ? [...subjects].reverse() : subjects) runs[x.tag].push(await run(x, P.mgmtMs));
        const last = (tag) => runs[tag]?.at(-1);
        for (const key of ['memory', 'sqlite']) {
          const [withPw, without, peer] = [last(`${key}/password`), last(`${key}/noPassword`), last('authhero/noPassword')];
          ratios[key].passwordShare.push(withPw.perSecond / without.perSecond);
          ratios[key].cpuPasswordShare.push(withPw.cpuMsPerLogin / without.cpuMsPerLogin);
          if (peer) {
            ratios[key].vsAuthHero.push(without.perSecond / peer.perSecond);
            ratios[key].cpuVsAuthHero.push(without.cpuMsPerLogin / peer.cpuMsPerLogin);
          }
        }
        log(`  round ${r + 1}: ${subjects.map((x) => `${x.tag} ${round(last(x.tag).perSecond)}/s`).join(', ')}`);
      }
      const seconds = round((performance.now() - measuredFrom) / 1000);

      // One created user of each server read back, so "201" means stored.
      const readBack = {};
      for (const [key, s] of Object.entries(servers)) {
        const res = await request(`${s.url}/api/v2/users/${encodeURIComponent(s.last)}`, { headers: { authorization: `Bearer ${s.token}`, ...s.headers } });
        const user = await res.body.json().catch(() => ({}));
        readBack[key] = res.statusCode === 200 && user.user_id === s.last;
      }

      // flowSummary's words: a "login" here is one user created (cpuMsPerLogin: the server's CPU per user).
      const summary = (tag) => (runs[tag] ? flowSummary(runs[tag]) : undefined);
      const paired = (list) => ({ ratio: round(median(list), 3), ratioRuns: list.map((x) => round(x, 3)) });
      const understudy = (key) => ({
        label: servers[key].label,
        password: summary(`${key}/password`),
        noPassword: summary(`${key}/noPassword`),
        rssAfterMB: round(rssMB(servers[key].handle.pid), 1),
        refusesForgedToken: forged[key] === 401,
        forgedTokenStatus: forged[key],
        readBack: readBack[key],
        // Throughput and CPU per user with a password / without one: what the hash costs.
        passwordOverNoPassword: { ...paired(ratios[key].passwordShare), cpuCostRatio: round(median(ratios[key].cpuPasswordShare), 3) },
        // Understudy / AuthHero on the variant both have (no password), round by round.
        vsAuthHero: servers.authhero ? { ...paired(ratios[key].vsAuthHero), cpuCostRatio: round(median(ratios[key].cpuVsAuthHero), 3), cpuCostRatioRuns: ratios[key].cpuVsAuthHero.map((x) => round(x, 3)) } : undefined,
      });
      return {
        concurrency: connections,
        flow: 'POST /api/v2/users with a Management API token, a new email each: a database user (Username-Password-Authentication) with email + password, and a passwordless email-connection user (email_verified) without one; 201 and the user_id checked',
        hash: HASH,
        memory: understudy('memory'),
        sqlite: understudy('sqlite'),
        authhero: servers.authhero
          ? { label: servers.authhero.label, noPassword: summary('authhero/noPassword'), password: { skipped: AUTHHERO_NO_PASSWORD }, rssAfterMB: round(rssMB(servers.authhero.handle.pid), 1), refusesForgedToken: forged.authhero !== 201, forgedTokenStatus: forged.authhero, readBack: readBack.authhero }
          : { label: 'AuthHero 0.162.0', skipped: authheroSkipped },
        seconds,
      };
    } finally {
      for (const s of Object.values(servers)) await s.handle.stop();
    }
  },
};
