#!/usr/bin/env node
// `npm run bench` (full, under 10 minutes on 2 cores) and `npm run bench -- --quick` (under 60 s).
// Understudy (compiled dist/, never tsx) side by side with oidc-provider, oauth2-mock-server, a bare
// Fastify + jose route (the ceiling for a signing endpoint) and, for the page-login and Management API
// write figures, AuthHero 0.162.0. Prints one table and writes bench/results/latest.json (README.md,
// "Performance").
// Each figure is a module of figures/; what they share is in lib/.
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeActionsExports } from './lib/actions-tenant.mjs';
import { ensureAuthHero } from './lib/authhero.mjs';
import { fixtures } from './lib/fixtures.mjs';
import { log } from './lib/log.mjs';
import { benchParams } from './lib/params.mjs';
import { BENCH, ROOT, UNDERSTUDY_BIN } from './lib/paths.mjs';
import { stopAll } from './lib/procs.mjs';
import { serverKinds } from './lib/servers.mjs';
import { round } from './lib/stats.mjs';
import { table } from './lib/table.mjs';
import { targets } from './lib/targets.mjs';
import { actions } from './figures/actions.mjs';
import { actionsSoak } from './figures/actions-soak.mjs';
import { authorizeFlood } from './figures/authorize-flood.mjs';
import { coldStart } from './figures/cold-start.mjs';
import { logins } from './figures/logins.mjs';
import { memory } from './figures/memory.mjs';
import { mfa } from './figures/mfa.mjs';
import { dbOtp } from './figures/db-otp.mjs';
import { mgmtWrites } from './figures/mgmt-writes.mjs';
import { organizations } from './figures/organizations.mjs';
import { npmStart } from './figures/npm-start.mjs';
import { passwordGrant } from './figures/password-grant.mjs';
import { scale } from './figures/scale.mjs';
import { signingLimit } from './figures/signing-limit.mjs';
import { stores } from './figures/stores.mjs';
import { tokenEndpoint } from './figures/token-endpoint.mjs';
import { versusBuild } from './figures/versus-build.mjs';

// In the order they run, which is also the order of their results in the JSON.
const FIGURES = [signingLimit, coldStart, npmStart, tokenEndpoint, passwordGrant, logins, memory, authorizeFlood, stores, scale, actions, actionsSoak, mfa, dbOtp, organizations, mgmtWrites, versusBuild];

const args = new Set(process.argv.slice(2));
if (args.has('--help')) {
  console.log(`node bench/run.mjs [--quick] [--no-authhero] [--only=<figure>,…]   (npm run bench -- <flags> builds first)
  --quick        one round of each figure, shorter runs, fewer users; writes bench/results/quick.json
  --no-authhero  the page-login and Management API write figures without AuthHero
  --only=…       some figures, of: ${FIGURES.map((figure) => figure.name).join(', ')}; writes bench/results/partial.json
  --versus=<dir> adds figure 9: this build against the built checkout in <dir> (start-up, token endpoint, page logins)
Without flags every figure runs (about 10 minutes on 2 cores) and the results go to bench/results/latest.json.`);
  process.exit(0);
}
const QUICK = args.has('--quick');
const NO_AUTHHERO = args.has('--no-authhero');
// --only=token,scale runs some figures (their names are in --help); the default is all.
const ONLY = new Set([...args].find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',') ?? []);
// --versus=<dir>: another checkout (built) to hold this one against; figure 9 runs only with it.
const VERSUS = [...args].find((a) => a.startsWith('--versus='))?.slice('--versus='.length);
const wanted = (name) => (name === versusBuild.name ? VERSUS !== undefined : true) && (ONLY.size === 0 || ONLY.has(name));

const P = benchParams(QUICK);
const work = mkdtempSync(join(tmpdir(), 'understudy-bench-'));

const results = {
  generatedAt: new Date().toISOString(),
  mode: QUICK ? 'quick' : 'full',
  machine: {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGB: round(totalmem() / 1e9, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((x) => round(x, 2)),
  },
  params: P,
  figures: {},
  targets: [],
  notes: [],
};

async function main() {
  if (!existsSync(UNDERSTUDY_BIN)) throw new Error('dist/understudy.cjs is missing: run `npm run build` first (npm run bench does)');
  log(`${QUICK ? 'quick' : 'full'} run; ${results.machine.cores} cores (${results.machine.cpuModel}), Node ${process.version}, load average ${results.machine.loadAverageAtStart.join(' ')}`);
  const fx = fixtures(work);
  const kinds = serverKinds(fx, work);
  const authheroWanted = wanted('logins') || wanted('mgmtWrites');
  const authhero = NO_AUTHHERO || !authheroWanted ? { ok: false, reason: 'not run: --no-authhero' } : await ensureAuthHero(BENCH, { allowInstall: !QUICK, log });
  if (!authhero.ok && authheroWanted) log(`AuthHero column: ${authhero.reason}`);
  let actionsExports;
  const context = {
    P, work, fx, kinds, authhero, versus: VERSUS,
    // Written once, by the first Actions figure that runs.
    actionsExports: () => (actionsExports ??= writeActionsExports(join(work, 'actions-export'), fx.tenant)),
  };
  const measuredFrom = Date.now();
  for (const figure of FIGURES) {
    if (wanted(figure.name)) results.figures[figure.resultKey] = await figure.measure(context);
  }
  results.seconds = (Date.now() - measuredFrom) / 1000;
  results.machine.loadAverageAtEnd = loadavg().map((x) => round(x, 2));
  results.targets = targets(results.figures);
}

let failed;
try {
  await main();
} catch (err) {
  failed = err;
  results.error = err.stack ?? String(err);
} finally {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}
results.machine.loadAverageAtEnd ??= loadavg().map((x) => round(x, 2));
const resultsDir = join(BENCH, 'results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, failed ? 'failed.json' : ONLY.size ? 'partial.json' : QUICK ? 'quick.json' : 'latest.json');
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
if (!failed || Object.keys(results.figures).length) console.log(table(results));
log(`results written to ${file.slice(ROOT.length + 1)}`);
if (failed) {
  process.stderr.write(`bench failed: ${failed.stack ?? failed}\n`);
  process.exitCode = 1;
}
