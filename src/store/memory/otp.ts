import type { OtpStore } from '../types.js';
import type { MemoryContext } from './tables.js';

/** The memory store's OTP challenges: one per `${connection}:${recipient}` key. */
export function memoryOtp({ tables }: MemoryContext): OtpStore {
  const { otps } = tables;
  return {
    async replaceOtpChallenge(challenge) {
      otps.set(challenge.key, { ...challenge });
    },
    async recordOtpAttempt(key) {
      const challenge = otps.get(key);
      if (!challenge) return undefined;
      challenge.attempts += 1;
      return { ...challenge };
    },
    async markOtpExhausted(key, id) {
      const challenge = otps.get(key);
      if (challenge?.id === id) challenge.exhausted = true;
    },
    async consumeOtpChallenge(key, id) {
      const challenge = otps.get(key);
      if (challenge?.id !== id || challenge.exhausted) return false;
      otps.delete(key);
      return true;
    },
  };
}
