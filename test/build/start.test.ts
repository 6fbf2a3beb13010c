import { cpSync, mkdtempSync, rmSync, statSync, symlinkSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../support/http-login.js';

/**
 * `npm start` (scripts/start.cjs, then start.mjs) builds dist/ only when the sources changed since it last did, with
 * esbuild rather than tsc, then serves it. It runs on a copy of the sources, so it never touches the
 * dist/ other tests start servers from.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let copy: string;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'understudy-start-'));
  for (const part of ['src', 'scripts', 'package.json']) cpSync(join(ROOT, part), join(copy, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

async function startOnce(): Promise<number> {
  const server = await startServer({ UNDERSTUDY_DATA_DIR: join(copy, 'data') }, [], 120_000, [join(copy, 'scripts/start.cjs')]);
  try {
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    return statSync(join(copy, 'dist/understudy-server.js')).mtimeMs;
  } finally {
    await server.stop();
  }
}

describe('npm start', () => {
  it('builds and serves from a clean copy, serves the same build when nothing changed, and builds again after a source change', async () => {
    const first = await startOnce();
    expect(await startOnce()).toBe(first);
    appendFileSync(join(copy, 'src/oauth/tokens.ts'), '\n// a change\n');
    expect(await startOnce()).toBeGreaterThan(first);
  }, 180_000);
});
