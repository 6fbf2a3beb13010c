import type { TransactionStore } from '../types.js';
import { clone, copy, liveAt, type MemoryContext } from './tables.js';

/**
 * The memory store's logins in progress, bounded: past `maxTransactions`, the oldest login nobody
 * has logged in to yet makes room, so a flood of /authorize calls costs a bounded amount of memory
 * and people who are mid-login keep their place.
 */
export function memoryTransactions({ tables, clock }: MemoryContext, maxTransactions: number): TransactionStore {
  const { transactions } = tables;

  // Maps iterate in insertion order, so the first unauthenticated entry is the oldest such login.
  const makeRoom = (): void => {
    const now = clock.now();
    for (const [id, txn] of transactions) {
      if (txn.expiresAt <= now || !txn.authenticated) {
        transactions.delete(id);
        return;
      }
    }
    // Every live login is authenticated (about to resume): the oldest of them gives way.
    const oldest = transactions.keys().next();
    if (!oldest.done) transactions.delete(oldest.value);
  };

  return {
    async createTransaction(txn) {
      const stored = clone(txn);
      if (transactions.size >= maxTransactions) makeRoom();
      transactions.set(txn.id, stored);
    },
    async getTransaction(id) {
      return copy(liveAt(clock, transactions.get(id)));
    },
    async updateTransaction(id, patch) {
      const txn = liveAt(clock, transactions.get(id));
      if (!txn) return undefined;
      Object.assign(txn, clone(patch));
      return copy(txn);
    },
    async finishTransaction(id) {
      const txn = liveAt(clock, transactions.get(id));
      if (!txn?.authenticated) return undefined;
      transactions.delete(id);
      return txn;
    },
  };
}
