// (6) Scale: the API login at 100 preloaded users vs 100,000 users + 100,000 pending codes. The users
// and codes are preloaded through a bench-only entry (peers/understudy-seeded.mjs), because 100,000
// logins over HTTP would outlast the benchmark.
import { log } from '../lib/log.mjs';
import { understudyApiLogin } from '../lib/logins.mjs';
import { SCALE_BASELINE_USERS } from '../lib/params.mjs';
import { rssMB } from '../lib/procs.mjs';
import { startSeeded } from '../lib/servers.mjs';
import { median, round } from '../lib/stats.mjs';
import { flowSummary, timedFlow } from '../lib/timed-flows.mjs';

export const scale = {
  name: 'scale',
  resultKey: 'scale',
  async measure({ P, fx, work }) {
    log(`(6) scale: ${SCALE_BASELINE_USERS} vs ${P.scaleUsers.toLocaleString('en')} preloaded users (+ one pending code each), ${P.scaleReps} rounds × ${P.scaleMs / 1000} s`);
    const start = (count) => startSeeded(`understudy seeded ${count}`, { fx, work, users: count });
    const [small, large] = await Promise.all([start(SCALE_BASELINE_USERS), start(P.scaleUsers)]);
    // Worker w logs in as preloaded users w, w+50, w+100, … (random among its own), so no two workers
    // ever share an address and every login replaces a pending code.
    const login = (count) => (pool, w) => {
      const mine = Math.floor((count - 1 - w) / P.users) + 1;
      const index = w + P.users * Math.floor(Math.random() * mine);
      return understudyApiLogin(pool, `seed${index}@bench.example`);
    };
    const flow = (s, ms) => timedFlow(s, login(s.count), ms, P.users);
    await flow(small, P.loginWarmMs);
    await flow(large, P.loginWarmMs);
    const runs = { small: [], large: [] };
    const p99Ratios = [];
    for (let r = 0; r < P.scaleReps; r++) {
      const pair = r % 2 ? ['large', 'small'] : ['small', 'large'];
      for (const which of pair) runs[which].push(await flow(which === 'small' ? small : large, P.scaleMs));
      p99Ratios.push(runs.large.at(-1).p99 / runs.small.at(-1).p99);
      log(`  round ${r + 1}: ${SCALE_BASELINE_USERS} users ${round(runs.small.at(-1).perSecond)}/s p99 ${round(runs.small.at(-1).p99, 1)} ms; ${P.scaleUsers} users ${round(runs.large.at(-1).perSecond)}/s p99 ${round(runs.large.at(-1).p99, 1)} ms`);
    }
    const summary = (s, list) => ({
      users: s.count,
      seedMs: round(s.ready.seedMs),
      heapUsedAfterSeedMB: round(s.ready.memory.heapUsed / 1e6, 1),
      rssAfterSeedMB: round(s.rssReadyMB, 1),
      rssAfterLoadMB: round(rssMB(s.handle.pid), 1),
      ...flowSummary(list),
    });
    const a = summary(small, runs.small);
    const b = summary(large, runs.large);
    const users = large.count - small.count;
    await small.handle.stop();
    await large.handle.stop();
    return {
      preload: 'bench-only entry (bench/peers/understudy-seeded.mjs): buildApp from dist/, users.create + otp.issue per user before listen',
      small: a,
      large: b,
      p99Ratio: round(median(p99Ratios), 2),
      p99RatioRuns: p99Ratios.map((x) => round(x, 2)),
      rssPerUserBytes: round(((large.rssReadyMB - small.rssReadyMB) * 1e6) / users),
      heapPerUserBytes: round((large.ready.memory.heapUsed - small.ready.memory.heapUsed) / users),
      rssGrowthDuringLoadMB: { small: round(a.rssAfterLoadMB - a.rssAfterSeedMB, 1), large: round(b.rssAfterLoadMB - b.rssAfterSeedMB, 1) },
    };
  },
};
