import { beforeEach, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/clock.js';
import type { RefreshTokenStore } from '../../../src/store/types.js';
import { MINUTE, T0, type PortContract } from './fixtures.js';

/**
 * The RefreshTokenStore contract. A refresh token ends at its absolute or idle end, rotates exactly
 * once, and is revoked by family or by user.
 */
export const refreshTokensContract: PortContract = {
  port: 'RefreshTokenStore',
  concern: 'refresh tokens',
  cases(subject) {
    const { refreshToken } = subject.records;
    let store: RefreshTokenStore;
    let clock: ManualClock;
    beforeEach(() => {
      ({ store, clock } = subject);
    });

    it('returns a saved token by its hash, field for field; unknown hashes find nothing', async () => {
      const saved = refreshToken();
      await store.saveRefreshToken(saved);
      expect(await store.getRefreshToken('rt_hash_1')).toEqual(saved);
      expect(await store.getRefreshToken('rt_hash_unknown')).toBeUndefined();
    });

    it('forgets a token once the clock reaches its absolute expiresAt', async () => {
      await store.saveRefreshToken(refreshToken({ expiresAt: T0 + 10 * MINUTE, idleExpiresAt: T0 + 60 * MINUTE }));
      clock.set(T0 + 10 * MINUTE - 1);
      expect(await store.getRefreshToken('rt_hash_1')).toBeDefined();
      clock.set(T0 + 10 * MINUTE);
      expect(await store.getRefreshToken('rt_hash_1')).toBeUndefined();
    });

    it('forgets a token once the clock reaches its idleExpiresAt, and touching it pushes that out', async () => {
      await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_idle', idleExpiresAt: T0 + 10 * MINUTE }));
      await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_touched', idleExpiresAt: T0 + 10 * MINUTE }));
      clock.set(T0 + 5 * MINUTE);
      await store.touchRefreshToken('rt_touched', T0 + 15 * MINUTE);
      clock.set(T0 + 10 * MINUTE);
      expect(await store.getRefreshToken('rt_idle')).toBeUndefined();
      expect(await store.getRefreshToken('rt_touched')).toMatchObject({ idleExpiresAt: T0 + 15 * MINUTE });
      clock.set(T0 + 15 * MINUTE);
      expect(await store.getRefreshToken('rt_touched')).toBeUndefined();
    });

    it('markRefreshTokenRotated returns the token as it was and keeps the first rotation time', async () => {
      await store.saveRefreshToken(refreshToken());
      const first = await store.markRefreshTokenRotated('rt_hash_1', T0 + 1000);
      expect(first).toMatchObject({ tokenHash: 'rt_hash_1', rotatedAt: undefined });
      const second = await store.markRefreshTokenRotated('rt_hash_1', T0 + 5000);
      expect(second?.rotatedAt).toBe(T0 + 1000);
      expect((await store.getRefreshToken('rt_hash_1'))?.rotatedAt).toBe(T0 + 1000);
      expect(await store.markRefreshTokenRotated('rt_hash_unknown', T0)).toBeUndefined();
    });

    it('of several concurrent rotations exactly one sees the token unrotated', async () => {
      await store.saveRefreshToken(refreshToken());
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.markRefreshTokenRotated('rt_hash_1', T0 + i)));
      expect(results.filter((r) => r !== undefined && r.rotatedAt === undefined)).toHaveLength(1);
    });

    it('revokeRefreshTokenFamily deletes every token of the family and nothing else', async () => {
      await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_a1', familyId: 'family_a' }));
      await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_a2', familyId: 'family_a' }));
      await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_b1', familyId: 'family_b' }));
      await store.revokeRefreshTokenFamily('family_a');
      expect(await store.getRefreshToken('rt_a1')).toBeUndefined();
      expect(await store.getRefreshToken('rt_a2')).toBeUndefined();
      expect(await store.getRefreshToken('rt_b1')).toBeDefined();
    });

    it("revokeRefreshTokensOf deletes a user's tokens, or only those for one client", async () => {
      await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_u1_c1', userId: 'u1', clientId: 'c1', familyId: 'f1' }));
      await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_u1_c2', userId: 'u1', clientId: 'c2', familyId: 'f2' }));
      await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_u2_c1', userId: 'u2', clientId: 'c1', familyId: 'f3' }));
      await store.revokeRefreshTokensOf('u1', 'c1');
      expect(await store.getRefreshToken('rt_u1_c1')).toBeUndefined();
      expect(await store.getRefreshToken('rt_u1_c2')).toBeDefined();
      await store.revokeRefreshTokensOf('u1');
      expect(await store.getRefreshToken('rt_u1_c2')).toBeUndefined();
      expect(await store.getRefreshToken('rt_u2_c1')).toBeDefined();
    });

    it('hands out copies: mutating a saved or returned token does not change the stored one', async () => {
      const saved = refreshToken();
      await store.saveRefreshToken(saved);
      saved.scope = 'mutated-after-save';
      const got = (await store.getRefreshToken('rt_hash_1'))!;
      got.rotatedAt = 1;
      expect(await store.getRefreshToken('rt_hash_1')).toMatchObject({ scope: 'openid profile offline_access', rotatedAt: undefined });
    });
  },
};
