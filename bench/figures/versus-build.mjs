// (9) This build against another build of Understudy (--versus=<checkout with a built dist/>): the
// first token after spawn, the token endpoint and page logins, both servers in the same rounds with
// the order alternating, reported as this build / the other. A change that only moves code should
// stay within a few per cent of 1.00×.
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { hammer, warmUp } from '../lib/load.mjs';
import { log } from '../lib/log.mjs';
import { understudyPageLogin } from '../lib/logins.mjs';
import { UNDERSTUDY_NODE_FLAGS } from '../lib/paths.mjs';
import { freePort, spawnNode, waitFor200 } from '../lib/procs.mjs';
import { oneToken, startServer } from '../lib/servers.mjs';
import { median, round } from '../lib/stats.mjs';
import { timedFlow } from '../lib/timed-flows.mjs';

/** The other build as a server kind: its own launcher with this run's tenant and settings. */
function otherBuild(kinds, fx, dir) {
  // Its launcher: dist/understudy.cjs, or dist/understudy.js in builds from before the launcher was CommonJS.
  const bin = ['dist/understudy.cjs', 'dist/understudy.js'].map((file) => join(dir, file)).find((file) => existsSync(file)) ?? join(dir, 'dist/understudy.cjs');
  if (!existsSync(bin)) throw new Error(`--versus=${dir}: ${bin} is missing (run npm run build there first)`);
  const { understudy } = kinds;
  return { ...understudy, label: `Understudy at ${dir}`, start: (port) => spawnNode('understudy (other build)', [...UNDERSTUDY_NODE_FLAGS, bin], { env: understudy.env(port, fx.dataDir) }) };
}

/** Runs `measure(kind)` for both builds `rounds` times, alternating which goes first. */
async function rounds(count, builds, measure) {
  const values = { self: [], other: [] };
  for (let r = 0; r < count; r++) {
    for (const key of r % 2 ? ['other', 'self'] : ['self', 'other']) values[key].push(await measure(key, builds[key]));
  }
  return { self: round(median(values.self), 1), other: round(median(values.other), 1), ratio: round(median(values.self.map((v, i) => v / values.other[i])), 3), runs: values };
}

export const versusBuild = {
  name: 'versus',
  resultKey: 'versusBuild',
  async measure({ P, fx, kinds, versus }) {
    const builds = { self: kinds.understudy, other: otherBuild(kinds, fx, versus) };
    log(`(9) this build against ${versus}: cold start ${P.coldRuns * 2}, token endpoint ${P.tokenReps * 2} × ${P.tokenS} s, page logins ${P.loginReps * 2} × ${P.loginMs / 1000} s, alternating`);
    const firstToken = await rounds(P.coldRuns * 2, builds, async (_key, kind) => {
      const port = await freePort();
      const spawnedAt = performance.now();
      const handle = kind.start(port);
      try {
        await waitFor200(`http://127.0.0.1:${port}${kind.discovery}`, handle);
        await oneToken({ url: `http://127.0.0.1:${port}` }, kind);
        return performance.now() - spawnedAt;
      } finally {
        await handle.stop();
      }
    });
    const servers = { self: await startServer(builds.self, 'self'), other: await startServer(builds.other, 'other') };
    try {
      for (const key of ['self', 'other']) {
        await warmUp({ url: `${servers[key].url}${builds[key].tokenPath}`, body: builds[key].tokenBody, connections: P.tokenConnections, count: P.tokenWarm });
        await timedFlow(servers[key], pageLogin(key), P.loginWarmMs, P.users);
      }
      const tokens = await rounds(P.tokenReps * 2, builds, async (key, kind) => (await hammer({ url: `${servers[key].url}${kind.tokenPath}`, body: kind.tokenBody, connections: P.tokenConnections, seconds: P.tokenS })).perSecond);
      const pages = await rounds(P.loginReps * 2, builds, async (key) => (await timedFlow(servers[key], pageLogin(key), P.loginMs, P.users)).perSecond);
      return { other: versus, firstTokenMs: firstToken, tokensPerSecond: tokens, pageLoginsPerSecond: pages };
    } finally {
      await Promise.all(Object.values(servers).map((s) => s.handle.stop()));
    }
  },
};

const pageLogin = (key) => (pool, w, i) => understudyPageLogin(pool, `versus-${key}-${w}-${i % 2}@bench.example`, i);
