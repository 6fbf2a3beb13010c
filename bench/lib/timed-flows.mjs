// A login flow timed against one server (with the server's CPU per login), and the medians of repeated runs.
import { runFlow } from './flows.mjs';
import { cpuMs } from './procs.mjs';
import { median, round } from './stats.mjs';

/**
 * Runs `login` from `users` virtual users for `ms` (or until `maxLogins` have started) against one
 * server; adds the server's CPU per login.
 */
export async function timedFlow(server, login, ms, users, { maxLogins } = {}) {
  const cpu0 = cpuMs(server.handle.pid);
  const run = await runFlow({ origin: server.url, concurrency: users, durationMs: ms, maxLogins, login });
  run.cpuMsPerLogin = (cpuMs(server.handle.pid) - cpu0) / run.logins;
  return run;
}

/** Medians of repeated flow runs, with every run kept for the JSON. */
export function flowSummary(list) {
  return {
    perSecond: round(median(list.map((x) => x.perSecond)), 1),
    p50: round(median(list.map((x) => x.p50)), 1),
    p99: round(median(list.map((x) => x.p99)), 1),
    cpuMsPerLogin: round(median(list.map((x) => x.cpuMsPerLogin)), 2),
    logins: list.reduce((n, x) => n + x.logins, 0),
    errors: list.reduce((n, x) => n + x.errors, 0),
    errorSamples: list.flatMap((x) => x.errorSamples).slice(0, 3),
    runs: list.map((x) => ({ perSecond: round(x.perSecond, 1), p50: round(x.p50, 1), p99: round(x.p99, 1), cpuMsPerLogin: round(x.cpuMsPerLogin, 2), logins: x.logins, errors: x.errors })),
  };
}
