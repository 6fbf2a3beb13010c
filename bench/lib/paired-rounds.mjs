// Two variants of one flow (with and without some feature) in alternating rounds after a warm-up of
// each; each round's ratio is taken within the round, so slow spells on a shared machine touch both.
import { log } from './log.mjs';
import { median, round } from './stats.mjs';

/**
 * `flow(which, ms)` runs one variant ('with' or 'without') for `ms` and returns its timedFlow run;
 * `cpuOf(which, run)` is the CPU per login the cost ratio compares. Returns every run, the ratios of
 * each round (with / without, throughput and CPU) and their medians, and the seconds measured.
 */
export async function pairedRounds({ reps, warmMs, ms, label, flow, cpuOf = (_which, run) => run.cpuMsPerLogin }) {
  await flow('with', warmMs);
  await flow('without', warmMs);
  const runs = { with: [], without: [] };
  const ratios = [];
  // CPU per login moves less than throughput when other work shares the cores: the cost ratio is reported beside it.
  const costRatios = [];
  const measuredFrom = performance.now();
  for (let r = 0; r < reps; r++) {
    for (const which of r % 2 ? ['without', 'with'] : ['with', 'without']) runs[which].push(await flow(which, ms));
    const [withRun, withoutRun] = [runs.with.at(-1), runs.without.at(-1)];
    ratios.push(withRun.perSecond / withoutRun.perSecond);
    costRatios.push(cpuOf('with', withRun) / cpuOf('without', withoutRun));
    log(`  round ${r + 1}: with ${label} ${round(withRun.perSecond)}/s, without ${round(withoutRun.perSecond)}/s, ratio ${round(ratios.at(-1), 2)}`);
  }
  return {
    runs,
    ratio: round(median(ratios), 3),
    ratioRuns: ratios.map((x) => round(x, 3)),
    cpuCostRatio: round(median(costRatios), 3),
    cpuCostRatioRuns: costRatios.map((x) => round(x, 3)),
    seconds: round((performance.now() - measuredFrom) / 1000),
  };
}

/** The ratios a figure reports from pairedRounds: with / without, per round and their median, throughput and CPU. */
export const pairedRatios = ({ ratio, ratioRuns, cpuCostRatio, cpuCostRatioRuns, seconds }) => ({ ratio, ratioRuns, cpuCostRatio, cpuCostRatioRuns, seconds });
