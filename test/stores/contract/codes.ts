import { beforeEach, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/clock.js';
import type { AuthorizationCodeStore } from '../../../src/store/types.js';
import { MINUTE, T0, type PortContract } from './fixtures.js';

/**
 * The AuthorizationCodeStore contract. An authorization code is handed out once, never after its
 * expiry, and exactly once under concurrency.
 */
export const authorizationCodesContract: PortContract = {
  port: 'AuthorizationCodeStore',
  concern: 'authorization codes',
  cases(subject) {
    const { authCode } = subject.records;
    let store: AuthorizationCodeStore;
    let clock: ManualClock;
    beforeEach(() => {
      ({ store, clock } = subject);
    });

    it('returns a saved code once and never again', async () => {
      const saved = authCode();
      await store.saveAuthorizationCode(saved);
      expect(await store.consumeAuthorizationCode('code_1')).toEqual(saved);
      expect(await store.consumeAuthorizationCode('code_1')).toBeUndefined();
    });

    it('returns undefined for a code that was never saved', async () => {
      await store.saveAuthorizationCode(authCode());
      expect(await store.consumeAuthorizationCode('code_2')).toBeUndefined();
    });

    it('refuses a code once the clock reaches its expiresAt', async () => {
      await store.saveAuthorizationCode(authCode({ code: 'code_live', expiresAt: T0 + MINUTE }));
      await store.saveAuthorizationCode(authCode({ code: 'code_dead', expiresAt: T0 + MINUTE }));
      clock.set(T0 + MINUTE - 1);
      expect(await store.consumeAuthorizationCode('code_live')).toMatchObject({ code: 'code_live' });
      clock.set(T0 + MINUTE);
      expect(await store.consumeAuthorizationCode('code_dead')).toBeUndefined();
    });

    it('lets exactly one of several concurrent consumers win', async () => {
      await store.saveAuthorizationCode(authCode());
      const results = await Promise.all(Array.from({ length: 10 }, () => store.consumeAuthorizationCode('code_1')));
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({ code: 'code_1', userId: 'email|0123456789abcdef01234567' });
    });

    it('keeps the fields that are undefined or false as they were saved', async () => {
      const saved = authCode({ nonce: undefined, audience: 'https://api.example', codeChallenge: undefined, codeChallengeMethod: undefined, maxAgeRequested: true });
      await store.saveAuthorizationCode(saved);
      const got = await store.consumeAuthorizationCode('code_1');
      expect(got?.nonce).toBeUndefined();
      expect(got?.codeChallenge).toBeUndefined();
      expect(got).toMatchObject({ audience: 'https://api.example', maxAgeRequested: true });
    });
  },
};
