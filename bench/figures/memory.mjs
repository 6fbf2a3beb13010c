// (3) Memory: a fresh Understudy, RSS after start, then N API logins by N different users; then the
// soak (3b): P.soakLogins more logins cycling through a fixed set of those users, RSS sampled as it
// goes. Users are the only thing a login may add for good, and the soak adds none, so anything that
// grows after the first samples is a leak: codes, mailbox messages and expired records must all go.
import { setTimeout as sleep } from 'node:timers/promises';
import { runFlow } from '../lib/flows.mjs';
import { log } from '../lib/log.mjs';
import { understudyApiLogin } from '../lib/logins.mjs';
import { rssMB } from '../lib/procs.mjs';
import { startServer } from '../lib/servers.mjs';
import { round } from '../lib/stats.mjs';

export const memory = {
  name: 'memory',
  resultKey: 'memory',
  async measure({ P, kinds }) {
    log(`(3) memory: RSS after start and after ${P.memLogins.toLocaleString('en')} API logins by as many new users; soak: ${P.soakLogins.toLocaleString('en')} logins by ${P.soakUsers.toLocaleString('en')} returning users`);
    const us = await startServer(kinds.understudy, 'understudy');
    await sleep(1000);
    const rssStart = rssMB(us.handle.pid);
    const fresh = await runFlow({
      origin: us.url, concurrency: P.users, durationMs: 240_000, maxLogins: P.memLogins,
      login: (pool, w, i) => understudyApiLogin(pool, `mem-${w}-${i}@bench.example`),
    });
    const rssAfter = rssMB(us.handle.pid);
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
      samples.push({ logins: soakLogins, rssMB: round(rssMB(us.handle.pid), 1) });
      if (run.errors && run.logins === 0) break;
    }
    const soakSeconds = (performance.now() - soakStart) / 1000;
    await us.handle.stop();
    // "Flat": from the second sample on (the first chunk still warms caches and grows the heap to its
    // working size), RSS stays within a 10 MB band (highest minus lowest sample) over the remaining logins.
    const settled = samples.slice(2).map((x) => x.rssMB);
    return {
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
  },
};
