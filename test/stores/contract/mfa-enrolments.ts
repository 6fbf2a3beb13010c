import { beforeEach, expect, it } from 'vitest';
import type { MfaEnrolmentStore, StoreLifecycle, UserStore } from '../../../src/store/types.js';
import { T0, MINUTE, mfaEnrolment, type PortContract } from './fixtures.js';

/**
 * The MfaEnrolmentStore contract. An enrolment is saved once per id, listed oldest first, replaced
 * whole by an update (never created by one), and deleted with its user, as is the user's
 * remembered-browser revocation time.
 */
export const mfaEnrolmentsContract: PortContract = {
  port: 'MfaEnrolmentStore',
  concern: 'MFA enrolments',
  cases(subject) {
    const { user } = subject.records;
    const JANE = 'auth0|aaaaaaaaaaaaaaaaaaaaaaaa';
    const BOB = 'auth0|bbbbbbbbbbbbbbbbbbbbbbbb';
    // Deleting a user or resetting the store takes its enrolments along.
    let store: MfaEnrolmentStore & UserStore & StoreLifecycle;
    beforeEach(() => {
      ({ store } = subject);
    });

    it('saves an enrolment once: a second save with the same id is refused and stores nothing', async () => {
      expect(await store.saveEnrolment(mfaEnrolment())).toBe(true);
      expect(await store.saveEnrolment(mfaEnrolment({ userId: BOB, factor: 'sms', phoneNumber: '+15550100' }))).toBe(false);
      expect(await store.findEnrolment('totp|dev_AAAAAAAAAAAAAAAA')).toEqual(mfaEnrolment());
      expect(await store.listEnrolments(BOB)).toEqual([]);
      expect((await store.listEnrolments()).map((e) => e.id)).toEqual(['totp|dev_AAAAAAAAAAAAAAAA']);
      expect(await store.findEnrolment('totp|dev_unknown')).toBeUndefined();
    });

    it('keeps optional fields as given: set, undefined, or absent', async () => {
      const full = mfaEnrolment({
        id: 'push|dev_AAAAAAAAAAAAAAAA',
        factor: 'push-notification',
        confirmed: true,
        secret: 'JBSWY3DPEHPK3PXP',
        phoneNumber: '+15550100',
        email: 'jane@example.com',
        recoveryCode: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
        name: 'Jane’s phone',
        lastAuthAt: '2026-03-01T10:30:00.000Z',
        push: { id: 'push-1', status: 'approved', expiresAt: T0 + 5 * MINUTE },
        credential: { id: 'Y3JlZGVudGlhbA', publicKey: 'cHVibGljLWtleQ', counter: 7, transports: ['usb', 'nfc'] },
      });
      const withUndefined = mfaEnrolment({ id: 'sms|dev_AAAAAAAAAAAAAAAA', factor: 'sms', secret: undefined, phoneNumber: '+15550100', lastAuthAt: undefined });
      const { secret: _secret, lastAuthAt: _lastAuthAt, ...bare } = mfaEnrolment({ id: 'recovery-code|dev_AAAAAAAAAAAAAAAA', factor: 'recovery-code', recoveryCode: 'ZYXWVUTSRQPNMLKJHGFEDCBA' });
      for (const enrolment of [full, withUndefined, bare]) {
        expect(await store.saveEnrolment(enrolment)).toBe(true);
        expect(await store.findEnrolment(enrolment.id)).toStrictEqual(enrolment);
      }
      expect(await store.listEnrolments(JANE)).toStrictEqual([full, withUndefined, bare]);
    });

    it('lists one user\'s enrolments or all of them, oldest first, as copies', async () => {
      await store.saveEnrolment(mfaEnrolment({ id: 'totp|dev_a' }));
      await store.saveEnrolment(mfaEnrolment({ id: 'sms|dev_b', userId: BOB, factor: 'sms', secret: undefined, phoneNumber: '+15550100' }));
      await store.saveEnrolment(mfaEnrolment({ id: 'recovery-code|dev_c', factor: 'recovery-code', secret: undefined, recoveryCode: 'CODE' }));
      expect((await store.listEnrolments(JANE)).map((e) => e.id)).toEqual(['totp|dev_a', 'recovery-code|dev_c']);
      expect((await store.listEnrolments(BOB)).map((e) => e.id)).toEqual(['sms|dev_b']);
      const all = await store.listEnrolments();
      expect(all.map((e) => e.id)).toEqual(['totp|dev_a', 'sms|dev_b', 'recovery-code|dev_c']);
      all[0]!.confirmed = true;
      all[0]!.secret = 'CHANGED';
      const found = await store.findEnrolment('totp|dev_a');
      expect(found).toEqual(mfaEnrolment({ id: 'totp|dev_a' }));
      found!.confirmed = true;
      expect((await store.findEnrolment('totp|dev_a'))?.confirmed).toBe(false);
      expect(await store.listEnrolments('auth0|nobody')).toEqual([]);
    });

    it('updateEnrolment replaces the stored record whole and keeps its place in the order', async () => {
      await store.saveEnrolment(mfaEnrolment({ id: 'totp|dev_a' }));
      await store.saveEnrolment(mfaEnrolment({ id: 'totp|dev_b' }));
      const { secret: _secret, ...withoutSecret } = mfaEnrolment({ id: 'totp|dev_a', confirmed: true, name: 'Authenticator', lastAuthAt: '2026-03-01T11:00:00.000Z' });
      expect(await store.updateEnrolment(withoutSecret)).toBe(true);
      // A field the new record lacks is gone, not kept from the old one.
      expect(await store.findEnrolment('totp|dev_a')).toStrictEqual(withoutSecret);
      expect((await store.listEnrolments(JANE)).map((e) => e.id)).toEqual(['totp|dev_a', 'totp|dev_b']);
      expect((await store.listEnrolments()).map((e) => e.id)).toEqual(['totp|dev_a', 'totp|dev_b']);
      // Updating again with an undefined field stores it as undefined.
      const again = { ...withoutSecret, lastAuthAt: undefined };
      expect(await store.updateEnrolment(again)).toBe(true);
      expect(await store.findEnrolment('totp|dev_a')).toStrictEqual(again);
    });

    it('updateEnrolment answers false and creates nothing when the enrolment is gone or is another user\'s', async () => {
      expect(await store.updateEnrolment(mfaEnrolment({ id: 'totp|dev_unknown', confirmed: true }))).toBe(false);
      expect(await store.findEnrolment('totp|dev_unknown')).toBeUndefined();
      expect(await store.listEnrolments()).toEqual([]);

      await store.saveEnrolment(mfaEnrolment({ id: 'totp|dev_a' }));
      expect(await store.updateEnrolment(mfaEnrolment({ id: 'totp|dev_a', userId: BOB, confirmed: true }))).toBe(false);
      expect(await store.findEnrolment('totp|dev_a')).toEqual(mfaEnrolment({ id: 'totp|dev_a' }));
      expect(await store.listEnrolments(BOB)).toEqual([]);

      expect(await store.deleteEnrolment('totp|dev_a')).toBe(true);
      expect(await store.updateEnrolment(mfaEnrolment({ id: 'totp|dev_a', confirmed: true }))).toBe(false);
      expect(await store.findEnrolment('totp|dev_a')).toBeUndefined();
      expect(await store.listEnrolments(JANE)).toEqual([]);
    });

    it('deleteEnrolment removes it once, from both lists', async () => {
      await store.saveEnrolment(mfaEnrolment({ id: 'totp|dev_a' }));
      await store.saveEnrolment(mfaEnrolment({ id: 'totp|dev_b' }));
      expect(await store.deleteEnrolment('totp|dev_a')).toBe(true);
      expect(await store.deleteEnrolment('totp|dev_a')).toBe(false);
      expect(await store.deleteEnrolment('totp|dev_unknown')).toBe(false);
      expect(await store.findEnrolment('totp|dev_a')).toBeUndefined();
      expect((await store.listEnrolments(JANE)).map((e) => e.id)).toEqual(['totp|dev_b']);
      expect((await store.listEnrolments()).map((e) => e.id)).toEqual(['totp|dev_b']);
      // The id is free again: saved anew, it comes last.
      expect(await store.saveEnrolment(mfaEnrolment({ id: 'totp|dev_a' }))).toBe(true);
      expect((await store.listEnrolments()).map((e) => e.id)).toEqual(['totp|dev_b', 'totp|dev_a']);
    });

    it('remembers when each user\'s remembered browsers were last revoked; a later revocation replaces it', async () => {
      expect(await store.rememberedBrowsersRevokedAt(JANE)).toBeUndefined();
      await store.revokeRememberedBrowsers(JANE, T0);
      expect(await store.rememberedBrowsersRevokedAt(JANE)).toBe(T0);
      await store.revokeRememberedBrowsers(JANE, T0 + 5 * MINUTE);
      expect(await store.rememberedBrowsersRevokedAt(JANE)).toBe(T0 + 5 * MINUTE);
      expect(await store.rememberedBrowsersRevokedAt(BOB)).toBeUndefined();
      await store.revokeRememberedBrowsers(BOB, T0 + 1);
      expect(await store.rememberedBrowsersRevokedAt(BOB)).toBe(T0 + 1);
      expect(await store.rememberedBrowsersRevokedAt(JANE)).toBe(T0 + 5 * MINUTE);
    });

    it('deleteUser removes the user\'s enrolments and revocation time (no one else\'s); reset removes everything', async () => {
      const jane = user({ user_id: JANE });
      await store.insertUser(jane, 'jane@example.com');
      await store.saveEnrolment(mfaEnrolment({ id: 'totp|dev_a' }));
      await store.saveEnrolment(mfaEnrolment({ id: 'sms|dev_b', userId: BOB, factor: 'sms', secret: undefined, phoneNumber: '+15550100' }));
      await store.saveEnrolment(mfaEnrolment({ id: 'recovery-code|dev_c', factor: 'recovery-code', secret: undefined, recoveryCode: 'CODE' }));
      await store.revokeRememberedBrowsers(JANE, T0);
      await store.revokeRememberedBrowsers(BOB, T0 + 1);

      expect(await store.deleteUser(JANE)).toBe(true);
      expect((await store.listEnrolments()).map((e) => e.id)).toEqual(['sms|dev_b']);
      expect(await store.listEnrolments(JANE)).toEqual([]);
      expect(await store.findEnrolment('totp|dev_a')).toBeUndefined();
      expect(await store.rememberedBrowsersRevokedAt(JANE)).toBeUndefined();
      expect(await store.rememberedBrowsersRevokedAt(BOB)).toBe(T0 + 1);
      // Nothing of Jane's is left behind: her old id saves anew as her only enrolment.
      expect(await store.saveEnrolment(mfaEnrolment({ id: 'totp|dev_a' }))).toBe(true);
      expect((await store.listEnrolments(JANE)).map((e) => e.id)).toEqual(['totp|dev_a']);

      await store.reset();
      expect(await store.listEnrolments()).toEqual([]);
      expect(await store.listEnrolments(JANE)).toEqual([]);
      expect(await store.listEnrolments(BOB)).toEqual([]);
      expect(await store.findEnrolment('sms|dev_b')).toBeUndefined();
      expect(await store.rememberedBrowsersRevokedAt(BOB)).toBeUndefined();
      expect(await store.saveEnrolment(mfaEnrolment({ id: 'sms|dev_b', userId: BOB }))).toBe(true);
    });
  },
};
