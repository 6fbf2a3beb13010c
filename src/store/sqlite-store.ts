import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { ConfigError } from '../startup-error.js';
import type { PersistentKeys } from '../oauth/keys.js';
import { decodeRecord, encodeRecord } from './json-records.js';
import type { AuthorizationCode, Message, OtpChallenge, Passkey, RefreshToken, Session, Store, Transaction, User } from './types.js';

/**
 * The store for one machine: a SQLite file (better-sqlite3, an optional dependency loaded only when
 * `UNDERSTUDY_STORE=sqlite:` asks for it). Records are kept as JSON next to the columns that are
 * looked up or expire, so every field round-trips as the memory store keeps it.
 *
 * Durability: WAL with synchronous=NORMAL. A commit has been written to the WAL file (the operating
 * system's page cache) before better-sqlite3 returns, so a `kill -9` of the process loses nothing
 * that was acknowledged; only a power cut or kernel crash can drop the last commits (never corrupt the
 * file). FULL would add an fsync per commit for that case, at a cost on every login write.
 *
 * better-sqlite3 is synchronous, so each method runs to completion on Node's thread; read-modify-write
 * operations also run in `BEGIN IMMEDIATE` transactions so that another process on the same file
 * cannot interleave.
 */
export const SQLITE_DRIVER = 'better-sqlite3@12.11.1';
const SWEEP_INTERVAL_MS = 60_000;
/** An expired OTP challenge is kept a while, so a late guess hears "expired" rather than "no code". */
const OTP_GRACE_MS = 10 * 60_000;

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
];
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

type Database = BetterSqlite3.Database;
type DatabaseConstructor = new (filename: string, options?: BetterSqlite3.Options) => Database;

/**
 * better-sqlite3, imported only now: a machine that could not build it still runs the memory store.
 * (`load` is for tests, to play a machine without it.)
 */
export async function loadSqliteDriver(load: () => Promise<unknown> = () => import('better-sqlite3')): Promise<DatabaseConstructor> {
  try {
    const mod = (await load()) as { default: DatabaseConstructor };
    return mod.default;
  } catch (err) {
    throw new ConfigError('UNDERSTUDY_STORE', [
      `sqlite: needs the optional dependency ${SQLITE_DRIVER}, which is not installed or did not build on this machine ` +
        `(${(err as Error).message.split('\n')[0]}). Install it with \`npm install ${SQLITE_DRIVER}\` (it compiles SQLite, which needs ` +
        'python3, make and a C++ compiler), or use UNDERSTUDY_STORE=memory or redis://.',
    ]);
  }
}

