import { decodeRecord } from '../json-records.js';
import type { User } from '../records.js';
import type { UserStore } from '../types.js';
import { json, parse, type Row, type SqliteContext } from './context.js';

/**
 * The SQLite store's users (table `users`, in insertion order) and their identifier index (table
 * `user_identifiers`). Deleting a user takes its sessions, refresh tokens, passkeys, MFA enrolments
 * (with the remembered-browser revocation), roles and permissions along, in one transaction.
 */
export function sqliteUsers({ statement, atomically }: SqliteContext): UserStore {
  const sql = {
    getUser: statement<Row>('SELECT data FROM users WHERE user_id = ?'),
    findUser: statement<Row>('SELECT u.data FROM user_identifiers i JOIN users u ON u.user_id = i.user_id WHERE i.connection = ? AND i.identifier = ?'),
    indexOwner: statement<{ user_id: string }>('SELECT user_id FROM user_identifiers WHERE connection = ? AND identifier = ?'),
    addIndex: statement('INSERT OR REPLACE INTO user_identifiers (connection, identifier, user_id) VALUES (?, ?, ?)'),
    addAlias: statement('INSERT OR IGNORE INTO user_identifiers (connection, identifier, user_id) VALUES (?, ?, ?)'),
    deleteIndex: statement('DELETE FROM user_identifiers WHERE connection = ? AND identifier = ?'),
    insertUser: statement('INSERT INTO users (user_id, data) VALUES (?, ?)'),
    setUser: statement('UPDATE users SET data = ? WHERE user_id = ?'),
    listUsers: statement<Row>('SELECT data FROM users ORDER BY seq'),
    deleteUser: statement('DELETE FROM users WHERE user_id = ?'),
    deleteUserIndex: statement('DELETE FROM user_identifiers WHERE user_id = ?'),
    deleteUserSessions: statement('DELETE FROM sessions WHERE user_id = ?'),
    deleteUserTokens: statement('DELETE FROM refresh_tokens WHERE user_id = ?'),
    deleteUserPasskeys: statement('DELETE FROM passkeys WHERE user_id = ?'),
    deleteUserEnrolments: statement('DELETE FROM mfa_enrolments WHERE user_id = ?'),
    deleteUserRememberRevocation: statement('DELETE FROM mfa_remember_revocations WHERE user_id = ?'),
    deleteUserRoles: statement('DELETE FROM user_roles WHERE user_id = ?'),
    deleteUserPermissions: statement('DELETE FROM user_permissions WHERE user_id = ?'),
  };

  const insertUser = atomically((user: User, identifier: string, aliases: string[]): User => {
    const owner = sql.indexOwner.get(user.connection, identifier);
    const existing = owner && parse<User>(sql.getUser.get(owner.user_id));
    if (existing) return existing;
    sql.insertUser.run(user.user_id, json(user));
    sql.addIndex.run(user.connection, identifier, user.user_id);
    for (const alias of aliases) sql.addAlias.run(user.connection, alias, user.user_id);
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
    sql.deleteUserEnrolments.run(userId);
    sql.deleteUserRememberRevocation.run(userId);
    sql.deleteUserRoles.run(userId);
    sql.deleteUserPermissions.run(userId);
    return true;
  });

  return {
    async getUser(userId) {
      return parse<User>(sql.getUser.get(userId));
    },
    async findUser(connection, identifier) {
      return parse<User>(sql.findUser.get(connection, identifier));
    },
    async insertUser(user, identifier, aliases = []) {
      return insertUser(user, identifier, aliases);
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
  };
}
