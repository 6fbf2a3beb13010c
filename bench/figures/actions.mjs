// (8) Actions: figure 5's page login against two servers started from one Deploy CLI export, one
// with two bound post-login Actions (three claims from the event; one from event.authorization.roles)
// and one with the triggers emptied, measured in alternating rounds; each ratio is taken within its
// round. Every login's ID token is checked for the actions' claims (and, without Actions, for their
// absence), so a server that skipped the actions fails its logins instead of looking fast.
import { BENCH_ACTIONS, actionsHostPids, checkActionClaims } from '../lib/actions-tenant.mjs';
import { WEB_CLIENT_NAME } from '../lib/fixtures.mjs';
import { log } from '../lib/log.mjs';
import { understudyPageLogin } from '../lib/logins.mjs';
import { cpuMs, rssMB } from '../lib/procs.mjs';
import { startUnderstudy } from '../lib/servers.mjs';
import { median, round } from '../lib/stats.mjs';
import { flowSummary, timedFlow } from '../lib/timed-flows.mjs';
import { pairedRatios, pairedRounds } from '../lib/paired-rounds.mjs';

export const actions = {
  name: 'actions',
  resultKey: 'actions',
  async measure({ P, kinds, fx, actionsExports }) {
    log(`(8) Actions: page logins with two post-login Actions and without, ${P.actionsReps} rounds × ${P.loginMs / 1000} s each, ${P.users} concurrent users`);
    const exports = actionsExports();
    const startWithExport = (dir, name) => startUnderstudy(name, (port) => ({ ...kinds.understudy.env(port, fx.dataDir), UNDERSTUDY_CONFIG: dir }));
    const [withActions, without] = await Promise.all([
      startWithExport(exports.withActions, 'understudy (2 Actions)'),
      startWithExport(exports.withoutActions, 'understudy (no Actions)'),
    ]);
    try {
      // Each action runs in a process of its own: their CPU and memory are summed.
      const hostPids = actionsHostPids(withActions.handle.pid);
      if (hostPids.length !== BENCH_ACTIONS.length) throw new Error(`expected ${BENCH_ACTIONS.length} Actions processes, found ${hostPids.length}`);
      if (actionsHostPids(without.handle.pid).length) throw new Error('the server without bound Actions started an Actions process');
      const hostsCpu = () => hostPids.reduce((sum, pid) => sum + cpuMs(pid), 0);
      const pageLogin = (expectClaims) => async (pool, w, i) => {
        const email = `actions-${w}-${i % 2}@bench.example`;
        checkActionClaims(await understudyPageLogin(pool, email, i), { email, clientName: WEB_CLIENT_NAME, withActions: expectClaims });
      };
      // The host's CPU is the actions' own cost, on top of what the server spends to run them.
      const flow = async (server, ms) => {
        const hasActions = server === withActions;
        const hostCpu0 = hasActions ? hostsCpu() : undefined;
        const run = await timedFlow(server, pageLogin(hasActions), ms, P.users);
        if (hasActions) run.hostCpuMsPerLogin = (hostsCpu() - hostCpu0) / run.logins;
        return run;
      };
      const paired = await pairedRounds({
        reps: P.actionsReps,
        warmMs: P.loginWarmMs,
        ms: P.loginMs,
        label: 'Actions',
        flow: (which, ms) => flow(which === 'with' ? withActions : without, ms),
        // With Actions, the actions' processes' CPU counts too.
        cpuOf: (which, run) => run.cpuMsPerLogin + (which === 'with' ? run.hostCpuMsPerLogin : 0),
      });
      const { runs } = paired;
      return {
        concurrency: P.users,
        flow: 'figure 5\'s Universal Login page flow; every ID token checked for the claims (or their absence)',
        actions: BENCH_ACTIONS.map((a) => `${a.name}: ${a.summary}`),
        withActions: {
          ...flowSummary(runs.with),
          hostCpuMsPerLogin: round(median(runs.with.map((x) => x.hostCpuMsPerLogin)), 2),
          rssAfterMB: round(rssMB(withActions.handle.pid), 1),
          hostRssAfterMB: round(hostPids.reduce((sum, pid) => sum + rssMB(pid), 0), 1),
        },
        withoutActions: { ...flowSummary(runs.without), rssAfterMB: round(rssMB(without.handle.pid), 1) },
        ...pairedRatios(paired),
      };
    } finally {
      await withActions.handle.stop();
      await without.handle.stop();
    }
  },
};
