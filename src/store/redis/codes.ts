import { decodeRecord, encodeRecord } from '../json-records.js';
import type { AuthorizationCode } from '../records.js';
import type { AuthorizationCodeStore } from '../types.js';
import type { RedisContext } from './context.js';

/** The Redis store's authorization codes: a string each, taken with GETDEL so only one caller gets it. */
export function redisCodes({ redis, k, ttl, live }: RedisContext): AuthorizationCodeStore {
  return {
    async saveAuthorizationCode(code) {
      await redis.set(k.code(code.code), encodeRecord(code), 'PX', ttl(code.expiresAt));
    },
    async consumeAuthorizationCode(code) {
      const raw = await redis.getdel(k.code(code));
      return raw ? live(decodeRecord<AuthorizationCode>(raw)) : undefined;
    },
  };
}
