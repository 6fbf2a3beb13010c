import { beforeEach, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/clock.js';
import type { SessionStore } from '../../../src/store/types.js';
import { MINUTE, T0, type PortContract } from './fixtures.js';

/**
 * The SessionStore contract. An SSO session is kept until its expiry, patched in place, and listed
 * oldest first.
 */
export const sessionsContract: PortContract = {
  port: 'SessionStore',
  concern: 'sessions',
  cases(subject) {
    const { session } = subject.records;
    let store: SessionStore;
    let clock: ManualClock;
    beforeEach(() => {
      ({ store, clock } = subject);
    });

    it('creates, reads, updates and deletes a session', async () => {
      const s = session();
      await store.createSession(s);
      expect(await store.getSession('sess_1')).toEqual(s);
      const updated = await store.updateSession('sess_1', { clients: ['client_1', 'client_2'], lastActiveAt: T0 + MINUTE });
      expect(updated).toMatchObject({ id: 'sess_1', userId: s.userId, clients: ['client_1', 'client_2'], lastActiveAt: T0 + MINUTE });
      expect(await store.getSession('sess_1')).toEqual(updated);
      await store.deleteSession('sess_1');
      expect(await store.getSession('sess_1')).toBeUndefined();
      expect(await store.updateSession('sess_1', { lastActiveAt: T0 })).toBeUndefined();
    });

    it('finds nothing for unknown ids, and deleting an unknown id is harmless', async () => {
      await store.createSession(session());
      expect(await store.getSession('sess_unknown')).toBeUndefined();
      expect(await store.updateSession('sess_unknown', { lastActiveAt: T0 })).toBeUndefined();
      await store.deleteSession('sess_unknown');
      expect(await store.getSession('sess_1')).toBeDefined();
    });

    it('forgets a session once the clock reaches its expiresAt', async () => {
      await store.createSession(session({ expiresAt: T0 + 60 * MINUTE }));
      clock.set(T0 + 60 * MINUTE - 1);
      expect(await store.getSession('sess_1')).toBeDefined();
      clock.set(T0 + 60 * MINUTE);
      expect(await store.getSession('sess_1')).toBeUndefined();
      expect(await store.updateSession('sess_1', { lastActiveAt: clock.now() })).toBeUndefined();
    });

    it('hands out copies: mutating a returned session does not change the stored one', async () => {
      await store.createSession(session());
      const got = (await store.getSession('sess_1'))!;
      got.clients.push('client_mutated');
      const updated = (await store.updateSession('sess_1', { lastActiveAt: T0 + 1 }))!;
      updated.clients.push('client_mutated_too');
      expect((await store.getSession('sess_1'))?.clients).toEqual(['client_1']);
    });

    it('listSessions returns the live sessions oldest first, as copies', async () => {
      await store.createSession(session({ id: 'sess_old', createdAt: T0 - MINUTE }));
      await store.createSession(session({ id: 'sess_new', createdAt: T0, expiresAt: T0 + 10 * MINUTE }));
      const listed = await store.listSessions();
      expect(listed.map((s) => s.id)).toEqual(['sess_old', 'sess_new']);
      expect(listed[0]).toEqual(session({ id: 'sess_old', createdAt: T0 - MINUTE }));
      listed[0]!.clients.push('client_mutated');
      expect((await store.getSession('sess_old'))?.clients).toEqual(['client_1']);
      clock.set(T0 + 10 * MINUTE);
      expect((await store.listSessions()).map((s) => s.id)).toEqual(['sess_old']);
    });
  },
};
