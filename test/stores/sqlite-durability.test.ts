import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { hashToken } from '../../src/oauth/refresh-tokens.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite/schema.js';
import { httpLogin, jwksKid, startServer, type LoginResult, type ServerProcess } from '../support/http-login.js';

/**
 * The SQLite store's promise: every write the server acknowledged is in the file after a `kill -9`
 * mid-load, and a restart serves the same users (same `sub`) signing with the same key (same `kid`),
 * even from an empty data folder: the keys live in the database too.
 */
const dir = mkdtempSync(join(tmpdir(), 'understudy-sqlite-durability-'));
const db = join(dir, 'understudy.db');
const servers: ServerProcess[] = [];
afterAll(async () => {
  for (const s of servers) s.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const env = (dataDir: string): Record<string, string> => ({
  UNDERSTUDY_STORE: `sqlite:${db}`,
  UNDERSTUDY_DATA_DIR: join(dir, dataDir),
  ISSUER_BASE_URL: 'http://understudy.test/',
});

describe('SQLite store durability (a real server process, kill -9)', () => {
  let acked: (LoginResult & { email: string })[] = [];
  let kidBefore = '';

  it('keeps every acknowledged user, session, refresh token and message after kill -9 mid-load', async () => {
    const server = await startServer(env('data-1'));
    servers.push(server);
    kidBefore = await jwksKid(server.base);

    const WORKERS = 6;
    const TARGET = 36;
    let started = 0;
    let inFlight = 0;
    let inFlightAtKill = -1;
    let stop = false;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const email = `durable-${w}-${i}@example.com`;
        started++;
        inFlight++;
        try {
          const result = await httpLogin(email, server.base);
          // Only what the server answered counts as acknowledged.
          acked.push({ ...result, email });
        } catch {
          // Cut off by the kill: not acknowledged, so nothing is promised about it.
          return;
        } finally {
          inFlight--;
        }
        if (acked.length >= TARGET && !stop) {
          stop = true;
          inFlightAtKill = inFlight;
          server.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    const exit = await server.exited;
    expect(exit.signal).toBe('SIGKILL');
    // Other logins were still running when the process died: the kill really was mid-load.
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(started).toBeGreaterThan(acked.length);
    expect(acked.length).toBeGreaterThanOrEqual(TARGET);

    const store = await openSqliteStore(db, systemClock);
    try {
      const missing: string[] = [];
      for (const login of acked) {
        if ((await store.getUser(login.sub))?.email !== login.email) missing.push(`user ${login.sub}`);
        if ((await store.findUser('email', login.email))?.user_id !== login.sub) missing.push(`identifier ${login.email}`);
        if ((await store.getSession(login.sid))?.userId !== login.sub) missing.push(`session ${login.sid}`);
        if (!login.refreshToken || !(await store.getRefreshToken(hashToken(login.refreshToken)))) missing.push(`refresh token of ${login.email}`);
        if (!(await store.listMessages({ to: login.email })).some((m) => m.id === login.messageId)) missing.push(`message ${login.messageId}`);
      }
      expect(missing).toEqual([]);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('restarts on the same file with the same users (same sub) and the same signing key (same kid), from an empty data folder', async () => {
    const server = await startServer(env('data-2-empty'));
    servers.push(server);
    expect(await jwksKid(server.base)).toBe(kidBefore);
    const known = acked[0]!;
    const again = await httpLogin(known.email, server.base);
    expect(again.sub).toBe(known.sub);
    expect(again.kid).toBe(kidBefore);
    // The refresh token issued before the kill still works.
    const refreshed = await fetch(`${server.base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'understudy-spa', refresh_token: known.refreshToken! }).toString(),
    });
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);
    await server.stop();
  }, 90_000);

  it('refuses to start on a database written by a newer schema, saying so', async () => {
    const file = join(dir, 'future.db');
    const store = await openSqliteStore(file, systemClock);
    await store.close();
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(file);
    raw.prepare('UPDATE schema_version SET version = version + 1').run();
    raw.close();
    const known = SQLITE_SCHEMA_VERSION;
    await expect(openSqliteStore(file, systemClock)).rejects.toThrow(new RegExp(`schema version ${known + 1}, newer than this Understudy knows \\(${known}\\)`));
  });
});
