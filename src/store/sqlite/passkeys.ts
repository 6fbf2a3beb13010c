import { decodeRecord } from '../json-records.js';
import type { Passkey } from '../records.js';
import type { PasskeyStore } from '../types.js';
import { json, parse, type Row, type SqliteContext } from './context.js';

/** The SQLite store's passkeys (table `passkeys`, in registration order). */
export function sqlitePasskeys({ statement, atomically }: SqliteContext): PasskeyStore {
  const sql = {
    insert: statement('INSERT OR IGNORE INTO passkeys (id, user_id, data) VALUES (?, ?, ?)'),
    get: statement<Row>('SELECT data FROM passkeys WHERE id = ?'),
    set: statement('UPDATE passkeys SET data = ? WHERE id = ?'),
    list: statement<Row>('SELECT data FROM passkeys ORDER BY seq'),
    listOfUser: statement<Row>('SELECT data FROM passkeys WHERE user_id = ? ORDER BY seq'),
    remove: statement('DELETE FROM passkeys WHERE id = ?'),
  };

  const updatePasskeyCounter = atomically((id: string, counter: number, lastUsedAt: string): boolean => {
    const passkey = parse<Passkey>(sql.get.get(id));
    if (!passkey) return false;
    passkey.counter = counter;
    passkey.lastUsedAt = lastUsedAt;
    sql.set.run(json(passkey), id);
    return true;
  });

  return {
    async savePasskey(passkey) {
      return sql.insert.run(passkey.id, passkey.userId, json(passkey)).changes === 1;
    },
    async findPasskey(id) {
      return parse<Passkey>(sql.get.get(id));
    },
    async listPasskeys(userId) {
      const rows = userId === undefined ? sql.list.all() : sql.listOfUser.all(userId);
      return rows.map((row) => decodeRecord<Passkey>(row.data));
    },
    async updatePasskeyCounter(id, counter, lastUsedAt) {
      return updatePasskeyCounter(id, counter, lastUsedAt);
    },
    async deletePasskey(id) {
      return sql.remove.run(id).changes === 1;
    },
  };
}
