import { resolve } from 'node:path';
import type { Clock } from '../clock.js';
import type { Store } from './types.js';
import { loadSqliteDriver, openDatabase } from './sqlite/driver.js';
import { deleteAllRecords, migrate, sweepExpired } from './sqlite/schema.js';
import { createSqliteContext } from './sqlite/context.js';
import { sqliteTransactions } from './sqlite/transactions.js';
import { sqliteOtp } from './sqlite/otp.js';
import { sqliteCodes } from './sqlite/codes.js';
import { sqliteLoginTickets } from './sqlite/login-tickets.js';
import { sqliteUsers } from './sqlite/users.js';
import { sqliteRoles } from './sqlite/roles.js';
import { sqliteOrganizations } from './sqlite/organizations.js';
import { sqlitePasskeys } from './sqlite/passkeys.js';
import { sqliteMfaEnrolments } from './sqlite/mfa-enrolments.js';
import { sqliteSessions } from './sqlite/sessions.js';
import { sqliteRefreshTokens } from './sqlite/refresh-tokens.js';
import { sqliteMessages } from './sqlite/messages.js';
import { sqliteKeys } from './sqlite/keys.js';

/**
 * The store for one machine: a SQLite file. This module opens it (sqlite/driver.ts), brings its
 * schema up to date (sqlite/schema.ts) and composes one module per port from sqlite/ with the
 * expiry sweep and the lifecycle. Several processes may share the file: read-modify-write steps
 * run under the write lock (sqlite/context.ts).
 */
const SWEEP_INTERVAL_MS = 60_000;

export async function openSqliteStore(path: string, clock: Clock, options: { maxMessages?: number } = {}): Promise<Store> {
  const maxMessages = Math.max(1, options.maxMessages ?? 1000);
  const Driver = await loadSqliteDriver();
  const file = resolve(path);
  const db = openDatabase(Driver, file);
  try {
    migrate(db, file);
  } catch (err) {
    db.close();
    throw err;
  }

  const context = createSqliteContext(db, clock);
  const timer = setInterval(() => sweepExpired(db, clock.now()), SWEEP_INTERVAL_MS);
  timer.unref();

  return {
    ...sqliteTransactions(context),
    ...sqliteOtp(context),
    ...sqliteCodes(context),
    ...sqliteLoginTickets(context),
    ...sqliteUsers(context),
    ...sqliteRoles(context),
    ...sqliteOrganizations(context),
    ...sqlitePasskeys(context),
    ...sqliteMfaEnrolments(context),
    ...sqliteSessions(context),
    ...sqliteRefreshTokens(context),
    ...sqliteMessages(context, maxMessages),
    ...sqliteKeys(context),

    async reset() {
      deleteAllRecords(db);
    },
    async close() {
      clearInterval(timer);
      if (db.open) db.close();
    },
  };
}
