// Where the benchmark finds things: its own folder, the repository, and the server it measures.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH = fileURLToPath(new URL('..', import.meta.url));
export const ROOT = join(BENCH, '..');
/** The compiled launcher: what `npm start`, the `bin` and the image run (never tsx). */
export const UNDERSTUDY_BIN = join(ROOT, 'dist/understudy.js');
