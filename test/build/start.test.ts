import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, appendFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpLogin, startServer } from '../support/http-login.js';

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

  // As dist/understudy.cjs does (test/build/bundle.test.ts), counted against a 1-thread pool; on Node 20
  // only a CommonJS entry comes before the pool starts, hence scripts/start.cjs.
  it.runIf(process.platform === 'linux')("sizes libuv's thread pool to the machine's cores (2 to 4)", async () => {
    const threadsAfterALogin = async (env: Record<string, string>): Promise<number> => {
      const server = await startServer({ UNDERSTUDY_DATA_DIR: join(copy, 'data'), ...env }, [], 120_000, [join(copy, 'scripts/start.cjs')]);
      try {
        // Tokens are signed on the pool, so the pool exists once a login has ended with them.
        expect((await httpLogin('pool@example.com', server.base)).sub).toMatch(/^email\|/);
        return readdirSync(`/proc/${server.child.pid}/task`).length;
      } finally {
        await server.stop();
      }
    };
    const single = await threadsAfterALogin({ UV_THREADPOOL_SIZE: '1' });
    expect((await threadsAfterALogin({})) - single).toBe(Math.min(4, Math.max(2, availableParallelism())) - 1);
  }, 180_000);
});
