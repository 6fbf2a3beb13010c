// Where the benchmark finds things: its own folder, the repository, and the server it measures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH = fileURLToPath(new URL('..', import.meta.url));
export const ROOT = join(BENCH, '..');
/** The compiled launcher: what `npm start`, the `bin` and the image run (never tsx). */
export const UNDERSTUDY_BIN = join(ROOT, 'dist/understudy.cjs');

/**
 * The Node flags `npm start` runs the server with (package.json's start script, which the Dockerfile's
 * CMD repeats): every Understudy the bench starts gets them, so it measures what users run.
 */
export const UNDERSTUDY_NODE_FLAGS = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  .scripts.start.split(/\s+/)
  .filter((word) => word.startsWith('--'));
