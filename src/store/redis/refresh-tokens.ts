import { refreshTokenEnd } from '../expiry.js';
import type { RefreshToken } from '../records.js';
import type { RefreshTokenStore } from '../types.js';
import { fromHash, toPairs } from './hash.js';
import type { RedisContext } from './context.js';
import { LUA } from './scripts.js';

/**
 * The Redis store's refresh tokens: a hash each (its TTL the earlier of the absolute and the idle
 * end), a set per family (for revoking it) and a set per user. Rotation is one script, so of two
 * concurrent exchanges one sees the token unrotated.
 */

/** Ends this far out (or Number.MAX_SAFE_INTEGER, "never") get no TTL. */
const NO_TTL_BEYOND_MS = 10 * 365 * 24 * 3_600_000;

export function redisRefreshTokens({ redis, k, clock, run, exec, ttl }: RedisContext): RefreshTokenStore {
  return {
    async saveRefreshToken(token) {
      const key = k.token(token.tokenHash);
      const multi = redis.multi().del(key).hset(key, ...toPairs(token));
      const ends = refreshTokenEnd(token) - clock.now();
      if (ends <= NO_TTL_BEYOND_MS) multi.pexpire(key, Math.max(1, Math.round(ends)));
      multi.sadd(k.family(token.familyId), token.tokenHash).sadd(k.userTokens(token.userId), token.tokenHash);
      // The family set lives as long as the family may (its absolute end).
      if (token.expiresAt - clock.now() <= NO_TTL_BEYOND_MS) multi.pexpire(k.family(token.familyId), ttl(token.expiresAt));
      await exec(multi);
    },
    async getRefreshToken(tokenHash) {
      const token = fromHash<RefreshToken>(await redis.hgetall(k.token(tokenHash)));
      return token && refreshTokenEnd(token) > clock.now() ? token : undefined;
    },
    async markRefreshTokenRotated(tokenHash, now) {
      return fromHash<RefreshToken>(await run(LUA.markRotated, [k.token(tokenHash)], [JSON.stringify(now)]));
    },
    async touchRefreshToken(tokenHash, idleExpiresAt) {
      await run(LUA.touchToken, [k.token(tokenHash)], [JSON.stringify(idleExpiresAt), clock.now(), NO_TTL_BEYOND_MS]);
    },
    async revokeRefreshTokenFamily(familyId) {
      await run(LUA.revokeFamily, [k.family(familyId)], [k.tokenPrefix]);
    },
    async revokeRefreshTokensOf(userId, clientId) {
      await run(LUA.revokeTokensOf, [k.userTokens(userId)], [k.tokenPrefix, clientId ? JSON.stringify(clientId) : '']);
    },
  };
}
