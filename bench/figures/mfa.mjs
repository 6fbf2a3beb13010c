// (10) MFA: figure 5's page login with an authenticator app's code as second factor, against the same
// page login without one, measured in alternating rounds; each ratio is taken within its round. Two
// servers from the seeded entry (peers/understudy-seeded.mjs) with the same users, each enrolled in
// otp with one shared secret; one tenant file adds Guardian's otp factor under the all-applications
// policy, the other is the bench tenant as is. A TOTP code passes once per user per 30-second step, so
// every login is a different seeded user (a counter per server), and the bench computes the codes with
// the `otpauth` package, not the product's code. Every MFA login must reach /u/mfa-otp-challenge and
// end with `amr: ["mfa"]` in its ID token, every login without MFA with no amr, so a server that
// skipped (or added) the second factor fails its logins instead of looking fast or slow.
import * as OTPAuth from 'otpauth';
import { mfaTenantFile } from '../lib/fixtures.mjs';
import { FlowError } from '../lib/flows.mjs';
import { log } from '../lib/log.mjs';
import { idTokenClaims, understudyMfaPageLogin, understudyPageLogin } from '../lib/logins.mjs';
import { rssMB } from '../lib/procs.mjs';
import { startSeeded } from '../lib/servers.mjs';
import { round } from '../lib/stats.mjs';
import { pairedRatios, pairedRounds } from '../lib/paired-rounds.mjs';
import { flowSummary, timedFlow } from '../lib/timed-flows.mjs';

const TOTP_PERIOD_MS = 30_000;

export const mfa = {
  name: 'mfa',
  resultKey: 'mfa',
  async measure({ P, fx, work }) {
    const users = P.mfaSeedUsers;
    log(`(10) MFA: page logins with an otp challenge and without, ${P.mfaReps} rounds × ${P.mfaMs / 1000} s each, ${P.users} concurrent users; ${users.toLocaleString('en')} seeded users per server, each logging in once at most`);
    // One secret for every user, as if each had scanned the same QR code.
    const secret = new OTPAuth.Secret({ size: 20 }).base32;
    const seeded = (name, tenantFile) => startSeeded(name, { fx, work, tenantFile, users, env: { SEED_PENDING_CODES: '0', SEED_MFA_SECRET: secret } });
    const [withMfa, without] = await Promise.all([seeded('understudy seeded (MFA)', mfaTenantFile(work, fx.tenant)), seeded('understudy seeded (no MFA)', fx.tenantFile)]);
    try {
      // An authenticator app shows one code per 30-second step: computed once a step, as the app does.
      const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: TOTP_PERIOD_MS / 1000, algorithm: 'SHA1' });
      let shown = { step: -1, code: '' };
      const totpCode = () => {
        const step = Math.floor(Date.now() / TOTP_PERIOD_MS);
        if (step !== shown.step) shown = { step, code: totp.generate({ timestamp: step * TOTP_PERIOD_MS }) };
        return shown.code;
      };
      // Each server hands out its seeded users in order: no user logs in twice on it.
      const next = new Map([[withMfa, 0], [without, 0]]);
      const nextUser = (server) => {
        const i = next.get(server);
        if (i >= users) throw new FlowError(`all ${users} seeded users of ${server.name} have logged in`);
        next.set(server, i + 1);
        return i;
      };
      const login = (server) =>
        server === withMfa
          ? async (pool) => {
              const i = nextUser(server);
              await understudyMfaPageLogin(pool, `seed${i}@bench.example`, i, totpCode);
            }
          : async (pool) => {
              const i = nextUser(server);
              const amr = idTokenClaims(await understudyPageLogin(pool, `seed${i}@bench.example`, i)).amr;
              if (amr !== undefined) throw new FlowError(`a login without MFA has amr ${JSON.stringify(amr)}`);
            };
      // Each run may use its share of the seed (by duration), so no run can run out of users; a run that
      // reaches its share ends early (its rate still counts) and is noted.
      const totalMs = P.loginWarmMs + P.mfaReps * P.mfaMs;
      const cappedRuns = [];
      const flow = async (server, ms) => {
        const maxLogins = Math.floor((users * ms) / totalMs);
        const run = await timedFlow(server, login(server), ms, P.users, { maxLogins });
        if (run.logins + run.errors >= maxLogins) cappedRuns.push(`${server.name}: ${maxLogins} logins in ${round(run.seconds, 1)} s`);
        return run;
      };
      const paired = await pairedRounds({ reps: P.mfaReps, warmMs: P.loginWarmMs, ms: P.mfaMs, label: 'MFA', flow: (which, ms) => flow(which === 'with' ? withMfa : without, ms) });
      const { runs } = paired;
      if (cappedRuns.length) log(`  runs that used up their share of the seeded users (raise mfaExpectedPerSecond): ${cappedRuns.join('; ')}`);
      const seed = (s) => ({ seedMs: round(s.ready.seedMs), heapUsedAfterSeedMB: round(s.ready.memory.heapUsed / 1e6, 1), rssAfterSeedMB: round(s.rssReadyMB, 1), rssAfterMB: round(rssMB(s.handle.pid), 1) });
      return {
        concurrency: P.users,
        flow: 'figure 5\'s Universal Login page flow; with MFA, /authorize/resume → GET /u/mfa-otp-challenge → POST the otp code → /authorize/resume, 3 more requests; every ID token checked for amr ["mfa"] (or its absence)',
        seededUsers: users,
        usersLoggedIn: { with: next.get(withMfa), without: next.get(without) },
        cappedRuns,
        withMfa: { ...flowSummary(runs.with), ...seed(withMfa) },
        withoutMfa: { ...flowSummary(runs.without), ...seed(without) },
        ...pairedRatios(paired),
      };
    } finally {
      await withMfa.handle.stop();
      await without.handle.stop();
    }
  },
};
