// (8b) Actions soak: P.actionsSoakLogins logins by returning users through a server with the two
// Actions, the RSS of the server and of its Actions host sampled every chunk. The login is the API
// login (start → code → OTP grant): the cheapest that still runs post-login, through the same
// finish-login seam as the screens, at about twice the page flow's rate; every ID token is checked
// for the claims. Flat as in figure 3b: from the second sample on, each process's RSS stays within
// a 10 MB band; and the host is the one that started (a restart would hide a leak).
import { BENCH_ACTIONS, actionsHostPids, checkActionClaims } from '../lib/actions-tenant.mjs';
import { WEB_CLIENT_NAME } from '../lib/fixtures.mjs';
import { runFlow } from '../lib/flows.mjs';
import { log } from '../lib/log.mjs';
import { understudyApiLogin } from '../lib/logins.mjs';
import { cpuMs, rssMB } from '../lib/procs.mjs';
import { startUnderstudy } from '../lib/servers.mjs';
import { round } from '../lib/stats.mjs';

export const actionsSoak = {
  name: 'actionsSoak',
  resultKey: 'actionsSoak',
  async measure({ P, kinds, fx, actionsExports }) {
    const perWorker = Math.max(1, Math.floor(P.soakUsers / P.users));
    log(`(8b) Actions soak: ${P.actionsSoakLogins.toLocaleString('en')} API logins through two post-login Actions by ${(perWorker * P.users).toLocaleString('en')} returning users, RSS every ${Math.ceil(P.actionsSoakLogins / P.soakSamples).toLocaleString('en')}`);
    const us = await startUnderstudy('understudy (2 Actions, soak)', (port) => ({ ...kinds.understudy.env(port, fx.dataDir), UNDERSTUDY_CONFIG: actionsExports().withActions }));
    try {
      const hostPids = new Set();
      const sample = (logins) => {
        const pids = actionsHostPids(us.handle.pid);
        for (const pid of pids) hostPids.add(pid);
        return { logins, rssMB: round(rssMB(us.handle.pid), 1), hostRssMB: pids.length ? round(pids.reduce((sum, pid) => sum + rssMB(pid), 0), 1) : undefined };
      };
      const login = async (pool, w, i) => {
        const email = `asoak-${w}-${i % perWorker}@bench.example`;
        checkActionClaims(await understudyApiLogin(pool, email), { email, clientName: WEB_CLIENT_NAME, withActions: true });
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
      return {
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
  },
};
