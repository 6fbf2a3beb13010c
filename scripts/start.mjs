// `npm start` (through start.cjs): serves from dist/, building it first only when the sources changed since the last
// start. That build transpiles with esbuild (about a second) instead of running tsc (several seconds on
// two cores): type-checking is `npm test`'s and `npm run typecheck`'s job, and `npm run build` (what
// packing runs) still uses tsc, for the declaration files. Then the server starts in this same process,
// with this process's arguments (`npm start -- --config tenant.yaml`) and signals.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(ROOT, 'dist', '.start-stamp');
/** What the build reads: a change to any of them means dist/ is out of date. */
const INPUTS = ['src', 'package.json', 'scripts/start.cjs', 'scripts/thread-pool.cjs', 'scripts/start.mjs', 'scripts/copy-assets.mjs', 'scripts/emit-tenant-check.mjs', 'scripts/emit-route-schemas.mjs', 'scripts/bundle.mjs'];

function files(path) {
  const full = join(ROOT, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Each input's path, size and modification time: cheap to read, and any edit changes it. */
function fingerprint() {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(files).sort()) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${relative(ROOT, file)}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

async function build() {
  const { build: esbuild } = await import('esbuild');
  const sources = files('src').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  await esbuild({ entryPoints: sources, outdir: join(ROOT, 'dist'), outbase: join(ROOT, 'src'), format: 'esm', platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' });
  for (const step of ['copy-assets.mjs', 'emit-tenant-check.mjs', 'emit-route-schemas.mjs', 'bundle.mjs']) {
    const ran = spawnSync(process.execPath, [join(ROOT, 'scripts', step)], { cwd: ROOT, stdio: 'inherit' });
    if (ran.status !== 0) process.exit(ran.status ?? 1);
  }
}

const current = fingerprint();
const built = existsSync(STAMP) && existsSync(join(ROOT, 'dist', 'understudy.cjs')) ? readFileSync(STAMP, 'utf8') : '';
if (built !== current) {
  await build();
  writeFileSync(STAMP, current);
}
await import('../dist/understudy.cjs');
