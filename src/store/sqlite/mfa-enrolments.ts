import { decodeRecord } from '../json-records.js';
import type { MfaEnrolment } from '../records.js';
import type { MfaEnrolmentStore } from '../types.js';
import { json, parse, type Row, type SqliteContext } from './context.js';

/**
 * The SQLite store's MFA enrolments (table `mfa_enrolments`, in enrolment order) and each user's
 * remembered-browser revocation time (table `mfa_remember_revocations`). An update rewrites the row
 * in place, so it keeps its place in the order; it only matches the same id of the same user.
 */
export function sqliteMfaEnrolments({ statement }: SqliteContext): MfaEnrolmentStore {
  const sql = {
    insert: statement('INSERT OR IGNORE INTO mfa_enrolments (id, user_id, data) VALUES (?, ?, ?)'),
    get: statement<Row>('SELECT data FROM mfa_enrolments WHERE id = ?'),
    set: statement('UPDATE mfa_enrolments SET data = ? WHERE id = ? AND user_id = ?'),
    list: statement<Row>('SELECT data FROM mfa_enrolments ORDER BY seq'),
    listOfUser: statement<Row>('SELECT data FROM mfa_enrolments WHERE user_id = ? ORDER BY seq'),
    remove: statement('DELETE FROM mfa_enrolments WHERE id = ?'),
    revoke: statement('INSERT OR REPLACE INTO mfa_remember_revocations (user_id, at) VALUES (?, ?)'),
    revokedAt: statement<{ at: number }>('SELECT at FROM mfa_remember_revocations WHERE user_id = ?'),
  };

  return {
    async saveEnrolment(enrolment) {
      return sql.insert.run(enrolment.id, enrolment.userId, json(enrolment)).changes === 1;
    },
    async findEnrolment(id) {
      return parse<MfaEnrolment>(sql.get.get(id));
    },
    async listEnrolments(userId) {
      const rows = userId === undefined ? sql.list.all() : sql.listOfUser.all(userId);
      return rows.map((row) => decodeRecord<MfaEnrolment>(row.data));
    },
    async updateEnrolment(enrolment) {
      // One statement: the check (same id, same user) and the write are atomic without a transaction.
      return sql.set.run(json(enrolment), enrolment.id, enrolment.userId).changes === 1;
    },
    async deleteEnrolment(id) {
      return sql.remove.run(id).changes === 1;
    },
    async revokeRememberedBrowsers(userId, at) {
      sql.revoke.run(userId, at);
    },
    async rememberedBrowsersRevokedAt(userId) {
      return sql.revokedAt.get(userId)?.at;
    },
  };
}
