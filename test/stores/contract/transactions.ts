import { beforeEach, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/clock.js';
import type { TransactionStore } from '../../../src/store/types.js';
import { MINUTE, T0, type PortContract } from './fixtures.js';

/**
 * The TransactionStore contract. A login in progress is kept field for field until its expiry, patched
 * in place, and finished exactly once.
 */
export const transactionsContract: PortContract = {
  port: 'TransactionStore',
  concern: 'logins in progress',
  cases(subject) {
    const { transaction, authenticated } = subject.records;
    let store: TransactionStore;
    let clock: ManualClock;
    beforeEach(() => {
      ({ store, clock } = subject);
    });

    it('returns a created transaction by id, field for field', async () => {
      const txn = transaction();
      await store.createTransaction(txn);
      expect(await store.getTransaction('txn_1')).toEqual(txn);
      expect(await store.getTransaction('txn_unknown')).toBeUndefined();
    });

    it('applies a patch and returns the updated transaction; unknown ids update nothing', async () => {
      await store.createTransaction(transaction());
      const updated = await store.updateTransaction('txn_1', { identifier: 'jane@example.com', connection: 'sms' });
      expect(updated).toMatchObject({ id: 'txn_1', identifier: 'jane@example.com', connection: 'sms', clientState: 'client-state' });
      expect(await store.getTransaction('txn_1')).toMatchObject({ identifier: 'jane@example.com', connection: 'sms' });
      expect(await store.updateTransaction('txn_unknown', { identifier: 'x' })).toBeUndefined();
      expect(await store.getTransaction('txn_unknown')).toBeUndefined();
    });

    it('forgets a transaction once the clock reaches its expiresAt', async () => {
      await store.createTransaction(transaction({ expiresAt: T0 + 10 * MINUTE }));
      clock.set(T0 + 10 * MINUTE - 1);
      expect(await store.getTransaction('txn_1')).toBeDefined();
      clock.set(T0 + 10 * MINUTE);
      expect(await store.getTransaction('txn_1')).toBeUndefined();
      expect(await store.updateTransaction('txn_1', { identifier: 'late@example.com' })).toBeUndefined();
    });

    it('finishTransaction returns an authenticated transaction once and never again', async () => {
      await store.createTransaction(transaction());
      await store.updateTransaction('txn_1', { authenticated: authenticated() });
      const finished = await store.finishTransaction('txn_1');
      expect(finished).toMatchObject({ id: 'txn_1', authenticated: authenticated() });
      expect(await store.finishTransaction('txn_1')).toBeUndefined();
      expect(await store.getTransaction('txn_1')).toBeUndefined();
    });

    it('finishTransaction refuses an unauthenticated transaction and leaves it in place', async () => {
      await store.createTransaction(transaction());
      expect(await store.finishTransaction('txn_1')).toBeUndefined();
      expect(await store.getTransaction('txn_1')).toMatchObject({ id: 'txn_1', authenticated: undefined });
      expect(await store.finishTransaction('txn_unknown')).toBeUndefined();
    });

    it('finishTransaction refuses an authenticated transaction that has expired', async () => {
      await store.createTransaction(transaction({ authenticated: authenticated(), expiresAt: T0 + MINUTE }));
      clock.set(T0 + MINUTE);
      expect(await store.finishTransaction('txn_1')).toBeUndefined();
    });

    it('lets exactly one of several concurrent finishTransaction calls win', async () => {
      await store.createTransaction(transaction({ authenticated: authenticated() }));
      const results = await Promise.all(Array.from({ length: 8 }, () => store.finishTransaction('txn_1')));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });

    it('hands out copies: mutating the input or a returned transaction does not change the stored one', async () => {
      const txn = transaction();
      await store.createTransaction(txn);
      txn.scope = 'mutated-after-create';
      const got = (await store.getTransaction('txn_1'))!;
      got.identifier = 'mutated@example.com';
      const updated = (await store.updateTransaction('txn_1', { prompt: 'login' }))!;
      updated.clientState = 'mutated';
      expect(await store.getTransaction('txn_1')).toMatchObject({ scope: 'openid profile', identifier: undefined, clientState: 'client-state', prompt: 'login' });
    });

    it('a transaction keeps its WebAuthn challenge, and a patch replaces it', async () => {
      await store.createTransaction(transaction());
      await store.updateTransaction('txn_1', { webauthnChallenge: 'challenge-one' });
      expect((await store.getTransaction('txn_1'))?.webauthnChallenge).toBe('challenge-one');
      await store.updateTransaction('txn_1', { webauthnChallenge: 'challenge-two' });
      expect((await store.getTransaction('txn_1'))?.webauthnChallenge).toBe('challenge-two');
    });
  },
};
