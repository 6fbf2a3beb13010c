import { beforeEach, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/clock.js';
import type { LoginTicket } from '../../../src/store/records.js';
import type { LoginTicketStore } from '../../../src/store/types.js';
import { MINUTE, T0, type PortContract } from './fixtures.js';

/**
 * The LoginTicketStore contract. A login ticket (embedded login's /co/authenticate) is redeemed once,
 * never after its expiry, and exactly once under concurrency; the request it waits to answer comes
 * back as it was saved.
 */
export const loginTicketsContract: PortContract = {
  port: 'LoginTicketStore',
  concern: 'login tickets',
  cases(subject) {
    let store: LoginTicketStore;
    let clock: ManualClock;
    beforeEach(() => {
      ({ store, clock } = subject);
    });

    const ticket = (overrides: Partial<LoginTicket> = {}): LoginTicket => ({
      id: 'lt_1',
      clientId: 'client_1',
      userId: 'email|0123456789abcdef01234567',
      connection: 'email',
      authTime: Math.floor(clock.now() / 1000),
      sessionId: 'sess_1',
      coId: 'co_1',
      verifierHash: 'hash-of-verifier',
      expiresAt: clock.now() + 5 * MINUTE,
      ...overrides,
    });

    it('returns a saved ticket once and never again', async () => {
      const saved = ticket();
      await store.saveLoginTicket(saved);
      expect(await store.consumeLoginTicket('lt_1')).toEqual(saved);
      expect(await store.consumeLoginTicket('lt_1')).toBeUndefined();
    });

    it('returns undefined for a ticket that was never saved', async () => {
      await store.saveLoginTicket(ticket());
      expect(await store.consumeLoginTicket('lt_2')).toBeUndefined();
    });

    it('refuses a ticket once the clock reaches its expiresAt', async () => {
      await store.saveLoginTicket(ticket({ id: 'lt_live', expiresAt: T0 + MINUTE }));
      await store.saveLoginTicket(ticket({ id: 'lt_dead', expiresAt: T0 + MINUTE }));
      clock.set(T0 + MINUTE - 1);
      expect(await store.consumeLoginTicket('lt_live')).toMatchObject({ id: 'lt_live' });
      clock.set(T0 + MINUTE);
      expect(await store.consumeLoginTicket('lt_dead')).toBeUndefined();
    });

    it('lets exactly one of several concurrent consumers win', async () => {
      await store.saveLoginTicket(ticket());
      const results = await Promise.all(Array.from({ length: 10 }, () => store.consumeLoginTicket('lt_1')));
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({ id: 'lt_1', sessionId: 'sess_1' });
    });

    it('keeps the request a ticket waits to answer, undefined fields included', async () => {
      const request = {
        clientId: 'client_1',
        redirectUri: 'http://localhost:3000/callback',
        responseType: 'token id_token',
        responseMode: 'fragment' as const,
        scope: 'openid',
        audience: undefined,
        clientState: 'state-1',
        nonce: 'nonce-1',
        codeChallenge: undefined,
        codeChallengeMethod: undefined,
        maxAge: 0,
        prompt: undefined,
        uiLocales: undefined,
        loginHint: undefined,
      };
      await store.saveLoginTicket(ticket({ awaiting: { deviceId: 'device_1', request } }));
      const got = await store.consumeLoginTicket('lt_1');
      expect(got?.awaiting?.deviceId).toBe('device_1');
      expect(got?.awaiting?.request).toMatchObject({ responseMode: 'fragment', clientState: 'state-1', maxAge: 0 });
      expect(got?.awaiting?.request.audience).toBeUndefined();
    });

    it('forgets tickets on reset', async () => {
      await store.saveLoginTicket(ticket());
      await subject.store.reset();
      expect(await store.consumeLoginTicket('lt_1')).toBeUndefined();
    });
  },
};