/** Creates the schema, or moves an older one up; a newer one than this code knows stops start-up. */
function migrate(db: Database, path: string): void {
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

export async function openSqliteStore(path: string, clock: Clock, options: { maxMessages?: number } = {}): Promise<Store> {
  const maxMessages = Math.max(1, options.maxMessages ?? 1000);
  const Driver = await loadSqliteDriver();
  const file = resolve(path);
  let db: Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Driver(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Another process on the same file waits for the write lock instead of failing at once.
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    throw new ConfigError('UNDERSTUDY_STORE', [`cannot open the SQLite database ${file}: ${(err as Error).message}`]);
  }
  try {
    migrate(db, file);
  } catch (err) {
    db.close();
    throw err;
  }

  const parse = <T>(row: { data: string } | undefined): T | undefined => (row ? decodeRecord<T>(row.data) : undefined);
  const json = (value: object): string => encodeRecord(value);
  const q = <R = unknown>(sql: string) => {
    const statement = db.prepare(sql);
    return {
      get: (...args: unknown[]) => statement.get(...args) as R | undefined,
      all: (...args: unknown[]) => statement.all(...args) as R[],
      run: (...args: unknown[]) => statement.run(...args),
    };
  };
  /** Read-modify-write steps take the write lock first, so no other process slips in between. */
  const atomically = <A extends unknown[], R>(fn: (...args: A) => R) => {
    const txn = db.transaction(fn);
    return (...args: A): R => txn.immediate(...args);
  };
  type Row = { data: string };

  const sql = {
    putTransaction: q('INSERT OR REPLACE INTO transactions (id, expires_at, data) VALUES (?, ?, ?)'),
    getTransaction: q<Row>('SELECT data FROM transactions WHERE id = ? AND expires_at > ?'),
    deleteTransaction: q('DELETE FROM transactions WHERE id = ?'),
    putOtp: q('INSERT OR REPLACE INTO otp_challenges (key, expires_at, data) VALUES (?, ?, ?)'),
    getOtp: q<Row>('SELECT data FROM otp_challenges WHERE key = ?'),
    deleteOtp: q('DELETE FROM otp_challenges WHERE key = ?'),
    putCode: q('INSERT OR REPLACE INTO authorization_codes (code, expires_at, data) VALUES (?, ?, ?)'),
    getCode: q<Row & { expires_at: number }>('SELECT data, expires_at FROM authorization_codes WHERE code = ?'),
    deleteCode: q('DELETE FROM authorization_codes WHERE code = ?'),
    getUser: q<Row>('SELECT data FROM users WHERE user_id = ?'),
    findUser: q<Row>('SELECT u.data FROM user_identifiers i JOIN users u ON u.user_id = i.user_id WHERE i.connection = ? AND i.identifier = ?'),
    indexOwner: q<{ user_id: string }>('SELECT user_id FROM user_identifiers WHERE connection = ? AND identifier = ?'),
    addIndex: q('INSERT OR REPLACE INTO user_identifiers (connection, identifier, user_id) VALUES (?, ?, ?)'),
    deleteIndex: q('DELETE FROM user_identifiers WHERE connection = ? AND identifier = ?'),
    insertUser: q('INSERT INTO users (user_id, data) VALUES (?, ?)'),
    setUser: q('UPDATE users SET data = ? WHERE user_id = ?'),
    listUsers: q<Row>('SELECT data FROM users ORDER BY seq'),
    deleteUser: q('DELETE FROM users WHERE user_id = ?'),
    deleteUserIndex: q('DELETE FROM user_identifiers WHERE user_id = ?'),
    deleteUserSessions: q('DELETE FROM sessions WHERE user_id = ?'),
    deleteUserTokens: q('DELETE FROM refresh_tokens WHERE user_id = ?'),
    deleteUserPasskeys: q('DELETE FROM passkeys WHERE user_id = ?'),
    insertPasskey: q('INSERT OR IGNORE INTO passkeys (id, user_id, data) VALUES (?, ?, ?)'),
    getPasskey: q<Row>('SELECT data FROM passkeys WHERE id = ?'),
    setPasskey: q('UPDATE passkeys SET data = ? WHERE id = ?'),
    listPasskeys: q<Row>('SELECT data FROM passkeys ORDER BY seq'),
    listUserPasskeys: q<Row>('SELECT data FROM passkeys WHERE user_id = ? ORDER BY seq'),
    deletePasskey: q('DELETE FROM passkeys WHERE id = ?'),
    putToken: q('INSERT OR REPLACE INTO refresh_tokens (token_hash, family_id, user_id, client_id, expires_at, data) VALUES (?, ?, ?, ?, ?, ?)'),
    getToken: q<Row>('SELECT data FROM refresh_tokens WHERE token_hash = ?'),
    getLiveToken: q<Row>('SELECT data FROM refresh_tokens WHERE token_hash = ? AND expires_at > ?'),
    setToken: q('UPDATE refresh_tokens SET expires_at = ?, data = ? WHERE token_hash = ?'),
    deleteFamily: q('DELETE FROM refresh_tokens WHERE family_id = ?'),
    deleteTokensOf: q('DELETE FROM refresh_tokens WHERE user_id = ?'),
    deleteTokensOfClient: q('DELETE FROM refresh_tokens WHERE user_id = ? AND client_id = ?'),
    putSession: q('INSERT OR REPLACE INTO sessions (id, user_id, expires_at, created_at, data) VALUES (?, ?, ?, ?, ?)'),
    getSession: q<Row>('SELECT data FROM sessions WHERE id = ? AND expires_at > ?'),
    listSessions: q<Row>('SELECT data FROM sessions WHERE expires_at > ? ORDER BY created_at, rowid'),
    deleteSession: q('DELETE FROM sessions WHERE id = ?'),
    insertMessage: q('INSERT INTO messages (id, recipient, channel, data) VALUES (?, ?, ?, ?)'),
    trimMessages: q('DELETE FROM messages WHERE seq <= (SELECT MAX(seq) FROM messages) - ?'),
    messageSeq: q<{ seq: number }>('SELECT seq FROM messages WHERE id = ?'),
    listMessages: q<Row>(
      'SELECT data FROM messages WHERE seq > ? AND (? IS NULL OR recipient = ?) AND (? IS NULL OR channel = ?) ORDER BY seq DESC',
    ),
    clearMessages: q('DELETE FROM messages'),
    getSetting: q<{ value: string }>('SELECT value FROM settings WHERE name = ?'),
    addSetting: q('INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)'),
  };

  const tokenEnd = (t: RefreshToken): number => Math.min(t.expiresAt, t.idleExpiresAt);
  const putToken = (t: RefreshToken): void => {
    sql.putToken.run(t.tokenHash, t.familyId, t.userId, t.clientId, tokenEnd(t), json(t));
  };

  const updateTransaction = atomically((id: string, patch: Partial<Transaction>): Transaction | undefined => {
    const txn = parse<Transaction>(sql.getTransaction.get(id, clock.now()));
    if (!txn) return undefined;
    Object.assign(txn, patch);
    sql.putTransaction.run(id, txn.expiresAt, json(txn));
    return txn;
  });
  const finishTransaction = atomically((id: string): Transaction | undefined => {
    const txn = parse<Transaction>(sql.getTransaction.get(id, clock.now()));
    if (!txn?.authenticated) return undefined;
    sql.deleteTransaction.run(id);
    return txn;
  });
  const recordOtpAttempt = atomically((key: string): OtpChallenge | undefined => {
    const challenge = parse<OtpChallenge>(sql.getOtp.get(key));
    if (!challenge) return undefined;
    challenge.attempts += 1;
    sql.putOtp.run(key, challenge.expiresAt, json(challenge));
    return challenge;
  });
  const markOtpExhausted = atomically((key: string, id: string): void => {
    const challenge = parse<OtpChallenge>(sql.getOtp.get(key));
    if (challenge?.id !== id) return;
    challenge.exhausted = true;
    sql.putOtp.run(key, challenge.expiresAt, json(challenge));
  });
  const consumeOtpChallenge = atomically((key: string, id: string): boolean => {
    const challenge = parse<OtpChallenge>(sql.getOtp.get(key));
    if (challenge?.id !== id || challenge.exhausted) return false;
    sql.deleteOtp.run(key);
    return true;
  });
  const consumeAuthorizationCode = atomically((code: string): AuthorizationCode | undefined => {
    const row = sql.getCode.get(code);
    if (!row) return undefined;
    sql.deleteCode.run(code);
    return row.expires_at > clock.now() ? (decodeRecord<AuthorizationCode>(row.data)) : undefined;
  });
  const insertUser = atomically((user: User, identifier: string): User => {
    const owner = sql.indexOwner.get(user.connection, identifier);
    const existing = owner && parse<User>(sql.getUser.get(owner.user_id));
    if (existing) return existing;
    sql.insertUser.run(user.user_id, json(user));
    sql.addIndex.run(user.connection, identifier, user.user_id);
    return user;
  });
  const updateUser = atomically((userId: string, patch: Partial<User>): User | undefined => {
    const user = parse<User>(sql.getUser.get(userId));
    if (!user) return undefined;
    // A changed email or phone number that was the user's identifier moves its index entry along.
    for (const field of ['email', 'phone_number'] as const) {
      const before = user[field];
      const after = patch[field];
      if (!before || !after || before === after || sql.indexOwner.get(user.connection, before)?.user_id !== userId) continue;
      sql.deleteIndex.run(user.connection, before);
      sql.addIndex.run(user.connection, after, userId);
    }
    Object.assign(user, patch);
    sql.setUser.run(json(user), userId);
    return user;
  });
  const deleteUser = atomically((userId: string): boolean => {
    if (sql.deleteUser.run(userId).changes === 0) return false;
    sql.deleteUserIndex.run(userId);
    sql.deleteUserSessions.run(userId);
    sql.deleteUserTokens.run(userId);
    sql.deleteUserPasskeys.run(userId);
    return true;
  });
  const updatePasskeyCounter = atomically((id: string, counter: number, lastUsedAt: string): boolean => {
    const passkey = parse<Passkey>(sql.getPasskey.get(id));
    if (!passkey) return false;
    passkey.counter = counter;
    passkey.lastUsedAt = lastUsedAt;
    sql.setPasskey.run(json(passkey), id);
    return true;
  });
  const markRefreshTokenRotated = atomically((tokenHash: string, now: number): RefreshToken | undefined => {
    const token = parse<RefreshToken>(sql.getToken.get(tokenHash));
    if (!token) return undefined;
    const before = { ...token };
    if (token.rotatedAt === undefined) {
      token.rotatedAt = now;
      sql.setToken.run(tokenEnd(token), json(token), tokenHash);
    }
    return before;
  });
  const touchRefreshToken = atomically((tokenHash: string, idleExpiresAt: number): void => {
    const token = parse<RefreshToken>(sql.getToken.get(tokenHash));
    if (!token) return;
    token.idleExpiresAt = idleExpiresAt;
    sql.setToken.run(tokenEnd(token), json(token), tokenHash);
  });
  const updateSession = atomically((id: string, patch: Partial<Session>): Session | undefined => {
    const session = parse<Session>(sql.getSession.get(id, clock.now()));
    if (!session) return undefined;
    Object.assign(session, patch);
    sql.putSession.run(id, session.userId, session.expiresAt, session.createdAt, json(session));
    return session;
  });
  const appendMessage = atomically((message: Message): void => {
    sql.insertMessage.run(message.id, message.to, message.channel, json(message));
    sql.trimMessages.run(maxMessages);
  });
  const reset = atomically((): void => {
    db.exec(`DELETE FROM transactions; DELETE FROM otp_challenges; DELETE FROM authorization_codes; DELETE FROM users;
      DELETE FROM user_identifiers; DELETE FROM sessions; DELETE FROM refresh_tokens; DELETE FROM passkeys; DELETE FROM messages;`);
  });
  const adoptKeys = atomically((offered: PersistentKeys): PersistentKeys => {
    sql.addSetting.run('keys', json({ signingJwk: offered.signingJwk, masterSecret: offered.masterSecret.toString('base64url') }));
    const kept = JSON.parse(sql.getSetting.get('keys')!.value) as { signingJwk: PersistentKeys['signingJwk']; masterSecret: string };
    return { signingJwk: kept.signingJwk, masterSecret: Buffer.from(kept.masterSecret, 'base64url') };
  });

  const sweep = (): void => {
    if (!db.open) return;
    const now = clock.now();
    try {
      db.transaction(() => {
        for (const table of ['transactions', 'authorization_codes', 'sessions', 'refresh_tokens']) {
          db.prepare(`DELETE FROM ${table} WHERE expires_at <= ?`).run(now);
        }
        db.prepare('DELETE FROM otp_challenges WHERE expires_at <= ?').run(now - OTP_GRACE_MS);
      }).immediate();
    } catch {
      // Busy (another process holds the lock): the next sweep catches up.
    }
  };
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS);
  timer.unref();

  return {
    async createTransaction(txn) {
      sql.putTransaction.run(txn.id, txn.expiresAt, json(txn));
    },
    async getTransaction(id) {
      return parse<Transaction>(sql.getTransaction.get(id, clock.now()));
    },
    async updateTransaction(id, patch) {
      return updateTransaction(id, patch);
    },
    async finishTransaction(id) {
      return finishTransaction(id);
    },

    async replaceOtpChallenge(challenge) {
      sql.putOtp.run(challenge.key, challenge.expiresAt, json(challenge));
    },
    async recordOtpAttempt(key) {
      return recordOtpAttempt(key);
    },
    async markOtpExhausted(key, id) {
      markOtpExhausted(key, id);
    },
    async consumeOtpChallenge(key, id) {
      return consumeOtpChallenge(key, id);
    },

    async saveAuthorizationCode(code) {
      sql.putCode.run(code.code, code.expiresAt, json(code));
    },
    async consumeAuthorizationCode(code) {
      return consumeAuthorizationCode(code);
    },

    async getUser(userId) {
      return parse<User>(sql.getUser.get(userId));
    },
    async findUser(connection, identifier) {
      return parse<User>(sql.findUser.get(connection, identifier));
    },
    async insertUser(user, identifier) {
      return insertUser(user, identifier);
    },
    async updateUser(userId, patch) {
      return updateUser(userId, patch);
    },
    async listUsers() {
      return sql.listUsers.all().map((row) => decodeRecord<User>(row.data));
    },
    async deleteUser(userId) {
      return deleteUser(userId);
    },

    async savePasskey(passkey) {
      return sql.insertPasskey.run(passkey.id, passkey.userId, json(passkey)).changes === 1;
    },
    async findPasskey(id) {
      return parse<Passkey>(sql.getPasskey.get(id));
    },
    async listPasskeys(userId) {
      const rows = userId === undefined ? sql.listPasskeys.all() : sql.listUserPasskeys.all(userId);
      return rows.map((row) => decodeRecord<Passkey>(row.data));
    },
    async updatePasskeyCounter(id, counter, lastUsedAt) {
      return updatePasskeyCounter(id, counter, lastUsedAt);
    },
    async deletePasskey(id) {
      return sql.deletePasskey.run(id).changes === 1;
    },

    async saveRefreshToken(token) {
      putToken(token);
    },
    async getRefreshToken(tokenHash) {
      return parse<RefreshToken>(sql.getLiveToken.get(tokenHash, clock.now()));
    },
    async markRefreshTokenRotated(tokenHash, now) {
      return markRefreshTokenRotated(tokenHash, now);
    },
    async touchRefreshToken(tokenHash, idleExpiresAt) {
      touchRefreshToken(tokenHash, idleExpiresAt);
    },
    async revokeRefreshTokenFamily(familyId) {
      sql.deleteFamily.run(familyId);
    },
    async revokeRefreshTokensOf(userId, clientId) {
      if (clientId) sql.deleteTokensOfClient.run(userId, clientId);
      else sql.deleteTokensOf.run(userId);
    },

    async createSession(session) {
      sql.putSession.run(session.id, session.userId, session.expiresAt, session.createdAt, json(session));
    },
    async listSessions() {
      return sql.listSessions.all(clock.now()).map((row) => decodeRecord<Session>(row.data));
    },
    async getSession(id) {
      return parse<Session>(sql.getSession.get(id, clock.now()));
    },
    async updateSession(id, patch) {
      return updateSession(id, patch);
    },
    async deleteSession(id) {
      sql.deleteSession.run(id);
    },

    async appendMessage(message) {
      appendMessage(message);
    },
    async listMessages(filter) {
      // An `after` id that is gone (the mailbox was cleared since) counts as the start: every message is newer.
      const after = filter.after ? (sql.messageSeq.get(filter.after)?.seq ?? 0) : 0;
      const to = filter.to ?? null;
      const channel = filter.channel ?? null;
      return sql.listMessages.all(after, to, to, channel, channel).map((row) => decodeRecord<Message>(row.data));
    },
    async clearMessages() {
      sql.clearMessages.run();
    },

    async reset() {
      reset();
    },
    async close() {
      clearInterval(timer);
      if (db.open) db.close();
    },
    async adoptKeys(offered) {
      return adoptKeys(offered);
    },
  };
}
