// (5) Full logins: Understudy's API login and page login; AuthHero 0.162.0's and 8.22.1's page logins in
// the same rounds.
import { AUTHHERO_8_PACKAGES, AUTHHERO_PACKAGES, startAuthHero } from '../lib/authhero.mjs';
import { log } from '../lib/log.mjs';
import { authhero8PageLogin, authheroPageLogin, understudyApiLogin, understudyPageLogin } from '../lib/logins.mjs';
import { rssMB } from '../lib/procs.mjs';
import { startServer } from '../lib/servers.mjs';
import { median, round } from '../lib/stats.mjs';
import { flowSummary, timedFlow } from '../lib/timed-flows.mjs';

export const logins = {
  name: 'logins',
  resultKey: 'logins',
  async measure({ P, kinds, authhero: installed }) {
    // Each AuthHero is a column of its own: one that is not installed or fails to start costs its
    // column, not the run. `newer()` installs 8.22.1 (not in --quick); without it (--no-authhero) it
    // is skipped for the same reason as 0.162.0.
    const newer = installed.newer ? await installed.newer() : { ok: false, reason: installed.reason };
    if (!newer.ok && installed.newer) log(`AuthHero ${AUTHHERO_8_PACKAGES.authhero} column: ${newer.reason}`);
    const peers = [
      { key: 'authhero', name: 'authhero', version: AUTHHERO_PACKAGES.authhero, adapter: AUTHHERO_PACKAGES['@authhero/kysely-adapter'], login: authheroPageLogin, installed },
      { key: 'authhero8', name: 'authhero-8', version: AUTHHERO_8_PACKAGES.authhero, adapter: `${AUTHHERO_8_PACKAGES['@authhero/kysely-adapter']}, bridged`, login: authhero8PageLogin, installed: newer },
    ];
    const running = peers.filter((p) => p.installed.ok);
    log(`(5) full logins: ${P.loginReps} rounds × ${P.loginMs / 1000} s each flow, ${P.users} concurrent users${running.length ? `, AuthHero ${running.map((p) => p.version).join(' and ')} page flow in the same rounds` : ''}`);
    const [us] = await Promise.all([
      startServer(kinds.understudy, 'understudy'),
      ...running.map((p) =>
        startAuthHero(p.installed.dir, p.name).then(
          (server) => {
            p.server = server;
          },
          (err) => {
            p.installed = { ok: false, reason: `did not start: ${err.message.slice(0, 300)}` };
            log(`AuthHero ${p.version} column: ${p.installed.reason}`);
          },
        ),
      ),
    ]);
    const started = peers.filter((p) => p.server);
    const apiLogin = (pool, w, i) => understudyApiLogin(pool, `api-${w}-${i % 2}@bench.example`);
    const pageLogin = (pool, w, i) => understudyPageLogin(pool, `page-${w}-${i % 2}@bench.example`, i);
    for (const p of started) p.flow = (pool, w, i) => p.login(pool, `page-${w}-${i % 2}@bench.example`, i);
    await timedFlow(us, apiLogin, P.loginWarmMs, P.users);
    await timedFlow(us, pageLogin, P.loginWarmMs, P.users);
    for (const p of started) await timedFlow(p.server, p.flow, P.loginWarmMs, P.users);
    const runs = { api: [], page: [] };
    for (const p of started) Object.assign(p, { runs: [], ratios: [], cpuRatios: [] });
    for (let r = 0; r < P.loginReps; r++) {
      runs.api.push(await timedFlow(us, apiLogin, P.loginMs, P.users));
      runs.page.push(await timedFlow(us, pageLogin, P.loginMs, P.users));
      for (const p of started) {
        p.runs.push(await timedFlow(p.server, p.flow, P.loginMs, P.users));
        p.ratios.push(runs.page.at(-1).perSecond / p.runs.at(-1).perSecond);
        p.cpuRatios.push(p.runs.at(-1).cpuMsPerLogin / runs.page.at(-1).cpuMsPerLogin);
      }
      log(`  round ${r + 1}: API ${round(runs.api.at(-1).perSecond)}/s, pages ${round(runs.page.at(-1).perSecond)}/s${started.map((p) => `, AuthHero ${p.version} pages ${round(p.runs.at(-1).perSecond, 1)}/s`).join('')}`);
    }
    const figure = {
      concurrency: P.users,
      understudyApi: flowSummary(runs.api),
      understudyPages: { ...flowSummary(runs.page), rssAfterMB: round(rssMB(us.handle.pid), 1) },
    };
    for (const p of peers) {
      figure[p.key] = p.server
        ? { label: `AuthHero ${p.version} (+ kysely-adapter ${p.adapter}, SQLite in memory)`, ...flowSummary(p.runs), rssAfterStartMB: p.server.rssAfterStartMB, rssAfterMB: round(rssMB(p.server.handle.pid), 1), ratioUnderstudyPages: round(median(p.ratios), 1), ratioRuns: p.ratios.map((x) => round(x, 1)), cpuRatio: round(median(p.cpuRatios), 1) }
        : { skipped: p.installed.reason };
    }
    await us.handle.stop();
    for (const p of started) await p.server.handle.stop();
    return figure;
  },
};
