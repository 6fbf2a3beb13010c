import type { Transaction } from '../records.js';
import type { TransactionStore } from '../types.js';
import { fromHash, toPairs } from './hash.js';
import type { RedisContext } from './context.js';
import { LUA } from './scripts.js';

/** The Redis store's logins in progress: one hash each, patched and finished by script. */
export function redisTransactions({ redis, k, clock, run, exec, ttl, live }: RedisContext): TransactionStore {
  return {
    async createTransaction(txn) {
      const key = k.txn(txn.id);
      await exec(redis.multi().del(key).hset(key, ...toPairs(txn)).pexpire(key, ttl(txn.expiresAt)));
    },
    async getTransaction(id) {
      return live(fromHash<Transaction>(await redis.hgetall(k.txn(id))));
    },
    async updateTransaction(id, patch) {
      const newTtl = patch.expiresAt === undefined ? '' : ttl(patch.expiresAt);
      return fromHash<Transaction>(await run(LUA.patchLive, [k.txn(id)], [clock.now(), newTtl, ...toPairs(patch)]));
    },
    async finishTransaction(id) {
      return fromHash<Transaction>(await run(LUA.finishTransaction, [k.txn(id)], [clock.now()]));
    },
  };
}
