import { refreshTokenEnd } from '../expiry.js';
import type { RefreshTokenStore } from '../types.js';
import type { MemoryContext } from './tables.js';

/** The memory store's refresh tokens, kept in a table indexed by family (refresh-token-table.ts). */
export function memoryRefreshTokens({ tables, clock }: MemoryContext): RefreshTokenStore {
  const { refreshTokens } = tables;
  return {
    async saveRefreshToken(token) {
      refreshTokens.set({ ...token });
    },
    async getRefreshToken(tokenHash) {
      const token = refreshTokens.get(tokenHash);
      return token && refreshTokenEnd(token) > clock.now() ? { ...token } : undefined;
    },
    async markRefreshTokenRotated(tokenHash, now) {
      const token = refreshTokens.get(tokenHash);
      if (!token) return undefined;
      const before = { ...token };
      token.rotatedAt ??= now;
      return before;
    },
    async touchRefreshToken(tokenHash, idleExpiresAt) {
      const token = refreshTokens.get(tokenHash);
      if (token) token.idleExpiresAt = idleExpiresAt;
    },
    async revokeRefreshTokenFamily(familyId) {
      refreshTokens.deleteFamily(familyId);
    },
    async revokeRefreshTokensOf(userId, clientId) {
      refreshTokens.deleteWhere((t) => t.userId === userId && (!clientId || t.clientId === clientId));
    },
  };
}
