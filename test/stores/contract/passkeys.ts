import { beforeEach, expect, it } from 'vitest';
import type { PasskeyStore, StoreLifecycle, UserStore } from '../../../src/store/types.js';
import type { PortContract } from './fixtures.js';

/**
 * The PasskeyStore contract. A passkey is saved once per credential id, listed oldest first, counted
 * on use, and deleted with its user.
 */
export const passkeysContract: PortContract = {
  port: 'PasskeyStore',
  concern: 'passkeys',
  cases(subject) {
    const { user, passkey } = subject.records;
    // Deleting a user or resetting the store takes its passkeys along.
    let store: PasskeyStore & UserStore & StoreLifecycle;
    beforeEach(() => {
      ({ store } = subject);
    });

    it('saves a passkey once: a second save with the same id is refused and changes nothing', async () => {
      expect(await store.savePasskey(passkey())).toBe(true);
      expect(await store.savePasskey(passkey({ userId: 'auth0|bbbbbbbbbbbbbbbbbbbbbbbb' }))).toBe(false);
      expect(await store.findPasskey('cred_1')).toEqual(passkey());
      expect(await store.findPasskey('cred_unknown')).toBeUndefined();
    });

    it('lists one user\'s passkeys or all of them, oldest first, as copies', async () => {
      await store.savePasskey(passkey({ id: 'cred_a' }));
      await store.savePasskey(passkey({ id: 'cred_b', userId: 'auth0|bbbbbbbbbbbbbbbbbbbbbbbb' }));
      await store.savePasskey(passkey({ id: 'cred_c' }));
      expect((await store.listPasskeys('auth0|aaaaaaaaaaaaaaaaaaaaaaaa')).map((p) => p.id)).toEqual(['cred_a', 'cred_c']);
      const all = await store.listPasskeys();
      expect(all.map((p) => p.id)).toEqual(['cred_a', 'cred_b', 'cred_c']);
      all[0]!.counter = 99;
      expect((await store.findPasskey('cred_a'))?.counter).toBe(0);
      expect(await store.listPasskeys('auth0|nobody')).toEqual([]);
    });

    it('updatePasskeyCounter records the counter and the time of use; unknown ids answer false', async () => {
      await store.savePasskey(passkey());
      expect(await store.updatePasskeyCounter('cred_1', 7, '2026-03-01T11:00:00.000Z')).toBe(true);
      expect(await store.findPasskey('cred_1')).toMatchObject({ counter: 7, lastUsedAt: '2026-03-01T11:00:00.000Z' });
      expect(await store.updatePasskeyCounter('cred_unknown', 1, '2026-03-01T11:00:00.000Z')).toBe(false);
    });

    it('deletePasskey removes it once; deleteUser and reset remove a user\'s passkeys', async () => {
      await store.savePasskey(passkey({ id: 'cred_a' }));
      expect(await store.deletePasskey('cred_a')).toBe(true);
      expect(await store.deletePasskey('cred_a')).toBe(false);
      expect(await store.findPasskey('cred_a')).toBeUndefined();

      const jane = user({ user_id: 'auth0|aaaaaaaaaaaaaaaaaaaaaaaa' });
      await store.insertUser(jane, 'jane@example.com');
      await store.savePasskey(passkey({ id: 'cred_b' }));
      await store.savePasskey(passkey({ id: 'cred_c', userId: 'auth0|bbbbbbbbbbbbbbbbbbbbbbbb' }));
      await store.deleteUser(jane.user_id);
      expect((await store.listPasskeys()).map((p) => p.id)).toEqual(['cred_c']);
      await store.reset();
      expect(await store.listPasskeys()).toEqual([]);
    });
  },
};
