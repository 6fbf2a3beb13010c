import type { Clock } from '../clock.js';

/**
 * Auth0's limit on wrong second-factor codes: a bucket of 10 tries per user that refills one try
 * every 6 minutes; an empty bucket refuses every code, the right one included, with "Too many failed
 * codes. Wait for some minutes before retrying." (docs/research/auth0-mfa.md §6). Counted per
 * process, like the brute-force protection.
 */
export const MFA_TRIES = 10;
export const MFA_REFILL_MS = 6 * 60_000;
/** Users whose bucket is remembered at once; past this the oldest is forgotten (it refills anyway). */
const MAX_TRACKED = 10_000;

export interface CodeLimits {
  hasTry(userId: string): boolean;
  /** A wrong code takes one try. */
  takeTry(userId: string): void;
  reset(): void;
}

export function createCodeLimits(clock: Clock): CodeLimits {
  const buckets = new Map<string, { tries: number; at: number }>();
  const current = (userId: string): number => {
    const bucket = buckets.get(userId);
    if (!bucket) return MFA_TRIES;
    return Math.min(MFA_TRIES, bucket.tries + Math.floor((clock.now() - bucket.at) / MFA_REFILL_MS));
  };
  return {
    hasTry: (userId) => current(userId) > 0,
    takeTry(userId) {
      const tries = current(userId) - 1;
      buckets.delete(userId);
      if (buckets.size >= MAX_TRACKED) buckets.delete(buckets.keys().next().value!);
      buckets.set(userId, { tries, at: clock.now() });
    },
    reset: () => buckets.clear(),
  };
}
