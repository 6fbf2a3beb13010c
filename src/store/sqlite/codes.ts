import { decodeRecord } from '../json-records.js';
import type { AuthorizationCode } from '../records.js';
import type { AuthorizationCodeStore } from '../types.js';
import { json, type Row, type SqliteContext } from './context.js';

/** The SQLite store's authorization codes (table `authorization_codes`): deleted on the first consume, live or not. */
export function sqliteCodes({ statement, atomically, clock }: SqliteContext): AuthorizationCodeStore {
  const put = statement('INSERT OR REPLACE INTO authorization_codes (code, expires_at, data) VALUES (?, ?, ?)');
  const get = statement<Row & { expires_at: number }>('SELECT data, expires_at FROM authorization_codes WHERE code = ?');
  const remove = statement('DELETE FROM authorization_codes WHERE code = ?');

  const consumeAuthorizationCode = atomically((code: string): AuthorizationCode | undefined => {
    const row = get.get(code);
    if (!row) return undefined;
    remove.run(code);
    return row.expires_at > clock.now() ? decodeRecord<AuthorizationCode>(row.data) : undefined;
  });

  return {
    async saveAuthorizationCode(code) {
      put.run(code.code, code.expiresAt, json(code));
    },
    async consumeAuthorizationCode(code) {
      return consumeAuthorizationCode(code);
    },
  };
}
