import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultTenant } from '../../src/config/default-tenant.js';
import { expectStatus, httpLogin, startServer, type ServerProcess } from '../support/http-login.js';

/**
 * The tenant file's `store` key, through the real entry point: it opens the store it names (a relative
 * SQLite path from the file's folder), UNDERSTUDY_STORE overrides it, and a bad value stops start-up
 * naming `store` and the file.
 */
const dir = mkdtempSync(join(tmpdir(), 'understudy-store-key-'));
const tenantDir = join(dir, 'tenant');
mkdirSync(tenantDir);
const tenantPath = join(tenantDir, 'tenant.json');
writeFileSync(tenantPath, JSON.stringify({ ...defaultTenant, store: 'sqlite:state/understudy.db' }));
const db = join(tenantDir, 'state', 'understudy.db');

const servers: ServerProcess[] = [];
afterAll(() => {
  for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const env = (dataDir: string, extra: Record<string, string> = {}): Record<string, string> => ({
  UNDERSTUDY_DATA_DIR: join(dir, dataDir),
  ISSUER_BASE_URL: 'http://understudy.test/',
  ...extra,
});

async function start(dataDir: string, extra: Record<string, string> = {}, args = ['--config', tenantPath]): Promise<ServerProcess> {
  const server = await startServer(env(dataDir, extra), args);
  servers.push(server);
  return server;
}

async function userIds(server: ServerProcess): Promise<string[]> {
  const response = await expectStatus(await fetch(`${server.base}/_dev/api/snapshot`), 200, 'GET /_dev/api/snapshot');
  return ((await response.json()) as { users: { user_id: string }[] }).users.map((u) => u.user_id);
}

// Sequential on purpose: each test starts real processes, and the later ones use the first one's database.
describe("the tenant file's store key (a real server process)", { timeout: 90_000 }, () => {
  let sub = '';

  it('store: "sqlite:<relative path>" opens SQLite next to the tenant file, and a restart keeps the users', async () => {
    const first = await start('data-1');
    expect(first.output()).toContain(`store         sqlite ${db}, from the tenant file`);
    expect(existsSync(db)).toBe(true);
    sub = (await httpLogin('kept@example.com', first.base)).sub;
    expect(await userIds(first)).toEqual([sub]);
    await first.stop();

    // Another data folder: the user can only come from the database the tenant file names.
    const second = await start('data-2');
    expect(second.output()).toContain(`store         sqlite ${db}, from the tenant file`);
    expect(await userIds(second)).toEqual([sub]);
    await second.stop();
  });

  it('UNDERSTUDY_STORE overrides the file, and the banner says so', async () => {
    expect(sub).not.toBe('');
    const server = await start('data-3', { UNDERSTUDY_STORE: 'memory' });
    expect(server.output()).toContain("store         memory (gone when the process ends), from UNDERSTUDY_STORE (over the tenant file's store)");
    expect(await userIds(server)).toEqual([]);
    await server.stop();
  });

  it('a bad store value stops start-up with exit code 2, naming store and the file', async () => {
    const bad = join(tenantDir, 'bad.yaml');
    writeFileSync(bad, 'tenant:\n  friendly_name: Bad Store\nstore: postgres://db/understudy\n');
    const failed = await startServer(env('data-4'), ['--config', bad]).then(
      (server) => {
        servers.push(server);
        throw new Error('the server started with store: postgres://db/understudy');
      },
      (err: unknown) => String(err),
    );
    expect(failed).toContain('server exited (2) before listening');
    expect(failed).toContain(`Invalid configuration in ${bad}:`);
    expect(failed).toContain('  - store: must be memory, sqlite:<path> (sqlite: alone for <data folder>/understudy.db) or redis://host:port/db, got "postgres://db/understudy"');
    expect(failed).not.toMatch(/failed to start|\n\s+at /);
    expect(existsSync(join(dir, 'data-4'))).toBe(false);
  });
});
