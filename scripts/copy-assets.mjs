// Build step (after tsc): copies what tsc does not emit but the compiled server loads from beside its
// own modules: the templates (src/views -> dist/views) and the CommonJS files under src/ (the Actions
// host process, src/actions/actions-host.cjs -> dist/actions/; the understudy/resolve preload,
// src/testing/resolve.cjs, with its hand-written types resolve.d.cts), each to the same place under dist/.
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

rmSync('dist/views', { recursive: true, force: true });
cpSync('src/views', 'dist/views', { recursive: true });

for (const entry of readdirSync('src', { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !(entry.name.endsWith('.cjs') || entry.name.endsWith('.d.cts'))) continue;
  const from = join(entry.parentPath, entry.name);
  cpSync(from, join('dist', relative('src', from)));
}
