// Every loop in the figures is bounded by these counts and durations: the full run's (under 10
// minutes on 2 cores) or --quick's (one round of each, shorter runs, fewer users; under 60 s).
const FULL = { signMs: 1000, signReps: 3, coldRuns: 5, tokenConnections: 20, tokenWarm: 2000, tokenS: 5, tokenReps: 3, users: 50, loginWarmMs: 2000, loginMs: 6000, loginReps: 3, memLogins: 10_000, soakLogins: 100_000, soakSamples: 10, soakUsers: 1_000, storeWarmMs: 1000, storeMs: 3000, storeReps: 2, scaleUsers: 100_000, scaleMs: 6000, scaleReps: 3, floodRequests: 100_000, floodSamples: 10, floodLogins: 500, actionsReps: 5, actionsSoakLogins: 50_000, mfaMs: 6000, mfaReps: 5, mfaExpectedPerSecond: 600, mgmtWarmMs: 1000, mgmtMs: 3000, mgmtReps: 3 };
const QUICK = { signMs: 200, signReps: 1, coldRuns: 1, tokenConnections: 20, tokenWarm: 200, tokenS: 1, tokenReps: 1, users: 50, loginWarmMs: 200, loginMs: 1000, loginReps: 1, memLogins: 300, soakLogins: 600, soakSamples: 3, soakUsers: 300, storeWarmMs: 0, storeMs: 500, storeReps: 1, scaleUsers: 2_000, scaleMs: 700, scaleReps: 1, floodRequests: 12_000, floodSamples: 3, floodLogins: 100, actionsReps: 1, actionsSoakLogins: 600, mfaMs: 1000, mfaReps: 1, mfaExpectedPerSecond: 600, mgmtWarmMs: 0, mgmtMs: 500, mgmtReps: 1 };

/**
 * The MFA figure's seeded users, per server: each logs in once at most (a TOTP code passes once per user
 * per 30-second step), so the seed covers every login of the warm-up and the rounds at twice the
 * expected rate of the faster server (the one without MFA), rounded up to 1,000.
 */
const mfaSeedUsers = (p) => Math.ceil((2 * p.mfaExpectedPerSecond * (p.loginWarmMs + p.mfaReps * p.mfaMs)) / 1000 / 1000) * 1000;

export const benchParams = (quick) => {
  const p = quick ? QUICK : FULL;
  return { ...p, mfaSeedUsers: mfaSeedUsers(p) };
};

/** The scale figure's small tenant: the preloaded one's p99 is compared to this one's. */
export const SCALE_BASELINE_USERS = 100;
