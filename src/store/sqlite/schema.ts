import { ConfigError } from '../../startup-error.js';
import { OTP_GRACE_MS } from '../expiry.js';
import type { Database } from './driver.js';

/**
 * The SQLite store's schema: the migrations that build it, the check that refuses a newer one, and
 * the table lists that reset and the expiry sweep go through. Records are kept as JSON next to the
 * columns that are looked up or expire, so every field round-trips as the memory store keeps it.
 */

/** Each entry moves the schema one version up; the index + 1 is the version it produces. Append only. */
const MIGRATIONS: string[] = [
  `CREATE TABLE transactions (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, data TEXT NOT NULL);
   CREATE INDEX transactions_expiry ON transactions (expires_at);
   CREATE TABLE otp_challenges (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, data TEXT NOT NULL);
   CREATE INDEX otp_challenges_expiry ON otp_challenges (expires_at);
   CREATE TABLE authorization_codes (code TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, data TEXT NOT NULL);
   CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);
   CREATE TABLE users (seq INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
   CREATE TABLE user_identifiers (connection TEXT NOT NULL, identifier TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (connection, identifier));
   CREATE INDEX user_identifiers_user ON user_identifiers (user_id);
   CREATE TABLE sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL, data TEXT NOT NULL);
   CREATE INDEX sessions_user ON sessions (user_id);
   CREATE INDEX sessions_expiry ON sessions (expires_at);
   CREATE TABLE refresh_tokens (token_hash TEXT PRIMARY KEY, family_id TEXT NOT NULL, user_id TEXT NOT NULL, client_id TEXT NOT NULL,
     expires_at INTEGER NOT NULL, data TEXT NOT NULL);
   CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
   CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
   CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
   CREATE TABLE passkeys (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL, data TEXT NOT NULL);
   CREATE INDEX passkeys_user ON passkeys (user_id);
   CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, recipient TEXT NOT NULL, channel TEXT NOT NULL, data TEXT NOT NULL);
   CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // 2: RBAC (store/sqlite/roles.ts).
  `CREATE TABLE roles (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
   CREATE TABLE role_permissions (seq INTEGER PRIMARY KEY AUTOINCREMENT, role_id TEXT NOT NULL, resource_server TEXT NOT NULL, permission TEXT NOT NULL,
     UNIQUE (role_id, resource_server, permission));
   CREATE TABLE user_roles (seq INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, role_id TEXT NOT NULL, UNIQUE (user_id, role_id));
   CREATE INDEX user_roles_role ON user_roles (role_id);
   CREATE TABLE user_permissions (seq INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, resource_server TEXT NOT NULL, permission TEXT NOT NULL,
     UNIQUE (user_id, resource_server, permission));`,
  // 3: login tickets of embedded login (store/sqlite/login-tickets.ts).
  `CREATE TABLE login_tickets (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, data TEXT NOT NULL);
   CREATE INDEX login_tickets_expiry ON login_tickets (expires_at);`,
  // 4: MFA enrolments and each user's remembered-browser revocation (store/sqlite/mfa-enrolments.ts).
  `CREATE TABLE mfa_enrolments (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL, data TEXT NOT NULL);
   CREATE INDEX mfa_enrolments_user ON mfa_enrolments (user_id);
   CREATE TABLE mfa_remember_revocations (user_id TEXT PRIMARY KEY, at INTEGER NOT NULL);`,
  // 5: organizations, their members and the roles members hold (store/sqlite/organizations.ts).
  `CREATE TABLE organizations (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
   CREATE TABLE organization_members (seq INTEGER PRIMARY KEY AUTOINCREMENT, organization_id TEXT NOT NULL, user_id TEXT NOT NULL, UNIQUE (organization_id, user_id));
   CREATE INDEX organization_members_user ON organization_members (user_id);
   CREATE TABLE organization_member_roles (seq INTEGER PRIMARY KEY AUTOINCREMENT, organization_id TEXT NOT NULL, user_id TEXT NOT NULL, role_id TEXT NOT NULL, UNIQUE (organization_id, user_id, role_id));
   CREATE TABLE organization_invitations (seq INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id TEXT NOT NULL UNIQUE, id TEXT NOT NULL, organization_id TEXT NOT NULL, data TEXT NOT NULL);
   CREATE INDEX organization_invitations_org ON organization_invitations (organization_id);`,
];
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/** The tables reset empties: every record, not the settings (the kept keys) or the schema version. */
const DATA_TABLES = [
  'transactions',
  'otp_challenges',
  'authorization_codes',
  'login_tickets',
  'users',
  'user_identifiers',
  'sessions',
  'refresh_tokens',
  'passkeys',
  'mfa_enrolments',
  'mfa_remember_revocations',
  'messages',
  'roles',
  'role_permissions',
  'user_roles',
  'user_permissions',
  'organizations',
  'organization_members',
  'organization_member_roles',
  'organization_invitations',
];
/** The tables whose rows end at `expires_at`; OTP challenges are kept OTP_GRACE_MS longer. */
const EXPIRING_TABLES = ['transactions', 'authorization_codes', 'login_tickets', 'sessions', 'refresh_tokens'];

/** Creates the schema, or moves an older one up; a newer one than this code knows stops start-up. */
export function migrate(db: Database, path: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  db.transaction(() => {
    const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > SQLITE_SCHEMA_VERSION) {
      throw new ConfigError('UNDERSTUDY_STORE', [
        `the database ${path} has schema version ${current}, newer than this Understudy knows (${SQLITE_SCHEMA_VERSION}): ` +
          'it was written by a newer Understudy. Run that version, or point UNDERSTUDY_STORE at another file.',
      ]);
    }
    for (let version = current + 1; version <= SQLITE_SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version - 1] as string);
    if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SQLITE_SCHEMA_VERSION);
    else if (current < SQLITE_SCHEMA_VERSION) db.prepare('UPDATE schema_version SET version = ?').run(SQLITE_SCHEMA_VERSION);
  }).immediate();
}

/** Empties every data table in one write transaction. */
export function deleteAllRecords(db: Database): void {
  db.transaction(() => db.exec(DATA_TABLES.map((table) => `DELETE FROM ${table};`).join(' '))).immediate();
}

/** Deletes what has expired (reads already refuse it; this only bounds the file). */
export function sweepExpired(db: Database, now: number): void {
  if (!db.open) return;
  try {
    db.transaction(() => {
      for (const table of EXPIRING_TABLES) db.prepare(`DELETE FROM ${table} WHERE expires_at <= ?`).run(now);
      db.prepare('DELETE FROM otp_challenges WHERE expires_at <= ?').run(now - OTP_GRACE_MS);
    }).immediate();
  } catch {
    // Busy (another process holds the lock): the next sweep catches up.
  }
}
