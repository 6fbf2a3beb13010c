import type { Transaction } from '../records.js';
import type { TransactionStore } from '../types.js';
import { json, parse, type Row, type SqliteContext } from './context.js';

/** The SQLite store's logins in progress (table `transactions`). */
export function sqliteTransactions({ statement, atomically, clock }: SqliteContext): TransactionStore {
  const put = statement('INSERT OR REPLACE INTO transactions (id, expires_at, data) VALUES (?, ?, ?)');
  const get = statement<Row>('SELECT data FROM transactions WHERE id = ? AND expires_at > ?');
  const remove = statement('DELETE FROM transactions WHERE id = ?');

  const updateTransaction = atomically((id: string, patch: Partial<Transaction>): Transaction | undefined => {
    const txn = parse<Transaction>(get.get(id, clock.now()));
    if (!txn) return undefined;
    Object.assign(txn, patch);
    put.run(id, txn.expiresAt, json(txn));
    return txn;
  });
  const finishTransaction = atomically((id: string): Transaction | undefined => {
    const txn = parse<Transaction>(get.get(id, clock.now()));
    if (!txn?.authenticated) return undefined;
    remove.run(id);
    return txn;
  });

  return {
    async createTransaction(txn) {
      put.run(txn.id, txn.expiresAt, json(txn));
    },
    async getTransaction(id) {
      return parse<Transaction>(get.get(id, clock.now()));
    },
    async updateTransaction(id, patch) {
      return updateTransaction(id, patch);
    },
    async finishTransaction(id) {
      return finishTransaction(id);
    },
  };
}
