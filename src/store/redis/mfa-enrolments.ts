import type { MfaEnrolment } from '../records.js';
import type { MfaEnrolmentStore } from '../types.js';
import { fromHash, toPairs } from './hash.js';
import type { RedisContext } from './context.js';
import { LUA } from './scripts.js';

/**
 * The Redis store's MFA enrolments: a hash each, in enrolment order in a sorted set overall and one
 * per user (as passkeys), and each user's remembered-browser revocation time as a string. Saving,
 * replacing (same id, same user) and deleting run as scripts.
 */
export function redisMfaEnrolments({ redis, k, run, readHashes }: RedisContext): MfaEnrolmentStore {
  return {
    async saveEnrolment(enrolment) {
      const keys = [k.mfaEnrolment(enrolment.id), k.mfaEnrolments, k.seq];
      return (await run(LUA.saveUserIndexed, keys, [enrolment.id, k.userMfaEnrolmentsPrefix, enrolment.userId, ...toPairs(enrolment)])) === 1;
    },
    async findEnrolment(id) {
      return fromHash<MfaEnrolment>(await redis.hgetall(k.mfaEnrolment(id)));
    },
    async listEnrolments(userId) {
      const ids = await redis.zrange(userId === undefined ? k.mfaEnrolments : k.userMfaEnrolments(userId), '0', '-1');
      return (await readHashes<MfaEnrolment>(ids.map((id) => k.mfaEnrolment(id)))).filter((e): e is MfaEnrolment => e !== undefined);
    },
    async updateEnrolment(enrolment) {
      return (await run(LUA.replaceMfaEnrolment, [k.mfaEnrolment(enrolment.id)], [JSON.stringify(enrolment.userId), ...toPairs(enrolment)])) === 1;
    },
    async deleteEnrolment(id) {
      return (await run(LUA.deleteUserIndexed, [k.mfaEnrolment(id), k.mfaEnrolments], [id, k.userMfaEnrolmentsPrefix])) === 1;
    },
    async revokeRememberedBrowsers(userId, at) {
      await redis.set(k.mfaRememberRevoked(userId), JSON.stringify(at));
    },
    async rememberedBrowsersRevokedAt(userId) {
      const at = await redis.get(k.mfaRememberRevoked(userId));
      return at === null ? undefined : (JSON.parse(at) as number);
    },
  };
}
