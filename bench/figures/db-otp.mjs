// (11) One-time codes on a database connection: the API login through POST /otp/challenge and the OTP
// grant with its auth_session, against the same login on the passwordless email connection through
// POST /passwordless/start, one server, alternating rounds. Every login is a new email (sign-up on
// both), the code read from the dev API; a database login's ID token must name an auth0| user.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../lib/log.mjs';
import { understudyApiLogin, understudyDbOtpLogin } from '../lib/logins.mjs';
import { startUnderstudy } from '../lib/servers.mjs';
import { pairedRatios, pairedRounds } from '../lib/paired-rounds.mjs';
import { flowSummary, timedFlow } from '../lib/timed-flows.mjs';

const DB = 'Username-Password-Authentication';
const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';

export const dbOtp = {
  name: 'dbotp',
  resultKey: 'dbOtp',
  async measure({ P, fx, kinds, work }) {
    log(`(11) database OTP logins (/otp/challenge) against passwordless logins (/passwordless/start): ${P.loginReps} rounds × ${P.loginMs / 1000} s each, ${P.users} users`);
    const tenantFile = join(work, 'tenant-db-otp.json');
    const tenant = structuredClone(fx.tenant);
    tenant.clients[0].grant_types = ['authorization_code', 'refresh_token', OTP_GRANT];
    tenant.connections.push({ name: DB, strategy: 'auth0', options: { authentication_methods: { password: { enabled: true }, email_otp: { enabled: true } } } });
    writeFileSync(tenantFile, JSON.stringify(tenant));
    const server = await startUnderstudy('understudy (database OTP)', (port) => ({ ...kinds.understudy.env(port, join(work, 'understudy-db-otp')), UNDERSTUDY_CONFIG: tenantFile }));
    try {
      let sent = 0;
      const login = (which) => (pool, w) => {
        const email = `${which}-${sent++}-${w}@bench.example`;
        return which === 'with' ? understudyDbOtpLogin(pool, email, DB) : understudyApiLogin(pool, email);
      };
      const paired = await pairedRounds({ reps: P.loginReps, warmMs: P.loginWarmMs, ms: P.loginMs, label: '/otp/challenge', flow: (which, ms) => timedFlow(server, login(which), ms, P.users) });
      return {
        concurrency: P.users,
        flow: 'API logins, a new email each: POST /otp/challenge (allow_signup) → code from the dev API → otp grant with auth_session, against POST /passwordless/start → code → otp grant with realm=email',
        dbOtp: flowSummary(paired.runs.with),
        passwordless: flowSummary(paired.runs.without),
        ...pairedRatios(paired),
      };
    } finally {
      await server.handle.stop();
    }
  },
};
