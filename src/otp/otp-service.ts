import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { OtpStore } from '../store/types.js';
import { cleanSubmittedCode, codeMatches, hashCode } from './code.js';

/**
 * Auth0's passwordless code rules, independent of HTTP: digits only, length and lifetime from the
 * connection, only the latest code valid, single use, and three wrong attempts kill the code.
 */
export const MAX_OTP_ATTEMPTS = 3;

export type OtpVerification =
  | { ok: true }
  | { ok: false; reason: 'wrong_code' | 'expired' | 'too_many_attempts' | 'no_code' };

export interface IssuedCode {
  code: string;
  expiresAt: number;
}

export interface OtpService {
  issue(args: { connection: string; recipient: string; length: number; ttlSeconds: number }): Promise<IssuedCode>;
  verify(args: { connection: string; recipient: string; code: string }): Promise<OtpVerification>;
  /**
   * Checks a code as verify does, the attempt counted, but leaves a right one in place for the login
   * that follows (POST /passwordless/verify, then the link that logs in with the same code).
   */
  check(args: { connection: string; recipient: string; code: string }): Promise<OtpVerification>;
}

export function createOtpService(deps: {
  store: OtpStore;
  clock: Clock;
  random: Random;
  secret: Buffer;
  /** A pinned code for this recipient (dev fixed codes), else a random one is drawn. */
  fixedCodeFor?: (recipient: string) => string | undefined | Promise<string | undefined>;
}): OtpService {
  const { store, clock, random, secret, fixedCodeFor } = deps;
  const keyOf = (connection: string, recipient: string): string => `${connection}:${recipient}`;

  /** One attempt at the recipient's live code; `useUp` consumes it when it is right. */
  async function attempt({ connection, recipient, code }: { connection: string; recipient: string; code: string }, useUp: boolean): Promise<OtpVerification> {
    const key = keyOf(connection, recipient);
    // Counting comes first, so parallel guesses cannot slip past the limit between check and count.
    const challenge = await store.recordOtpAttempt(key);
    if (!challenge) return { ok: false, reason: 'no_code' };
    if (challenge.exhausted || challenge.attempts > MAX_OTP_ATTEMPTS) return { ok: false, reason: 'too_many_attempts' };
    if (challenge.expiresAt <= clock.now()) return { ok: false, reason: 'expired' };
    if (!codeMatches(secret, key, cleanSubmittedCode(code), challenge.codeHash)) {
      if (challenge.attempts >= MAX_OTP_ATTEMPTS) {
        await store.markOtpExhausted(key, challenge.id);
        return { ok: false, reason: 'too_many_attempts' };
      }
      return { ok: false, reason: 'wrong_code' };
    }
    if (!useUp) return { ok: true };
    return (await store.consumeOtpChallenge(key, challenge.id)) ? { ok: true } : { ok: false, reason: 'no_code' };
  }

  return {
    async issue({ connection, recipient, length, ttlSeconds }) {
      const key = keyOf(connection, recipient);
      const code = (await fixedCodeFor?.(recipient)) ?? random.digits(length);
      const now = clock.now();
      const expiresAt = now + ttlSeconds * 1000;
      await store.replaceOtpChallenge({
        key,
        id: random.token(12),
        codeHash: hashCode(secret, key, code),
        attempts: 0,
        exhausted: false,
        createdAt: now,
        expiresAt,
      });
      return { code, expiresAt };
    },
    verify: (args) => attempt(args, true),
    check: (args) => attempt(args, false),
  };
}
