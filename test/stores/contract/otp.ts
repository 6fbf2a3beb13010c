import { beforeEach, expect, it } from 'vitest';
import type { OtpStore } from '../../../src/store/types.js';
import type { PortContract } from './fixtures.js';

/**
 * The OtpStore contract. Only the latest code for a recipient counts; attempts are counted before any
 * comparison, and a code is consumed once.
 */
export const otpContract: PortContract = {
  port: 'OtpStore',
  concern: 'OTP challenges',
  cases(subject) {
    const { challenge } = subject.records;
    let store: OtpStore;
    beforeEach(() => {
      ({ store } = subject);
    });

    it('recordOtpAttempt counts each attempt and returns the count after counting', async () => {
      await store.replaceOtpChallenge(challenge());
      expect((await store.recordOtpAttempt('email:jane@example.com'))?.attempts).toBe(1);
      expect((await store.recordOtpAttempt('email:jane@example.com'))?.attempts).toBe(2);
      const third = await store.recordOtpAttempt('email:jane@example.com');
      expect(third).toMatchObject({ key: 'email:jane@example.com', id: 'otp_1', codeHash: 'hash-of-code-1', attempts: 3, exhausted: false });
    });

    it('recordOtpAttempt finds nothing for a key without a challenge', async () => {
      await store.replaceOtpChallenge(challenge());
      expect(await store.recordOtpAttempt('email:other@example.com')).toBeUndefined();
      expect(await store.recordOtpAttempt('sms:jane@example.com')).toBeUndefined();
    });

    it('counts concurrent attempts without losing any', async () => {
      await store.replaceOtpChallenge(challenge());
      const results = await Promise.all(Array.from({ length: 6 }, () => store.recordOtpAttempt('email:jane@example.com')));
      expect(results.map((r) => r?.attempts).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('replacing a challenge invalidates the previous one and starts counting afresh', async () => {
      await store.replaceOtpChallenge(challenge({ id: 'otp_old', codeHash: 'old' }));
      await store.recordOtpAttempt('email:jane@example.com');
      await store.recordOtpAttempt('email:jane@example.com');
      await store.replaceOtpChallenge(challenge({ id: 'otp_new', codeHash: 'new' }));
      const current = await store.recordOtpAttempt('email:jane@example.com');
      expect(current).toMatchObject({ id: 'otp_new', codeHash: 'new', attempts: 1 });
      expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_old')).toBe(false);
      expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_new')).toBe(true);
    });

    it('consumeOtpChallenge succeeds once and only for the current id', async () => {
      await store.replaceOtpChallenge(challenge());
      expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_other')).toBe(false);
      expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_1')).toBe(true);
      expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_1')).toBe(false);
      expect(await store.recordOtpAttempt('email:jane@example.com')).toBeUndefined();
    });

    it('lets exactly one of several concurrent consumers of a challenge win', async () => {
      await store.replaceOtpChallenge(challenge());
      const results = await Promise.all(Array.from({ length: 8 }, () => store.consumeOtpChallenge('email:jane@example.com', 'otp_1')));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('markOtpExhausted makes the challenge refuse consumption and reports it as exhausted', async () => {
      await store.replaceOtpChallenge(challenge());
      await store.markOtpExhausted('email:jane@example.com', 'otp_1');
      expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_1')).toBe(false);
      expect(await store.recordOtpAttempt('email:jane@example.com')).toMatchObject({ id: 'otp_1', exhausted: true });
    });

    it('markOtpExhausted with a superseded id leaves the current challenge usable', async () => {
      await store.replaceOtpChallenge(challenge({ id: 'otp_old' }));
      await store.replaceOtpChallenge(challenge({ id: 'otp_new' }));
      await store.markOtpExhausted('email:jane@example.com', 'otp_old');
      expect(await store.recordOtpAttempt('email:jane@example.com')).toMatchObject({ id: 'otp_new', exhausted: false });
      expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_new')).toBe(true);
    });

    it('a fresh challenge after exhaustion is usable again', async () => {
      await store.replaceOtpChallenge(challenge({ id: 'otp_old' }));
      await store.markOtpExhausted('email:jane@example.com', 'otp_old');
      await store.replaceOtpChallenge(challenge({ id: 'otp_new' }));
      expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_new')).toBe(true);
    });

    it('keeps challenges for different keys apart', async () => {
      await store.replaceOtpChallenge(challenge({ key: 'email:a@example.com', id: 'otp_a' }));
      await store.replaceOtpChallenge(challenge({ key: 'email:b@example.com', id: 'otp_b' }));
      await store.recordOtpAttempt('email:a@example.com');
      await store.markOtpExhausted('email:a@example.com', 'otp_a');
      expect(await store.recordOtpAttempt('email:b@example.com')).toMatchObject({ id: 'otp_b', attempts: 1, exhausted: false });
      expect(await store.consumeOtpChallenge('email:b@example.com', 'otp_a')).toBe(false);
      expect(await store.consumeOtpChallenge('email:b@example.com', 'otp_b')).toBe(true);
    });
  },
};
