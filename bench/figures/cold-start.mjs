// (2) Cold start: spawn → first 200 on discovery, then the first token; RSS at that moment.
import { log } from '../lib/log.mjs';
import { freePort, rssMB, waitFor200 } from '../lib/procs.mjs';
import { oneToken } from '../lib/servers.mjs';
import { median, round } from '../lib/stats.mjs';

export const coldStart = {
  name: 'coldstart',
  resultKey: 'coldStart',
  async measure({ P, kinds }) {
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
          runs[key].rss.push(rssMB(handle.pid));
        } finally {
          await handle.stop();
        }
      }
    }
    return Object.fromEntries(
      order.map((k) => [k, {
        label: kinds[k].label,
        discoveryMs: round(median(runs[k].discovery)),
        firstTokenMs: round(median(runs[k].token)),
        rssAtFirstTokenMB: round(median(runs[k].rss), 1),
        runs: { discoveryMs: runs[k].discovery.map((x) => round(x)), firstTokenMs: runs[k].token.map((x) => round(x)) },
      }]),
    );
  },
};
