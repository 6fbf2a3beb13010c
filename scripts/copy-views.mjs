// Templates are not TypeScript, so tsc leaves them behind: copy them next to the compiled code.
import { cpSync, rmSync } from 'node:fs';

rmSync('dist/views', { recursive: true, force: true });
cpSync('src/views', 'dist/views', { recursive: true });
