// The table `npm run bench` prints: one row per subject of each figure that ran, its value, the
// detail behind it and the target it is held to.
import { round } from './stats.mjs';

/** The table of `results` (figures, targets, params and machine), header line first. */
export function table(results) {
  const P = results.params;
  const f = results.figures;
  const rows = [];
  const row = (fig, subject, value, detail = '', target = '') => rows.push([fig, subject, value, detail, target]);
  const n = (x, d = 0) => (x === undefined ? '–' : Number(x).toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d }));
  /** A login flow's latency, CPU and errors: figures 10, 11 and 12 show both sides of their ratio this way. */
  const loginDetail = (v) => `p50 ${n(v.p50, 1)} ms, p99 ${n(v.p99, 1)} ms, ${n(v.cpuMsPerLogin, 2)} ms CPU/login${v.errors ? `, ${v.errors} errors` : ''}`;
  const tgt = (name) => {
    const t = results.targets.find((x) => x.name.startsWith(name));
    return t ? `${t.goal} ${t.met === null ? '(n/a)' : t.met ? 'met' : 'MISSED'}` : '';
  };
  if (f.signing) {
    row('1 signing limit', 'node:crypto RS256, 1 core', `${n(f.signing.nodeCryptoPerCore)} sig/s`);
    row('', 'jose SignJWT, 1 in flight', `${n(f.signing.josePerCoreSequential)} sig/s`);
    row('', 'jose SignJWT, 8 in flight (thread pool)', `${n(f.signing.jose8InFlight)} sig/s`);
  }
  if (f.coldStart) {
    for (const [k, v] of Object.entries(f.coldStart)) {
      row(k === 'bare-node' ? '2 cold start' : '', v.label, `${n(v.discoveryMs)} ms`, `first token ${v.firstTokenMs === undefined ? '–' : `${n(v.firstTokenMs)} ms`}, RSS ${n(v.rssAtFirstTokenMB, 1)} MB`, k === 'understudy' ? tgt('first token') : '');
    }
  }
  if (f.npmStart) {
    for (const [k, v] of Object.entries(f.npmStart)) {
      const vsDirect = v.ratioToDirect === undefined ? '' : `${n(v.ratioToDirect, 2)}× node dist/understudy.cjs (${v.overDirectMs < 0 ? '' : '+'}${n(v.overDirectMs)} ms), `;
      row(k === 'npm-start' ? '2b npm start → healthz' : '', v.label, `${n(v.healthzMs)} ms`, `${vsDirect}RSS ${n(v.rssAtHealthzMB, 1)} MB`);
    }
  }
  if (f.memory) {
    row('3 memory', 'Understudy idle (after start)', `${n(f.memory.rssAfterStartMB, 1)} MB`, '', tgt('idle RSS'));
    const heap = f.memory.heapAfterLoginsMB === undefined ? '' : `; heap after GC ${n(f.memory.heapAfterStartMB, 1)} → ${n(f.memory.heapAfterLoginsMB, 1)} MB`;
    row('', `Understudy after ${n(f.memory.logins)} API logins (new users)`, `${n(f.memory.rssAfterLoginsMB, 1)} MB`, `${n(f.memory.perSecond)} logins/s, ${f.memory.errors} errors${heap}`, tgt('RSS after'));
    const soak = f.memory.soak;
    if (soak) {
      const series = soak.samples.map((x) => n(x.rssMB, 0)).join(' ');
      row('', `soak: ${n(soak.logins)} more logins by ${n(soak.users)} returning users`, `${n(soak.rssFirstMB, 1)} → ${n(soak.rssLastMB, 1)} MB`, `RSS every ${n(soak.samples[1]?.logins)} logins: ${series}; ${n(soak.perSecond)} logins/s${soak.errors ? `, ${soak.errors} errors` : ''}`, tgt('soak'));
      if (soak.settledHeapRangeMB !== undefined) row('', 'soak: heap after a full GC', `${n(soak.samples[1]?.heapAfterGcMB, 1)} → ${n(soak.samples.at(-1).heapAfterGcMB, 1)} MB`, `every ${n(soak.samples[1]?.logins)} logins: ${soak.samples.map((x) => n(x.heapAfterGcMB, 1)).join(' ')}`, tgt('soak: heap'));
    }
    if (f.token) for (const [k, v] of Object.entries(f.token)) if (k !== 'understudy') row('', `${v.label}: start / after token load`, `${n(v.rssAfterStartMB, 1)} / ${n(v.rssAfterLoadMB, 1)} MB`, `${n(v.requests)} tokens`);
  }
  if (f.authorizeFlood) {
    const fl = f.authorizeFlood;
    row('3c /authorize flood', `${n(fl.requests)} calls, 2,000-char state, ${fl.heapLimitMB} MB heap`, `${n(fl.samples[0]?.rssMB, 1)} → ${n(fl.samples.at(-1)?.rssMB, 1)} MB`, `${fl.survived ? 'alive' : 'DIED'}; RSS every ${n(fl.samples[1]?.requests)}: ${fl.samples.map((x) => n(x.rssMB, 0)).join(' ')}; ${n(fl.perSecond)} calls/s; ${n(fl.logins)} logins in between, ${fl.loginErrors} failed`, tgt('/authorize flood'));
  }
  if (f.token) {
    const u = f.token.understudy;
    for (const [k, v] of Object.entries(f.token)) {
      const ratio = k === 'understudy' ? '' : k === 'understudy-warn' ? `${n(v.ratioToBare, 2)}× the bare route (rounds ${v.ratioToBareRuns.map((x) => n(x, 2)).join(' ')})` : `Understudy = ${n(u.ratioTo[k], 2)}× (rounds ${u.ratioRuns[k].map((x) => n(x, 2)).join(' ')})`;
      row(k === 'understudy' ? `4 token endpoint (c=${P.tokenConnections})` : '', v.label, `${n(v.perSecond)} tokens/s`, `p50 ${n(v.p50, 1)} ms, p99 ${n(v.p99, 1)} ms, ${n(v.cpuUsPerToken)} µs CPU/token${v.failed ? `, ${v.failed} failed` : ''}${ratio ? `; ${ratio}` : ''}`, k === 'bare-fastify' ? tgt('token endpoint vs') : k === 'understudy' ? tgt('token endpoint p99') : '');
    }
  }
  if (f.passwordGrant) {
    const g = f.passwordGrant;
    row(`4b password grant (c=${P.tokenConnections})`, g.label, `${n(g.perSecond)} tokens/s`, `p50 ${n(g.p50, 1)} ms, p99 ${n(g.p99, 1)} ms, ${n(g.cpuUsPerToken)} µs CPU/token${g.failed ? `, ${g.failed} failed` : ''}`);
  }
  if (f.logins) {
    const l = f.logins;
    row(`5 full login (${l.concurrency} users)`, 'Understudy API: start → code → otp grant', `${n(l.understudyApi.perSecond)} logins/s`, `p50 ${n(l.understudyApi.p50, 1)} ms, p99 ${n(l.understudyApi.p99, 1)} ms, ${n(l.understudyApi.cpuMsPerLogin, 1)} ms CPU/login${l.understudyApi.errors ? `, ${l.understudyApi.errors} errors` : ''}`);
    row('', 'Understudy pages: authorize → … → token', `${n(l.understudyPages.perSecond)} logins/s`, `p50 ${n(l.understudyPages.p50, 1)} ms, p99 ${n(l.understudyPages.p99, 1)} ms, ${n(l.understudyPages.cpuMsPerLogin, 1)} ms CPU/login${l.understudyPages.errors ? `, ${l.understudyPages.errors} errors` : ''}`);
    if (l.authhero.skipped) row('', 'AuthHero 0.162.0 pages', l.authhero.skipped, '', tgt('page login'));
    else row('', 'AuthHero 0.162.0 pages (same flow)', `${n(l.authhero.perSecond, 1)} logins/s`, `p50 ${n(l.authhero.p50)} ms, p99 ${n(l.authhero.p99)} ms, ${n(l.authhero.cpuMsPerLogin, 1)} ms CPU/login; Understudy = ${n(l.authhero.ratioUnderstudyPages, 1)}× (${n(l.authhero.cpuRatio, 1)}× less CPU)${l.authhero.errors ? `, ${l.authhero.errors} errors` : ''}`, tgt('page login'));
    // Results from before AuthHero 8.22.1 joined the figure have no `authhero8`.
    const a8 = l.authhero8 ?? { skipped: 'not in this run' };
    if (a8.skipped) row('', 'AuthHero 8.22.1 pages', a8.skipped, '', tgt('page login vs AuthHero 8'));
    else row('', 'AuthHero 8.22.1 pages (same flow, code at /u/login/email-otp-challenge)', `${n(a8.perSecond, 1)} logins/s`, `p50 ${n(a8.p50)} ms, p99 ${n(a8.p99)} ms, ${n(a8.cpuMsPerLogin, 1)} ms CPU/login; Understudy = ${n(a8.ratioUnderstudyPages, 1)}× (rounds ${a8.ratioRuns.map((x) => n(x, 1)).join(' ')}; ${n(a8.cpuRatio, 1)}× less CPU)${a8.errors ? `, ${a8.errors} errors` : ''}`, tgt('page login vs AuthHero 8'));
  }
  if (f.scale) {
    const s = f.scale;
    row('6 scale (API login)', `${n(s.small.users)} users preloaded`, `${n(s.small.perSecond)} logins/s`, `p50 ${n(s.small.p50, 1)} ms, p99 ${n(s.small.p99, 1)} ms, ${n(s.small.cpuMsPerLogin, 1)} ms CPU/login`);
    row('', `${n(s.large.users)} users + ${n(s.large.users)} pending codes`, `${n(s.large.perSecond)} logins/s`, `p50 ${n(s.large.p50, 1)} ms, p99 ${n(s.large.p99, 1)} ms, ${n(s.large.cpuMsPerLogin, 1)} ms CPU/login; p99 ratio ${n(s.p99Ratio, 2)}×`, tgt('p99 at'));
    row('', 'memory per preloaded user (+ code)', `${n(s.rssPerUserBytes)} B RSS`, `${n(s.heapPerUserBytes)} B heap; RSS ${n(s.large.rssAfterSeedMB, 1)} → ${n(s.large.rssAfterLoadMB, 1)} MB under load`);
  }
  if (f.stores) {
    let first = true;
    for (const v of Object.values(f.stores)) {
      const fig = first ? `7 stores (${P.users} users)` : '';
      first = false;
      if (v.skipped) row(fig, v.label, v.skipped);
      else row(fig, v.label, `${n(v.api.perSecond)} / ${n(v.pages.perSecond)} logins/s`, `API p99 ${n(v.api.p99, 1)} ms, pages p99 ${n(v.pages.p99, 1)} ms; ${n(v.api.cpuMsPerLogin, 1)} / ${n(v.pages.cpuMsPerLogin, 1)} ms CPU/login${v.api.errors + v.pages.errors ? `, ${v.api.errors + v.pages.errors} errors` : ''}`);
    }
  }
  if (f.actions) {
    const a = f.actions;
    const detail = (v) => `p50 ${n(v.p50, 1)} ms, p99 ${n(v.p99, 1)} ms, ${n(v.cpuMsPerLogin, 2)} ms server CPU/login${v.hostCpuMsPerLogin === undefined ? '' : ` + ${n(v.hostCpuMsPerLogin, 2)} ms in the Actions host`}${v.errors ? `, ${v.errors} errors` : ''}`;
    row(`8 Actions (${a.concurrency} users)`, 'pages, 2 post-login Actions (claims checked)', `${n(a.withActions.perSecond)} logins/s`, detail(a.withActions));
    row('', 'pages, same export, triggers emptied', `${n(a.withoutActions.perSecond)} logins/s`, detail(a.withoutActions));
    row('', 'with / without', `${n(a.ratio, 2)}×`, `rounds: ${a.ratioRuns.map((x) => n(x, 2)).join(' ')}; CPU per login with / without ${n(a.cpuCostRatio, 2)}× (${a.cpuCostRatioRuns.map((x) => n(x, 2)).join(' ')}); ${n(a.seconds)} s`, tgt('page login with 2'));
  }
  if (f.actionsSoak) {
    const s = f.actionsSoak;
    const every = `every ${n(s.samples[2]?.logins - s.samples[1]?.logins)} logins`;
    row('8b Actions soak', `${n(s.logins)} OTP-grant logins, 2 Actions, ${n(s.users)} users: server`, `${n(s.rssFirstMB, 1)} → ${n(s.rssLastMB, 1)} MB`, `RSS ${every}: ${s.samples.map((x) => n(x.rssMB, 0)).join(' ')}; ${n(s.perSecond)} logins/s, ${n(s.cpuMsPerLogin, 2)} ms CPU/login${s.errors ? `, ${s.errors} errors` : ''}; ${n(s.seconds)} s`, tgt('Actions soak: server'));
    row('', 'Actions processes (summed)', `${n(s.hostRssFirstMB, 1)} → ${n(s.hostRssLastMB, 1)} MB`, `RSS ${every}: ${s.samples.map((x) => n(x.hostRssMB, 0)).join(' ')}; ${n(s.hostCpuMsPerLogin, 2)} ms CPU/login${s.hostProcesses === s.actions.length ? '' : `, ${s.hostProcesses} host processes for ${s.actions.length} actions (restarted)`}`, tgt('Actions soak: Actions host'));
  }
  if (f.mfa) {
    const m = f.mfa;
    row(`10 MFA page logins (${m.concurrency} users)`, 'pages + otp challenge (amr checked)', `${n(m.withMfa.perSecond)} logins/s`, loginDetail(m.withMfa));
    row('', 'pages, same users, no guardian keys', `${n(m.withoutMfa.perSecond)} logins/s`, loginDetail(m.withoutMfa));
    row('', 'with / without', `${n(m.ratio, 2)}×`, `rounds: ${m.ratioRuns.map((x) => n(x, 2)).join(' ')}; CPU per login with / without ${n(m.cpuCostRatio, 2)}× (${m.cpuCostRatioRuns.map((x) => n(x, 2)).join(' ')}); ${n(m.seededUsers)} seeded users each (seed ${n(m.withMfa.seedMs / 1000, 1)} s), ${n(m.usersLoggedIn.with)} / ${n(m.usersLoggedIn.without)} logged in${m.cappedRuns.length ? `, ${m.cappedRuns.length} runs capped` : ''}; ${n(m.seconds)} s`, tgt('page login with an otp'));
  }
  if (f.dbOtp) {
    const d = f.dbOtp;
    row(`11 database OTP logins (${d.concurrency} users)`, '/otp/challenge + otp grant (auth_session)', `${n(d.dbOtp.perSecond)} logins/s`, loginDetail(d.dbOtp));
    row('', '/passwordless/start + otp grant (realm)', `${n(d.passwordless.perSecond)} logins/s`, loginDetail(d.passwordless));
    row('', 'database / passwordless', `${n(d.ratio, 2)}×`, `rounds: ${d.ratioRuns.map((x) => n(x, 2)).join(' ')}; CPU per login ${n(d.cpuCostRatio, 2)}×; ${n(d.seconds)} s`, tgt('database OTP logins'));
  }
  if (f.organizations) {
    const o = f.organizations;
    row(`12 organization page logins (${o.concurrency} users)`, 'pages with organization (branding, membership, org_id)', `${n(o.organizationLogins.perSecond)} logins/s`, loginDetail(o.organizationLogins));
    row('', 'the same pages without organization', `${n(o.plainLogins.perSecond)} logins/s`, loginDetail(o.plainLogins));
    row('', 'with / without', `${n(o.ratio, 2)}×`, `rounds: ${o.ratioRuns.map((x) => n(x, 2)).join(' ')}; CPU per login ${n(o.cpuCostRatio, 2)}×; ${n(o.seconds)} s`, tgt('organization page logins'));
  }
  if (f.mgmtWrites) {
    const w = f.mgmtWrites;
    const users = (v) => `${n(v.perSecond)} users/s`;
    const detail = (v) => loginDetail(v).replace('CPU/login', 'CPU/user');
    const vsPeer = (u) => (u.vsAuthHero ? `; Understudy = ${n(u.vsAuthHero.ratio, 2)}× AuthHero (rounds ${u.vsAuthHero.ratioRuns.map((x) => n(x, 2)).join(' ')}; ${n(1 / u.vsAuthHero.cpuCostRatio, 1)}× less CPU)` : '');
    let first = true;
    for (const key of ['memory', 'sqlite']) {
      const u = w[key];
      row(first ? `13 Management API writes (c=${w.concurrency})` : '', `${u.label}: email + password (scrypt)`, users(u.password), `${detail(u.password)}; the hash: ${n(u.passwordOverNoPassword.cpuCostRatio)}× the CPU per user of no password, ${n(1 / u.passwordOverNoPassword.ratio)}× fewer users/s`, first ? tgt('Management API write burst') : '');
      row('', `${u.label}: email connection, no password`, users(u.noPassword), `${detail(u.noPassword)}${vsPeer(u)}`);
      first = false;
    }
    const a = w.authhero;
    if (a.skipped) row('', a.label, a.skipped);
    else {
      row('', `${a.label}: email connection, no password`, users(a.noPassword), `${detail(a.noPassword)}${a.refusesForgedToken ? '' : `; answered ${a.forgedTokenStatus} to a forged token (no token check)`}`);
      row('', 'AuthHero 0.162.0: email + password', 'no variant', a.password.skipped);
    }
  }
  if (f.versusBuild) {
    const v = f.versusBuild;
    const versus = (fig, what, m, unit) => row(fig, `${what}: this build / ${v.other}`, `${n(m.ratio, 2)}×`, `${n(m.self, 1)} / ${n(m.other, 1)} ${unit} (medians); rounds ${m.runs.self.map((x, i) => n(x / m.runs.other[i], 2)).join(' ')}`, tgt(`versus other build: ${what}`));
    versus('9 versus other build', 'first token after spawn', v.firstTokenMs, 'ms');
    versus('', 'token endpoint', v.tokensPerSecond, 'tokens/s');
    versus('', 'page logins', v.pageLoginsPerSecond, 'logins/s');
  }
  const headers = ['figure', 'subject', 'value', 'detail', 'target'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  const m = results.machine;
  const out = [
    `Understudy bench (${results.mode}) — ${m.cores} cores, ${m.cpuModel}, Node ${m.node}, load average ${m.loadAverageAtStart.join(' ')} at start, ${m.loadAverageAtEnd?.join(' ')} at end; ${round(results.seconds)} s`,
    line(headers),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ];
  return out.join('\n');
}
