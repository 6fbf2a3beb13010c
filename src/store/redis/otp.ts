import { OTP_GRACE_MS } from '../expiry.js';
import type { OtpChallenge } from '../records.js';
import type { OtpStore } from '../types.js';
import { fromHash, toPairs } from './hash.js';
import type { RedisContext } from './context.js';
import { LUA } from './scripts.js';

/** The Redis store's OTP challenges: one hash per key, counted, exhausted and consumed by script. */
export function redisOtp({ redis, k, run, exec, ttl }: RedisContext): OtpStore {
  return {
    async replaceOtpChallenge(challenge) {
      const key = k.otp(challenge.key);
      await exec(redis.multi().del(key).hset(key, ...toPairs(challenge)).pexpire(key, ttl(challenge.expiresAt + OTP_GRACE_MS)));
    },
    async recordOtpAttempt(key) {
      return fromHash<OtpChallenge>(await run(LUA.recordOtpAttempt, [k.otp(key)]));
    },
    async markOtpExhausted(key, id) {
      await run(LUA.markOtpExhausted, [k.otp(key)], [JSON.stringify(id)]);
    },
    async consumeOtpChallenge(key, id) {
      return (await run(LUA.consumeOtp, [k.otp(key)], [JSON.stringify(id)])) === 1;
    },
  };
}
