import type { Passkey } from '../records.js';
import type { PasskeyStore } from '../types.js';
import { fromHash, toPairs } from './hash.js';
import type { RedisContext } from './context.js';
import { LUA } from './scripts.js';

/** The Redis store's passkeys: a hash each, in registration order in a sorted set overall and one per user. */
export function redisPasskeys({ redis, k, run, readHashes }: RedisContext): PasskeyStore {
  return {
    async savePasskey(passkey) {
      const keys = [k.passkey(passkey.id), k.passkeys, k.seq];
      return (await run(LUA.saveUserIndexed, keys, [passkey.id, k.userPasskeysPrefix, passkey.userId, ...toPairs(passkey)])) === 1;
    },
    async findPasskey(id) {
      return fromHash<Passkey>(await redis.hgetall(k.passkey(id)));
    },
    async listPasskeys(userId) {
      const ids = await redis.zrange(userId === undefined ? k.passkeys : k.userPasskeys(userId), '0', '-1');
      return (await readHashes<Passkey>(ids.map((id) => k.passkey(id)))).filter((p): p is Passkey => p !== undefined);
    },
    async updatePasskeyCounter(id, counter, lastUsedAt) {
      return (await run(LUA.updatePasskeyCounter, [k.passkey(id)], [JSON.stringify(counter), JSON.stringify(lastUsedAt)])) === 1;
    },
    async deletePasskey(id) {
      return (await run(LUA.deleteUserIndexed, [k.passkey(id), k.passkeys], [id, k.userPasskeysPrefix])) === 1;
    },
  };
}
