import { execFile } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser, httpLogin, startServer, type ServerProcess } from '../support/http-login.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

/**
 * The file users run — `npm start`, the package's bin and the container all start dist/understudy.cjs,
 * the bundle scripts/bundle.mjs makes after tsc — built here by `npm run build` and driven over HTTP.
 * The rest of the suite runs the TypeScript sources; this proves the bundle behaves as they do where
 * bundling could change things: templates and the compiled tenant check found on disk, lazily loaded
 * chunks (HTTPS, the SQLite and Redis stores, TypeBox for a file with unknown keys) and errors crossing
 * chunks (a bad setting still ends start-up with exit code 2 and a message naming it).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUNDLE = ['dist/understudy.cjs'];
const dir = mkdtempSync(join(tmpdir(), 'understudy-bundle-'));
const running: ServerProcess[] = [];
let redis: RedisServer | undefined;

const start = async (env: Record<string, string>, args: string[] = []): Promise<ServerProcess> => {
  const server = await startServer({ UNDERSTUDY_DATA_DIR: join(dir, `data-${running.length}`), ...env }, args, 60_000, BUNDLE);
  running.push(server);
  return server;
};

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: ROOT, timeout: 240_000 });
}, 300_000);

afterAll(async () => {
  for (const server of running) server.child.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('dist/understudy.cjs, the bundled server', () => {
  it('is one entry file with its lazily loaded chunks beside it, and the bin and npm start point at it', async () => {
    expect(existsSync(join(ROOT, 'dist/understudy.cjs'))).toBe(true);
    expect(readdirSync(join(ROOT, 'dist')).filter((f) => /^understudy-[A-Z0-9]+\.js$/.test(f)).length).toBeGreaterThan(0);
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as { bin: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.bin.understudy).toBe('dist/understudy.cjs');
    // npm start (start.cjs, then start.mjs) builds dist/ when the sources changed (test/build/start.test.ts), then starts dist/understudy.cjs.
    expect(pkg.scripts.start).toMatch(/^node (--[a-z-]+=\S+ )*scripts\/start\.cjs$/);
    expect(readFileSync(join(ROOT, 'scripts/start.cjs'), 'utf8')).toContain("import('./start.mjs')");
    expect(readFileSync(join(ROOT, 'scripts/start.mjs'), 'utf8')).toContain("await import('../dist/understudy.cjs')");
  });

  it('serves the embedded default tenant: the screens render from dist/views and a login ends with tokens', async () => {
    const server = await start({});
    const page = await fetch(`${server.base}/_dev/mailbox`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const browser = new HttpBrowser();
    const authorize = await browser.request(server.base, '/authorize?client_id=understudy-spa&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&scope=openid&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256');
    const identifier = await browser.request(server.base, authorize.headers.get('location')!);
    expect(identifier.status).toBe(200);
    expect(await identifier.text()).toMatch(/<form[^>]+method="POST"/i);
    const login = await httpLogin('bundle@example.com', server.base);
    expect(login.sub).toMatch(/^email\|/);
  });


  // The pool's threads, counted as the difference from the same server with a 1-thread pool: Node 20
  // gives them no name of their own (Node 22 and later call them libuv-worker), and every other thread
  // (V8's workers, the signal and inspector threads) is the same in both.
  const threads = (pid: number): number => readdirSync(`/proc/${pid}/task`).length;
  const poolThreadsOf = async (env: Record<string, string>): Promise<number> => {
    // Tokens are signed on the pool, so the pool exists once a login has ended with them.
    const server = await start(env);
    expect((await httpLogin('pool@example.com', server.base)).sub).toMatch(/^email\|/);
    return threads(server.child.pid!);
  };
  it.runIf(process.platform === 'linux')("sizes libuv's thread pool to the machine's cores (2 to 4) on every Node, and UV_THREADPOOL_SIZE wins", async () => {
    const single = await poolThreadsOf({ UV_THREADPOOL_SIZE: '1' });
    expect((await poolThreadsOf({})) - single).toBe(Math.min(4, Math.max(2, availableParallelism())) - 1);
    expect((await poolThreadsOf({ UV_THREADPOOL_SIZE: '5' })) - single).toBe(4);
  });

  it('dist/understudy.js, the launcher\'s earlier name, starts the same server', async () => {
    const server = await startServer({ UNDERSTUDY_DATA_DIR: join(dir, 'data-js') }, [], 60_000, ['dist/understudy.js']);
    running.push(server);
    expect((await httpLogin('old-name@example.com', server.base)).sub).toMatch(/^email\|/);
  });

  it('checks requests with the route schemas the build compiled ahead of time, and answers as the sources do', async () => {
    const compiled = readdirSync(join(ROOT, 'dist/http/compiled-schemas'));
    expect(compiled.filter((f) => /^v-[\w-]+\.cjs$/.test(f)).length).toBeGreaterThan(10);
    expect(compiled.filter((f) => /^s-[\w-]+\.cjs$/.test(f)).length).toBeGreaterThan(0);
    const server = await start({});
    const post = (body: unknown) => fetch(`${server.base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const refused = await post({ grant_type: { nested: true } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'invalid_request', error_description: 'Parameter grant_type must be a string' });
    // The token response goes through the compiled serializer: exactly Auth0's fields.
    const { issuer } = (await (await fetch(`${server.base}/.well-known/openid-configuration`)).json()) as { issuer: string };
    const tokens = await post({ grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: 'understudy-m2m-secret', audience: `${issuer}api/v2/` });
    expect(tokens.status, await tokens.clone().text()).toBe(200);
    expect(Object.keys(await tokens.json()).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
  });
  it('a tenant file with keys Understudy does not use starts with the report of what is not emulated (TypeBox loaded on demand)', async () => {
    const file = join(dir, 'tenant-extra.json');
    writeFileSync(file, JSON.stringify({ tenant: { friendly_name: 'Bundle Test' }, emailTemplates: [{ template: 'verify_email' }, { template: 'stolen_credentials' }], connections: [{ name: 'email', strategy: 'email' }] }));
    const server = await start({ UNDERSTUDY_CONFIG: file });
    expect(server.output()).toContain('Bundle Test');
    expect(server.output()).toMatch(/not emulated from this tenant:[^"]*Email templates Understudy does not send \(1\): not sent/);
  });

  it('a bad setting still stops start-up with exit code 2 and a message naming it', async () => {
    const file = join(dir, 'tenant-bad.json');
    writeFileSync(file, JSON.stringify({ clients: [{ name: 'x', callbacks: 'not-a-list' }] }));
    const bad = startServer({ UNDERSTUDY_CONFIG: file, UNDERSTUDY_DATA_DIR: join(dir, 'bad') }, [], 60_000, BUNDLE);
    await expect(bad).rejects.toThrow(/exited \(2\)[\s\S]*callbacks/);
    const badStore = startServer({ UNDERSTUDY_STORE: 'postgres://db', UNDERSTUDY_DATA_DIR: join(dir, 'bad2') }, [], 60_000, BUNDLE);
    await expect(badStore).rejects.toThrow(/exited \(2\)[\s\S]*UNDERSTUDY_STORE/);
  });

  it('HTTPS mode (its X.509 code a separate chunk) serves discovery over TLS', async () => {
    const server = await start({ UNDERSTUDY_HTTPS: 'true', ISSUER_BASE_URL: 'https://localhost:0/' }, []);
    expect(server.output()).toMatch(/listening on {2}https:\/\//);
    const status = await new Promise<number>((resolve, reject) => {
      get({ host: '127.0.0.1', port: server.port, path: '/.well-known/openid-configuration', rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(200);
  });

  it('the SQLite store (a chunk, with the native module from node_modules) keeps a login across a restart', async () => {
    const db = join(dir, 'bundle.db');
    const first = await start({ UNDERSTUDY_STORE: `sqlite:${db}` });
    const login = await httpLogin('sqlite-bundle@example.com', first.base);
    await first.stop();
    expect(existsSync(db)).toBe(true);
    const second = await start({ UNDERSTUDY_STORE: `sqlite:${db}` });
    const users = (await (await fetch(`${second.base}/_dev/api/snapshot`)).json()) as { users: { user_id: string }[] };
    expect(users.users.map((u) => u.user_id)).toContain(login.sub);
  });

  it('the Redis store (a chunk, with ioredis from node_modules) completes a login', async () => {
    redis = await startRedisServer();
    const server = await start({ UNDERSTUDY_STORE: redis.url });
    const login = await httpLogin('redis-bundle@example.com', server.base);
    expect(login.sub).toMatch(/^email\|/);
  });
});
