// The targets the figures are held to, each with its goal and whether this run met it (null: no value).
import { SCALE_BASELINE_USERS } from './params.mjs';

/** The targets of the figures that ran (`results.figures`). */
export function targets(f) {
  const t = [];
  const add = (name, value, ok, goal) => t.push({ name, value, goal, met: value === undefined ? null : ok });
  if (f.token) {
    add('token endpoint vs bare Fastify + jose', f.token.understudy.ratioTo['bare-fastify'], f.token.understudy.ratioTo['bare-fastify'] >= 0.95, '≥ 0.95×');
    add('token endpoint p99 (ms)', f.token.understudy.p99, f.token.understudy.p99 <= 12, '≤ 12 ms');
  }
  if (f.logins?.authhero && !f.logins.authhero.skipped) add('page login vs AuthHero 0.162', f.logins.authhero.ratioUnderstudyPages, f.logins.authhero.ratioUnderstudyPages >= 8, '≥ 8×');
  else if (f.logins) t.push({ name: 'page login vs AuthHero 0.162', value: undefined, goal: '≥ 8×', met: null, note: f.logins.authhero?.skipped });
  // AuthHero 8.22.1: a stated ratio, no target value; met when its logins all succeeded.
  const a8 = f.logins?.authhero8;
  if (a8 && !a8.skipped) add('page login vs AuthHero 8.22.1', a8.ratioUnderstudyPages, a8.errors === 0, 'stated ratio (no target), no errors');
  else if (f.logins) t.push({ name: 'page login vs AuthHero 8.22.1', value: undefined, goal: 'stated ratio (no target), no errors', met: null, note: a8?.skipped });
  if (f.coldStart) add('first token after spawn, key on disk (ms)', f.coldStart.understudy.firstTokenMs, f.coldStart.understudy.firstTokenMs <= 200, '≤ 200 ms');
  if (f.memory) {
    add('idle RSS (MB)', f.memory.rssAfterStartMB, f.memory.rssAfterStartMB <= 70, '≤ 70 MB');
    add(`RSS after ${f.memory.logins} logins (MB)`, f.memory.rssAfterLoginsMB, f.memory.rssAfterLoginsMB <= 100, '≤ 100 MB');
    const soak = f.memory.soak;
    if (soak) add(`soak: RSS range from ${soak.settledFromLogins?.toLocaleString('en')} to ${soak.logins.toLocaleString('en')} logins (MB)`, soak.settledRangeMB, soak.settledRangeMB <= 10 && soak.errors === 0, '≤ 10 MB, no errors');
    if (soak?.settledHeapRangeMB !== undefined) add(`soak: heap-after-GC range from ${soak.settledFromLogins?.toLocaleString('en')} to ${soak.logins.toLocaleString('en')} logins (MB)`, soak.settledHeapRangeMB, soak.settledHeapRangeMB <= 5 && soak.errors === 0, '≤ 5 MB, no errors');
  }
  if (f.authorizeFlood) {
    const fl = f.authorizeFlood;
    add(`/authorize flood: RSS range after the live-login cap, to ${fl.requests.toLocaleString('en')} requests (MB)`, fl.settledRangeMB, fl.survived && fl.settledRangeMB <= 25 && fl.loginErrors === 0 && fl.notRedirected === 0, '≤ 25 MB in a 96 MB heap, logins keep working');
  }
  if (f.scale) add(`p99 at ${f.scale.large.users.toLocaleString('en')} users / at ${SCALE_BASELINE_USERS}`, f.scale.p99Ratio, f.scale.p99Ratio <= 1.5, '≤ 1.5×');
  if (f.actions) {
    const a = f.actions;
    add('page login with 2 post-login Actions / without', a.ratio, a.ratio >= 0.8 && a.withActions.errors === 0 && a.withoutActions.errors === 0, '≥ 0.80×, no errors');
  }
  if (f.actionsSoak) {
    const s = f.actionsSoak;
    const range = `from ${s.settledFromLogins?.toLocaleString('en')} to ${s.logins.toLocaleString('en')} logins (MB)`;
    add(`Actions soak: server RSS range ${range}`, s.settledRangeMB, s.settledRangeMB <= 10 && s.errors === 0, '≤ 10 MB, no errors');
    add(`Actions soak: Actions host RSS range ${range}`, s.hostSettledRangeMB, s.hostSettledRangeMB <= 10 && s.hostProcesses === s.actions.length, '≤ 10 MB, never restarted');
  }
  if (f.mfa) {
    const m = f.mfa;
    add('page login with an otp second factor / without', m.ratio, m.ratio >= 0.7 && m.withMfa.errors === 0 && m.withoutMfa.errors === 0, '≥ 0.70×, no errors');
  }
  if (f.dbOtp) {
    const d = f.dbOtp;
    add('database OTP logins / passwordless logins', d.ratio, d.dbOtp.errors === 0 && d.passwordless.errors === 0, 'no errors (a figure, no ratio target)');
  }
  if (f.organizations) {
    const o = f.organizations;
    add('organization page logins / plain page logins', o.ratio, o.ratio >= 0.85 && o.organizationLogins.errors === 0 && o.plainLogins.errors === 0, '≥ 0.85×, no errors');
  }
  if (f.mgmtWrites) {
    const w = f.mgmtWrites;
    const errors = [w.memory.password, w.memory.noPassword, w.sqlite.password, w.sqlite.noPassword, w.authhero.noPassword].reduce((sum, v) => sum + (v?.errors ?? 0), 0);
    const checked = w.memory.readBack && w.sqlite.readBack && w.memory.refusesForgedToken && w.sqlite.refusesForgedToken && Boolean(w.authhero.skipped || w.authhero.readBack);
    add('Management API write burst: Understudy (memory) users/s with a password', w.memory.password.perSecond, errors === 0 && checked, 'a figure, no errors');
  }
  if (f.versusBuild) {
    for (const [what, v, higherIsBetter] of [['first token after spawn', f.versusBuild.firstTokenMs, false], ['token endpoint', f.versusBuild.tokensPerSecond, true], ['page logins', f.versusBuild.pageLoginsPerSecond, true]]) {
      add(`versus other build: ${what}`, v.ratio, higherIsBetter ? v.ratio >= 0.95 : v.ratio <= 1.05, higherIsBetter ? '≥ 0.95×' : '≤ 1.05×');
    }
  }
  return t;
}
