// (2b) npm start → /healthz: what a developer waits for after `npm start`. scripts/start.cjs (then start.mjs)
// fingerprints the build's inputs, rebuilds dist/ with esbuild when they changed, then serves the
// default tenant in the same process. Each start is timed from the spawn of `node scripts/start.cjs`
// (what npm start runs, without npm's own start-up) to the first 200 from /healthz.
//
// The starts run in a throwaway copy of the checkout with node_modules linked, so their builds never
// replace the dist/ the other figures measure, and edits to src/ during the run change nothing. Three
// ways to start, in interleaved rounds: npm start with dist/ up to date; npm start after a source
// change (the build first); and node dist/understudy.cjs from the same copy, the baseline each
// round's ratio is taken against.
import { cpSync, rmSync, symlinkSync, unlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../lib/log.mjs';
import { ROOT, UNDERSTUDY_NODE_FLAGS } from '../lib/paths.mjs';
import { freePort, rssMB, spawnNode, waitFor200 } from '../lib/procs.mjs';
import { median, round } from '../lib/stats.mjs';

/** What npm start builds from and serves; tsconfig.json is how esbuild reads the TypeScript. */
const CHECKOUT = ['package.json', 'tsconfig.json', 'scripts', 'src', 'dist'];

const STARTS = {
  'npm-start': { label: 'npm start (scripts/start.cjs), dist/ up to date', script: 'scripts/start.cjs' },
  'npm-start-build': { label: 'npm start after a source change (esbuild build first)', script: 'scripts/start.cjs', sourceChanged: true },
  direct: { label: 'node dist/understudy.cjs (same copy, same settings)', script: 'dist/understudy.cjs' },
};

export const npmStart = {
  name: 'npmstart',
  resultKey: 'npmStart',
  async measure({ P, kinds, fx, work }) {
    const order = Object.keys(STARTS);
    log(`(2b) npm start → /healthz: ${P.coldRuns} rounds × ${order.length} ways to start, interleaved, in a copy of the checkout`);
    const copy = join(work, 'npm-start');
    for (const path of CHECKOUT) cpSync(join(ROOT, path), join(copy, path), { recursive: true });
    rmSync(join(copy, 'dist/.start-stamp'), { force: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    let builds = 0;
    const startOnce = async (start) => {
      const port = await freePort();
      // The default tenant, with the key on disk (as cold start's first row) and the bench's settings.
      const env = { ...kinds.understudy.env(port, fx.dataDir), UNDERSTUDY_CONFIG: '' };
      if (start.sourceChanged) {
        const now = new Date();
        utimesSync(join(copy, 'src/server.ts'), now, now);
        // A changed source means a new bundle, whose compiled code no compile cache holds yet.
        env.NODE_COMPILE_CACHE = join(copy, `compile-cache-${++builds}`);
      }
      const spawnedAt = performance.now();
      const handle = spawnNode(start.label, [...UNDERSTUDY_NODE_FLAGS, join(copy, start.script)], { cwd: copy, env, ownProcessGroup: true });
      try {
        const { at } = await waitFor200(`http://127.0.0.1:${port}/healthz`, handle, { timeoutMs: 120_000 });
        return { ms: at - spawnedAt, rssMB: rssMB(handle.pid) };
      } finally {
        await handle.stop();
      }
    };
    try {
      // Untimed: the copy's first build (its stamp is gone), which also fills the compile cache for
      // the bundle the timed starts load.
      await startOnce(STARTS['npm-start']);
      const runs = Object.fromEntries(order.map((k) => [k, { ms: [], rss: [] }]));
      const ratios = { 'npm-start': [], 'npm-start-build': [] };
      const overDirect = { 'npm-start': [], 'npm-start-build': [] };
      for (let r = 0; r < P.coldRuns; r++) {
        for (const key of r % 2 ? [...order].reverse() : order) {
          const { ms, rssMB: rss } = await startOnce(STARTS[key]);
          runs[key].ms.push(ms);
          runs[key].rss.push(rss);
        }
        for (const key of Object.keys(ratios)) {
          ratios[key].push(runs[key].ms.at(-1) / runs.direct.ms.at(-1));
          overDirect[key].push(runs[key].ms.at(-1) - runs.direct.ms.at(-1));
        }
        log(`  round ${r + 1}: ${order.map((k) => `${k} ${round(runs[k].ms.at(-1))} ms`).join(', ')}`);
      }
      return Object.fromEntries(order.map((k) => [k, {
        label: STARTS[k].label,
        healthzMs: round(median(runs[k].ms)),
        rssAtHealthzMB: round(median(runs[k].rss), 1),
        ...(ratios[k] && { ratioToDirect: round(median(ratios[k]), 2), overDirectMs: round(median(overDirect[k])), ratioRuns: ratios[k].map((x) => round(x, 2)) }),
        runs: { healthzMs: runs[k].ms.map((x) => round(x)) },
      }]));
    } finally {
      // The link first: the copy's removal must never reach the real node_modules.
      unlinkSync(join(copy, 'node_modules'));
      rmSync(copy, { recursive: true, force: true });
    }
  },
};
