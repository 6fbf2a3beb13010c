// (3c) /authorize flood: each /authorize keeps a login transaction for 30 minutes with the caller's
// parameters (here a 2,000-character state, near the 2,048 bound). The per-IP limit is off, as it is
// for every figure, so this measures the other bound: the memory store's cap on live logins (10,000,
// the oldest unauthenticated ones making room). Between chunks of the flood, real API logins still
// have to succeed. Target: from the sample after the cap is reached on, RSS stays within 25 MB.
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { runFlow } from '../lib/flows.mjs';
import { log } from '../lib/log.mjs';
import { understudyApiLogin } from '../lib/logins.mjs';
import { rssMB } from '../lib/procs.mjs';
import { startUnderstudy } from '../lib/servers.mjs';
import { round } from '../lib/stats.mjs';

const FLOOD_HEAP_MB = 96;

export const authorizeFlood = {
  name: 'flood',
  resultKey: 'authorizeFlood',
  async measure({ P, kinds, fx }) {
    log(`(3c) /authorize flood: ${P.floodRequests.toLocaleString('en')} /authorize calls with a 2,000-character state, ${P.floodLogins} API logins after each of ${P.floodSamples} chunks`);
    // A small old space (96 MB) makes the point sharper: without the cap the live logins alone would
    // outgrow it and the process would die of heap exhaustion; with it, the heap stays put.
    const us = await startUnderstudy('understudy (96 MB heap)', (port) => kinds.understudy.env(port, fx.dataDir), { nodeArgs: [`--max-old-space-size=${FLOOD_HEAP_MB}`] });
    await sleep(500);
    const query = new URLSearchParams({ client_id: 'understudy-web', redirect_uri: 'http://localhost:3000/callback', response_type: 'code', scope: 'openid', state: 's'.repeat(2000), nonce: 'n'.repeat(200) });
    const samples = [{ requests: 0, rssMB: round(rssMB(us.handle.pid), 1) }];
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
      samples.push({ requests: sent, rssMB: round(rssMB(us.handle.pid), 1) });
    }
    const seconds = (performance.now() - started) / 1000;
    const survived = us.handle.alive();
    await us.handle.stop();
    // The cap (10,000 live logins) is reached within the first 10,000 requests: count from the sample after.
    const settled = samples.filter((x) => x.requests > 10_000).map((x) => x.rssMB);
    return {
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
  },
};
