// (7) Stores: the API and page logins on the memory, SQLite and Redis stores, one server per store,
// measured in alternating rounds. SQLite writes to a file in a fresh data folder (WAL, synchronous
// NORMAL: every acknowledged write survives a crash of the process); Redis is a local redis-server
// without persistence, as a CI job would run it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../lib/log.mjs';
import { understudyApiLogin, understudyPageLogin } from '../lib/logins.mjs';
import { UNDERSTUDY_BIN, UNDERSTUDY_NODE_FLAGS } from '../lib/paths.mjs';
import { freePort, rssMB, spawnNode, waitFor200 } from '../lib/procs.mjs';
import { findRedisServer, redisVersion, startRedis } from '../lib/redis.mjs';
import { round } from '../lib/stats.mjs';
import { flowSummary, timedFlow } from '../lib/timed-flows.mjs';

export const stores = {
  name: 'stores',
  resultKey: 'stores',
  async measure({ P, fx, kinds, work }) {
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
        const handle = spawnNode(`understudy (${item.key})`, [...UNDERSTUDY_NODE_FLAGS, UNDERSTUDY_BIN], { env: { ...kinds.understudy.env(port, dataDir), UNDERSTUDY_STORE: store } });
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
        await timedFlow(servers[key], api(key), P.storeWarmMs, P.users);
        await timedFlow(servers[key], page(key), P.storeWarmMs, P.users);
      }
      for (let r = 0; r < P.storeReps; r++) {
        for (const key of r % 2 ? [...keys].reverse() : keys) {
          runs[key].api.push(await timedFlow(servers[key], api(key), P.storeMs, P.users));
          runs[key].page.push(await timedFlow(servers[key], page(key), P.storeMs, P.users));
        }
        log(`  round ${r + 1}: ${keys.map((k) => `${k} API ${round(runs[k].api.at(-1).perSecond)}/s p99 ${round(runs[k].api.at(-1).p99)} ms, pages ${round(runs[k].page.at(-1).perSecond)}/s p99 ${round(runs[k].page.at(-1).p99)} ms`).join('; ')}`);
      }
      return Object.fromEntries(plan.map((item) => [item.key, servers[item.key]
        ? { label: item.label, api: flowSummary(runs[item.key].api), pages: flowSummary(runs[item.key].page), rssAfterMB: round(rssMB(servers[item.key].handle.pid), 1) }
        : { label: item.label, skipped: item.skipped }]));
    } finally {
      for (const server of Object.values(servers)) await server.handle.stop();
      await redis?.stop();
    }
  },
};
