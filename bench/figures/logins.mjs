// (5) Full logins: Understudy's API login and page login; AuthHero's page login in the same rounds.
import { AUTHHERO_PACKAGES, startAuthHero } from '../lib/authhero.mjs';
import { log } from '../lib/log.mjs';
import { authheroPageLogin, understudyApiLogin, understudyPageLogin } from '../lib/logins.mjs';
import { rssMB } from '../lib/procs.mjs';
import { startServer } from '../lib/servers.mjs';
import { median, round } from '../lib/stats.mjs';
import { flowSummary, timedFlow } from '../lib/timed-flows.mjs';

export const logins = {
  name: 'logins',
  resultKey: 'logins',
  async measure({ P, kinds, authhero: installed }) {
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
    await timedFlow(us, apiLogin, P.loginWarmMs, P.users);
    await timedFlow(us, pageLogin, P.loginWarmMs, P.users);
    if (ah) await timedFlow(ah, ahLogin, P.loginWarmMs, P.users);
    const runs = { api: [], page: [], authhero: [] };
    const ratios = [];
    const cpuRatios = [];
    for (let r = 0; r < P.loginReps; r++) {
      runs.api.push(await timedFlow(us, apiLogin, P.loginMs, P.users));
      runs.page.push(await timedFlow(us, pageLogin, P.loginMs, P.users));
      if (ah) {
        runs.authhero.push(await timedFlow(ah, ahLogin, P.loginMs, P.users));
        ratios.push(runs.page.at(-1).perSecond / runs.authhero.at(-1).perSecond);
        cpuRatios.push(runs.authhero.at(-1).cpuMsPerLogin / runs.page.at(-1).cpuMsPerLogin);
      }
      log(`  round ${r + 1}: API ${round(runs.api.at(-1).perSecond)}/s, pages ${round(runs.page.at(-1).perSecond)}/s${ah ? `, AuthHero pages ${round(runs.authhero.at(-1).perSecond, 1)}/s` : ''}`);
    }
    const figure = {
      concurrency: P.users,
      understudyApi: flowSummary(runs.api),
      understudyPages: { ...flowSummary(runs.page), rssAfterMB: round(rssMB(us.handle.pid), 1) },
      authhero: ah
        ? { label: `AuthHero ${AUTHHERO_PACKAGES.authhero} (+ kysely-adapter ${AUTHHERO_PACKAGES['@authhero/kysely-adapter']}, SQLite in memory)`, ...flowSummary(runs.authhero), rssAfterStartMB: ah.rssAfterStartMB, rssAfterMB: round(rssMB(ah.handle.pid), 1), ratioUnderstudyPages: round(median(ratios), 1), ratioRuns: ratios.map((x) => round(x, 1)), cpuRatio: round(median(cpuRatios), 1) }
        : { skipped: authhero.reason },
    };
    await us.handle.stop();
    if (ah) await ah.handle.stop();
    return figure;
  },
};
