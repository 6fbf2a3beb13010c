import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { hashToken } from '../../src/oauth/refresh-tokens.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { MfaEnrolment } from '../../src/store/records.js';
import { mfaEnrolment } from './contract/fixtures.js';
import { SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite/schema.js';
import { httpLogin, jwksKid, startServer, type LoginResult, type ServerProcess } from '../support/http-login.js';

/**
 * The SQLite store's promise: every write the server acknowledged is in the file after a `kill -9`
 * mid-load, and a restart serves the same users (same `sub`) signing with the same key (same `kid`),
 * even from an empty data folder: the keys live in the database too. MFA enrolments outlive a
 * restart as well, and a file from before them (schema version 3) still opens.
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

  it('keeps MFA enrolments and remembered-browser revocations across a restart, and another process on the file sees them', async () => {
    const file = join(dir, 'mfa.db');
    const enrolment = (id: string, overrides: Partial<MfaEnrolment> = {}): MfaEnrolment => mfaEnrolment({ id, ...overrides });
    const first = await openSqliteStore(file, systemClock);
    const other = await openSqliteStore(file, systemClock);
    try {
      expect(await first.saveEnrolment(enrolment('totp|dev_a'))).toBe(true);
      expect(await first.saveEnrolment(enrolment('sms|dev_b', { factor: 'sms', secret: undefined, phoneNumber: '+15550100' }))).toBe(true);
      expect(await other.updateEnrolment(enrolment('totp|dev_a', { confirmed: true, lastAuthAt: '2026-03-01T11:00:00.000Z' }))).toBe(true);
      await first.revokeRememberedBrowsers('auth0|aaaaaaaaaaaaaaaaaaaaaaaa', 1_772_359_200_000);
      expect(await other.rememberedBrowsersRevokedAt('auth0|aaaaaaaaaaaaaaaaaaaaaaaa')).toBe(1_772_359_200_000);
    } finally {
      await first.close();
      await other.close();
    }

    const restarted = await openSqliteStore(file, systemClock);
    try {
      expect(await restarted.listEnrolments('auth0|aaaaaaaaaaaaaaaaaaaaaaaa')).toStrictEqual([
        enrolment('totp|dev_a', { confirmed: true, lastAuthAt: '2026-03-01T11:00:00.000Z' }),
        enrolment('sms|dev_b', { factor: 'sms', secret: undefined, phoneNumber: '+15550100' }),
      ]);
      expect(await restarted.rememberedBrowsersRevokedAt('auth0|aaaaaaaaaaaaaaaaaaaaaaaa')).toBe(1_772_359_200_000);
    } finally {
      await restarted.close();
    }
  });

  it('opens a database of schema version 3 (before MFA enrolments and organizations), keeping its records and adding the new tables', async () => {
    const file = join(dir, 'version-3.db');
    const store = await openSqliteStore(file, systemClock);
    const user = {
      user_id: 'auth0|cccccccccccccccccccccccc', connection: 'Username-Password-Authentication', email: 'old@example.com', email_verified: true,
      name: 'old@example.com', nickname: 'old', picture: 'https://cdn.example/avatar/ol.png', identities: [], app_metadata: {}, user_metadata: {},
      blocked: false, created_at: '2026-03-01T10:00:00.000Z', updated_at: '2026-03-01T10:00:00.000Z', logins_count: 1,
    };
    await store.insertUser(user, 'old@example.com');
    await store.close();
    // Back to what a version-3 Understudy wrote: no MFA or organization tables, version 3.
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(file);
    raw.exec('DROP TABLE mfa_enrolments; DROP TABLE mfa_remember_revocations; DROP TABLE organizations; DROP TABLE organization_members; DROP TABLE organization_member_roles; DROP TABLE organization_invitations; UPDATE schema_version SET version = 3;');
    raw.close();

    const upgraded = await openSqliteStore(file, systemClock);
    try {
      expect(await upgraded.getUser(user.user_id)).toEqual(user);
      const enrolment: MfaEnrolment = { id: 'email|dev_a', userId: user.user_id, factor: 'email', confirmed: true, email: 'old@example.com', createdAt: '2026-03-01T10:00:00.000Z' };
      expect(await upgraded.saveEnrolment(enrolment)).toBe(true);
      expect(await upgraded.listEnrolments(user.user_id)).toStrictEqual([enrolment]);
      await upgraded.revokeRememberedBrowsers(user.user_id, 5);
      expect(await upgraded.deleteUser(user.user_id)).toBe(true);
      expect(await upgraded.listEnrolments()).toEqual([]);
      expect(await upgraded.rememberedBrowsersRevokedAt(user.user_id)).toBeUndefined();
      expect(await upgraded.createOrganization({ id: 'org_A', name: 'acme', enabled_connections: [], created_at: '2026-03-01T10:00:00.000Z' })).toMatchObject({ name: 'acme' });
    } finally {
      await upgraded.close();
    }
    const check = new Database(file);
    try {
      expect(check.prepare('SELECT version FROM schema_version').get()).toEqual({ version: SQLITE_SCHEMA_VERSION });
    } finally {
      check.close();
    }
  });

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
