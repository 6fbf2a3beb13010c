// (3) Memory: a fresh Understudy, RSS after start, then N API logins by N different users; then the
// soak (3b): P.soakLogins more logins cycling through a fixed set of those users, RSS sampled as it
// goes. Users are the only thing a login may add for good, and the soak adds none, so anything that
// grows after the first samples is a leak: codes, mailbox messages and expired records must all go.
// Each sample also reads the heap after a full garbage collection (peers/heap-probe.mjs, preloaded
// with --expose-gc): RSS includes whatever V8 keeps reserved, the heap after GC only what is live.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runFlow } from '../lib/flows.mjs';
import { log } from '../lib/log.mjs';
import { understudyApiLogin } from '../lib/logins.mjs';
import { BENCH } from '../lib/paths.mjs';
import { rssMB } from '../lib/procs.mjs';
import { startUnderstudy } from '../lib/servers.mjs';
import { round } from '../lib/stats.mjs';

const HEAP_PROBE = join(BENCH, 'peers', 'heap-probe.mjs');

/** The server's heap after a full GC, in MB: signals the preloaded probe and waits for its answer. */
async function heapAfterGcMB(handle, file) {
  const before = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).probe : 0;
  process.kill(handle.pid, 'SIGUSR2');
  for (let i = 0; i < 500; i++) {
    await sleep(10);
    try {
      const probe = JSON.parse(readFileSync(file, 'utf8'));
      if (probe.probe > before) return round(probe.heapUsed / 1048576, 1);
    } catch {
      // Not written yet, or caught mid-write: ask again.
    }
  }
  throw new Error('the heap probe did not answer within 5 s');
}

export const memory = {
  name: 'memory',
  resultKey: 'memory',
  async measure({ P, fx, kinds, work }) {
    log(`(3) memory: RSS after start and after ${P.memLogins.toLocaleString('en')} API logins by as many new users; soak: ${P.soakLogins.toLocaleString('en')} logins by ${P.soakUsers.toLocaleString('en')} returning users`);
    const probeFile = join(work, 'heap-probe.json');
    const us = await startUnderstudy('understudy', (port) => ({ ...kinds.understudy.env(port, fx.dataDir), HEAP_PROBE_FILE: probeFile }), { nodeArgs: ['--expose-gc', '--import', HEAP_PROBE] });
    await sleep(1000);
    const rssStart = rssMB(us.handle.pid);
    const heapStart = await heapAfterGcMB(us.handle, probeFile);
    const fresh = await runFlow({
      origin: us.url, concurrency: P.users, durationMs: 240_000, maxLogins: P.memLogins,
      login: (pool, w, i) => understudyApiLogin(pool, `mem-${w}-${i}@bench.example`),
    });
    // RSS first: the probe's full GC would hand memory back before it is read.
    const rssAfter = rssMB(us.handle.pid);
    const heapAfter = await heapAfterGcMB(us.handle, probeFile);
    // Each virtual user w cycles through its own share of the returning users, so no two logins of
    // one address ever overlap (a second code would replace the first).
    const perWorker = Math.max(1, Math.floor(P.soakUsers / P.users));
    const returning = (pool, w, i) => understudyApiLogin(pool, `mem-${w}-${i % perWorker}@bench.example`);
    const chunk = Math.ceil(P.soakLogins / P.soakSamples);
    const samples = [{ logins: 0, rssMB: round(rssAfter, 1), heapAfterGcMB: heapAfter }];
    let soakLogins = 0;
    let soakErrors = 0;
    const soakStart = performance.now();
    while (soakLogins + soakErrors < P.soakLogins) {
      const run = await runFlow({ origin: us.url, concurrency: P.users, durationMs: 600_000, maxLogins: Math.min(chunk, P.soakLogins - soakLogins - soakErrors), login: returning });
      soakLogins += run.logins;
      soakErrors += run.errors;
      const rss = round(rssMB(us.handle.pid), 1);
      samples.push({ logins: soakLogins, rssMB: rss, heapAfterGcMB: await heapAfterGcMB(us.handle, probeFile) });
      if (run.errors && run.logins === 0) break;
    }
    const soakSeconds = (performance.now() - soakStart) / 1000;
    await us.handle.stop();
    // "Flat": from the second sample on (the first chunk still warms caches and grows the heap to its
    // working size), RSS stays within a 10 MB band (highest minus lowest sample) over the remaining logins.
    const settled = samples.slice(2).map((x) => x.rssMB);
    const settledHeap = samples.slice(2).map((x) => x.heapAfterGcMB);
    return {
      rssAfterStartMB: round(rssStart, 1),
      heapAfterStartMB: heapStart,
      heapAfterLoginsMB: heapAfter,
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
        settledHeapRangeMB: settledHeap.length >= 2 ? round(Math.max(...settledHeap) - Math.min(...settledHeap), 1) : undefined,
      },
    };
  },
};
