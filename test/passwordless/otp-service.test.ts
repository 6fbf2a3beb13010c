import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/clock.js';
import { cryptoRandom, type Random } from '../../src/random.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import type { OtpChallenge } from '../../src/store/records.js';
import type { Store } from '../../src/store/types.js';
import { createOtpService, MAX_OTP_ATTEMPTS, type OtpService } from '../../src/otp/otp-service.js';

/** A Random whose next codes the test chooses; it records the lengths it was asked for. */
function fakeRandom(): Random & { nextCodes: string[]; lengths: number[] } {
  let counter = 0;
  const nextCodes: string[] = [];
  const lengths: number[] = [];
  return {
    nextCodes,
    lengths,
    digits(length) {
      lengths.push(length);
      const code = nextCodes.shift();
      if (code === undefined) throw new Error('the test did not queue a code');
      return code;
    },
    hex: (bytes) => (counter++).toString(16).padStart(bytes * 2, '0'),
    token: () => `tok_${counter++}`,
  };
}

const EMAIL = { connection: 'email', recipient: 'jane@example.com' };
const TTL = 180;

describe('OTP service', () => {
  let clock: ManualClock;
  let store: Store;
  let random: ReturnType<typeof fakeRandom>;
  let otp: OtpService;
  let secret: Buffer;
  const saved: OtpChallenge[] = [];

  beforeEach(() => {
    clock = createManualClock(Date.parse('2026-04-01T08:00:00Z'));
    const memory = createMemoryStore(clock);
    saved.length = 0;
    // Watch what reaches the store, to check what is kept at rest.
    store = {
      ...memory,
      replaceOtpChallenge: async (challenge) => {
        saved.push(structuredClone(challenge));
        return memory.replaceOtpChallenge(challenge);
      },
    };
    random = fakeRandom();
    secret = randomBytes(32);
    otp = createOtpService({ store, clock, random, secret });
  });
  afterEach(() => store.close());

  const issue = (code: string, args: { connection?: string; recipient?: string; length?: number; ttlSeconds?: number } = {}) => {
    random.nextCodes.push(code);
    return otp.issue({ ...EMAIL, length: code.length, ttlSeconds: TTL, ...args });
  };
  const verify = (code: string, args: { connection?: string; recipient?: string } = {}) => otp.verify({ ...EMAIL, ...args, code });

  describe('issuing', () => {
    it('asks Random for a code of the connection length and returns it with its expiry', async () => {
      const issued = await issue('12345678', { length: 8, ttlSeconds: 300 });
      expect(random.lengths).toEqual([8]);
      expect(issued).toEqual({ code: '12345678', expiresAt: clock.now() + 300_000 });
    });

    it.each([4, 6, 8, 12])('with the real Random, produces exactly %i digits', async (length) => {
      const real = createOtpService({ store, clock, random: cryptoRandom, secret });
      for (let i = 0; i < 20; i++) {
        const { code } = await real.issue({ ...EMAIL, length, ttlSeconds: TTL });
        expect(code).toMatch(new RegExp(`^[0-9]{${length}}$`));
      }
    });

    it('keeps only a keyed hash at rest, never the code itself', async () => {
      await issue('424242');
      await issue('424242', { recipient: 'john@example.com' });
      const other = createOtpService({ store, clock, random, secret: randomBytes(32) });
      random.nextCodes.push('424242');
      await other.issue({ ...EMAIL, length: 6, ttlSeconds: TTL });

      const [jane, john, janeOtherSecret] = saved;
      expect(jane?.codeHash).toBeTruthy();
      expect(jane?.codeHash).not.toContain('424242');
      expect(JSON.stringify(jane)).not.toContain('424242');
      // Bound to the recipient, and to the secret (an HMAC, not a plain hash of the code).
      expect(john?.codeHash).not.toBe(jane?.codeHash);
      expect(janeOtherSecret?.codeHash).not.toBe(jane?.codeHash);
    });
  });

  describe('verifying', () => {
    it('accepts the code that was issued', async () => {
      await issue('123456');
      expect(await verify('123456')).toEqual({ ok: true });
    });

    it('refuses a wrong code as wrong_code', async () => {
      await issue('123456');
      expect(await verify('123457')).toEqual({ ok: false, reason: 'wrong_code' });
      expect(await verify('abcdef')).toEqual({ ok: false, reason: 'wrong_code' });
    });

    it('reports no_code when nothing was issued for the recipient', async () => {
      expect(await verify('123456')).toEqual({ ok: false, reason: 'no_code' });
    });

    it('tolerates spaces and dashes in the submitted code', async () => {
      await issue('123456');
      expect(await verify(' 123 456 ')).toEqual({ ok: true });
      await issue('654321');
      expect(await verify('654-321')).toEqual({ ok: true });
      await issue('111222');
      expect(await verify('\t111\u0020222\n')).toEqual({ ok: true });
    });

    it('is single use: the second use of a right code is refused', async () => {
      await issue('123456');
      expect(await verify('123456')).toEqual({ ok: true });
      expect(await verify('123456')).toEqual({ ok: false, reason: 'no_code' });
    });

    it('two concurrent submissions of the right code succeed once', async () => {
      await issue('123456');
      const results = await Promise.all([verify('123456'), verify('123456')]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
    });

    it('only the latest code is valid: a resend invalidates the previous one', async () => {
      await issue('111111');
      await issue('222222');
      expect(await verify('111111')).toEqual({ ok: false, reason: 'wrong_code' });
      expect(await verify('222222')).toEqual({ ok: true });
    });

    it('a code for one recipient or connection does not work for another', async () => {
      await issue('123456', { recipient: 'jane@example.com' });
      await issue('654321', { recipient: 'john@example.com' });
      await issue('777777', { connection: 'sms', recipient: '+15551234567' });
      expect(await verify('654321', { recipient: 'jane@example.com' })).toEqual({ ok: false, reason: 'wrong_code' });
      expect(await verify('123456', { connection: 'other-email', recipient: 'jane@example.com' })).toEqual({ ok: false, reason: 'no_code' });
      expect(await verify('777777', { connection: 'email', recipient: '+15551234567' })).toEqual({ ok: false, reason: 'no_code' });
      expect(await verify('777777', { connection: 'sms', recipient: '+15551234567' })).toEqual({ ok: true });
    });
  });

  describe(`attempts (${MAX_OTP_ATTEMPTS} wrong attempts kill the code)`, () => {
    it('allows the right code after two wrong attempts', async () => {
      await issue('123456');
      expect(await verify('000000')).toEqual({ ok: false, reason: 'wrong_code' });
      expect(await verify('000001')).toEqual({ ok: false, reason: 'wrong_code' });
      expect(await verify('123456')).toEqual({ ok: true });
    });

    it('refuses even the right code after three wrong attempts', async () => {
      await issue('123456');
      expect(await verify('000000')).toEqual({ ok: false, reason: 'wrong_code' });
      expect(await verify('000001')).toEqual({ ok: false, reason: 'wrong_code' });
      expect(await verify('000002')).toEqual({ ok: false, reason: 'too_many_attempts' });
      expect(await verify('123456')).toEqual({ ok: false, reason: 'too_many_attempts' });
      expect(await verify('123456')).toEqual({ ok: false, reason: 'too_many_attempts' });
    });

    it('counts attempts before comparing, so concurrent guesses cannot exceed the limit', async () => {
      await issue('123456');
      const guesses = ['000000', '000001', '000002', '000003', '000004', '000005', '123456'];
      const results = await Promise.all(guesses.map((g) => verify(g)));
      expect(results.filter((r) => r.ok)).toEqual([]);
      expect(results.filter((r) => !r.ok && r.reason === 'wrong_code').length).toBeLessThanOrEqual(MAX_OTP_ATTEMPTS - 1);
      expect(await verify('123456')).toEqual({ ok: false, reason: 'too_many_attempts' });
    });

    it('a resend after the code died issues a fresh code with fresh attempts', async () => {
      await issue('123456');
      for (const wrong of ['000000', '000001', '000002']) await verify(wrong);
      await issue('654321');
      expect(await verify('000003')).toEqual({ ok: false, reason: 'wrong_code' });
      expect(await verify('654321')).toEqual({ ok: true });
    });
  });

  describe('expiry (the connection time_step)', () => {
    it('accepts the code one millisecond before time_step has passed', async () => {
      await issue('123456');
      clock.advance(TTL * 1000 - 1);
      expect(await verify('123456')).toEqual({ ok: true });
    });

    it('refuses the code as expired at exactly time_step', async () => {
      const issued = await issue('123456');
      clock.advance(TTL * 1000);
      expect(clock.now()).toBe(issued.expiresAt);
      expect(await verify('123456')).toEqual({ ok: false, reason: 'expired' });
    });

    it('uses the ttl it was given, not a fixed one', async () => {
      await issue('123456', { ttlSeconds: 30 });
      clock.advance(30_000);
      expect(await verify('123456')).toEqual({ ok: false, reason: 'expired' });
      await issue('654321', { ttlSeconds: 600 });
      clock.advance(599_999);
      expect(await verify('654321')).toEqual({ ok: true });
    });

    it('a resend after expiry gives a working code', async () => {
      await issue('123456');
      clock.advance(TTL * 1000 + 1);
      expect(await verify('123456')).toEqual({ ok: false, reason: 'expired' });
      await issue('654321');
      expect(await verify('654321')).toEqual({ ok: true });
    });
  });
});
