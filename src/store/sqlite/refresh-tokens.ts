import { refreshTokenEnd } from '../expiry.js';
import type { RefreshToken } from '../records.js';
import type { RefreshTokenStore } from '../types.js';
import { json, parse, type Row, type SqliteContext } from './context.js';

/**
 * The SQLite store's refresh tokens (table `refresh_tokens`, indexed by family and by user). The
 * `expires_at` column holds the earlier of the absolute and the idle end, so the sweep drops a
 * token at whichever comes first.
 */
export function sqliteRefreshTokens({ statement, atomically, clock }: SqliteContext): RefreshTokenStore {
  const sql = {
    put: statement('INSERT OR REPLACE INTO refresh_tokens (token_hash, family_id, user_id, client_id, expires_at, data) VALUES (?, ?, ?, ?, ?, ?)'),
    get: statement<Row>('SELECT data FROM refresh_tokens WHERE token_hash = ?'),
    getLive: statement<Row>('SELECT data FROM refresh_tokens WHERE token_hash = ? AND expires_at > ?'),
    set: statement('UPDATE refresh_tokens SET expires_at = ?, data = ? WHERE token_hash = ?'),
    deleteFamily: statement('DELETE FROM refresh_tokens WHERE family_id = ?'),
    deleteOfUser: statement('DELETE FROM refresh_tokens WHERE user_id = ?'),
    deleteOfUserAndClient: statement('DELETE FROM refresh_tokens WHERE user_id = ? AND client_id = ?'),
  };

  const markRefreshTokenRotated = atomically((tokenHash: string, now: number): RefreshToken | undefined => {
    const token = parse<RefreshToken>(sql.get.get(tokenHash));
    if (!token) return undefined;
    const before = { ...token };
    if (token.rotatedAt === undefined) {
      token.rotatedAt = now;
      sql.set.run(refreshTokenEnd(token), json(token), tokenHash);
    }
    return before;
  });
  const touchRefreshToken = atomically((tokenHash: string, idleExpiresAt: number): void => {
    const token = parse<RefreshToken>(sql.get.get(tokenHash));
    if (!token) return;
    token.idleExpiresAt = idleExpiresAt;
    sql.set.run(refreshTokenEnd(token), json(token), tokenHash);
  });

  return {
    async saveRefreshToken(t) {
      sql.put.run(t.tokenHash, t.familyId, t.userId, t.clientId, refreshTokenEnd(t), json(t));
    },
    async getRefreshToken(tokenHash) {
      return parse<RefreshToken>(sql.getLive.get(tokenHash, clock.now()));
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
      if (clientId) sql.deleteOfUserAndClient.run(userId, clientId);
      else sql.deleteOfUser.run(userId);
    },
  };
}
