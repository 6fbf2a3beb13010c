import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Writes `entries` (path → text, or a value written as JSON) under `dir`, making folders as needed; returns `dir`. */
export function writeFiles(dir: string, entries: Record<string, unknown>): string {
  for (const [path, content] of Object.entries(entries)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}
