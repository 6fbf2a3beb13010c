// (4) Token endpoint: client_credentials at fixed concurrency, all servers up at once, measured in
// rounds (the order rotates each round) so each ratio compares runs made minutes apart at most.
import { hammer, warmUp } from '../lib/load.mjs';
import { log } from '../lib/log.mjs';
import { cpuMs, rssMB } from '../lib/procs.mjs';
import { oneToken, startServer } from '../lib/servers.mjs';
import { median, round } from '../lib/stats.mjs';

export const tokenEndpoint = {
  name: 'token',
  resultKey: 'token',
  async measure({ P, kinds }) {
    const order = ['understudy', 'understudy-warn', 'bare-fastify', 'oidc-provider', 'oauth2-mock-server'];
    log(`(4) token endpoint: ${order.length} servers × ${P.tokenReps} rounds × ${P.tokenS} s at ${P.tokenConnections} connections (after ${P.tokenWarm} warm-up tokens each)`);
    const servers = Object.fromEntries(await Promise.all(order.map(async (key) => [key, await startServer(kinds[key], key)])));
    const out = {};
    for (const key of order) {
      const { header, payload } = await oneToken(servers[key], kinds[key]);
      out[key] = { label: kinds[key].label, token: { typ: header.typ, alg: header.alg, aud: payload.aud }, rssAfterStartMB: round(rssMB(servers[key].handle.pid), 1), runs: [] };
      await warmUp({ url: `${servers[key].url}${kinds[key].tokenPath}`, body: kinds[key].tokenBody, connections: P.tokenConnections, count: P.tokenWarm });
    }
    const ratios = { 'bare-fastify': [], 'oidc-provider': [], 'oauth2-mock-server': [] };
    const warnToBare = [];
    for (let r = 0; r < P.tokenReps; r++) {
      const round_ = {};
      const rotated = order.slice(r % order.length).concat(order.slice(0, r % order.length));
      for (const key of rotated) {
        const cpu0 = cpuMs(servers[key].handle.pid);
        const res = await hammer({ url: `${servers[key].url}${kinds[key].tokenPath}`, body: kinds[key].tokenBody, connections: P.tokenConnections, seconds: P.tokenS });
        res.cpuUsPerToken = ((cpuMs(servers[key].handle.pid) - cpu0) * 1000) / res.ok;
        out[key].runs.push(res);
        round_[key] = res.perSecond;
        if (res.non2xx || res.errors) log(`  ${key}: ${res.non2xx} non-2xx, ${res.errors} errors in round ${r + 1}`);
      }
      for (const peer of Object.keys(ratios)) ratios[peer].push(round_.understudy / round_[peer]);
      warnToBare.push(round_['understudy-warn'] / round_['bare-fastify']);
      log(`  round ${r + 1}: ${order.map((k) => `${k} ${round(round_[k])}/s`).join(', ')}`);
    }
    for (const key of order) {
      const runs = out[key].runs;
      Object.assign(out[key], {
        perSecond: round(median(runs.map((x) => x.perSecond))),
        p50: round(median(runs.map((x) => x.p50)), 1),
        p99: round(median(runs.map((x) => x.p99)), 1),
        cpuUsPerToken: round(median(runs.map((x) => x.cpuUsPerToken))),
        failed: runs.reduce((s, x) => s + x.non2xx + x.errors, 0),
        requests: runs.reduce((s, x) => s + x.ok, 0),
        rssAfterLoadMB: round(rssMB(servers[key].handle.pid), 1),
        runs: runs.map((x) => ({ perSecond: round(x.perSecond), p50: x.p50, p99: x.p99, cpuUsPerToken: round(x.cpuUsPerToken), non2xx: x.non2xx, errors: x.errors })),
      });
    }
    out.understudy.ratioTo = Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, round(median(v), 3)]));
    out.understudy.ratioRuns = Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, v.map((x) => round(x, 3))]));
    out['understudy-warn'].ratioToBare = round(median(warnToBare), 3);
    out['understudy-warn'].ratioToBareRuns = warnToBare.map((x) => round(x, 3));
    for (const key of order) await servers[key].handle.stop();
    return out;
  },
};
