import type { Clock } from '../clock.js';

/**
 * Auth0's brute-force protection for password logins (the password screen, the Identifier + Password
 * screen and the password grants): after 10 consecutive wrong passwords for one identifier from one
 * IP address, that identifier is blocked from that address, the right password included. A block
 * lifts after 30 days, when an administrator unblocks the user (Management API `user-blocks`), when
 * the password changes, or on the dev API's reset. A correct password before the threshold starts the
 * count again. Counts are kept per process, like the rate limits.
 * Source: Auth0 docs, "Brute-Force Protection" (secure/attack-protection/brute-force-protection).
 */
export const BRUTE_FORCE_THRESHOLD = 10;
const BLOCK_MS = 30 * 86_400_000;
/** Identifier/IP pairs remembered at once; past this the oldest pair is forgotten. */
const MAX_TRACKED = 10_000;

/** What Universal Login shows (text key `user-blocked`). */
export const BLOCKED_SCREEN_TEXT = 'Your account has been blocked after multiple consecutive login attempts.';
/** The Authentication API's `too_many_attempts` description. */
export const BLOCKED_API_TEXT =
  "Your account has been blocked after multiple consecutive login attempts. We've sent you a notification via your preferred contact method with instructions on how to unblock it.";

export interface Block {
  connection: string;
  identifier: string;
  ip: string;
}

export interface BruteForceGuard {
  isBlocked(connection: string, identifier: string, ip: string): boolean;
  /** Counts a wrong password; true when this one reaches the threshold and blocks. */
  recordFailure(connection: string, identifier: string, ip: string): boolean;
  /** A correct password (while not blocked) forgets the count of that identifier and address. */
  recordSuccess(connection: string, identifier: string, ip: string): void;
  /** The addresses an identifier is blocked from (every connection). */
  blocksFor(identifier: string): Block[];
  /** Lifts every block and count of an identifier; returns how many blocks there were. */
  unblock(identifier: string): number;
  reset(): void;
}

interface Entry extends Block {
  failures: number;
  blockedUntil: number | undefined;
}

export function createBruteForceGuard(clock: Clock, threshold = BRUTE_FORCE_THRESHOLD): BruteForceGuard {
  const entries = new Map<string, Entry>();
  const keyOf = (connection: string, identifier: string, ip: string): string => `${connection}\u0000${identifier.toLowerCase()}\u0000${ip}`;
  const blocked = (entry: Entry | undefined): boolean => entry?.blockedUntil !== undefined && entry.blockedUntil > clock.now();

  // Making room forgets the oldest count that is not a block: a flood of wrong passwords for other
  // identifiers must not lift someone's block. Only when every entry is a block does the oldest go.
  const forgetOldestCount = (): void => {
    for (const [key, entry] of entries) {
      if (!blocked(entry)) {
        entries.delete(key);
        return;
      }
    }
    entries.delete(entries.keys().next().value!);
  };

  return {
    isBlocked: (connection, identifier, ip) => blocked(entries.get(keyOf(connection, identifier, ip))),
    recordFailure(connection, identifier, ip) {
      const key = keyOf(connection, identifier, ip);
      let entry = entries.get(key);
      if (entry?.blockedUntil !== undefined && !blocked(entry)) entry = undefined;
      if (!entry) {
        if (entries.size >= MAX_TRACKED) forgetOldestCount();
        entry = { connection, identifier: identifier.toLowerCase(), ip, failures: 0, blockedUntil: undefined };
      }
      // Re-inserted, so the Map's order stays oldest-touched first.
      entries.delete(key);
      entries.set(key, entry);
      entry.failures++;
      if (entry.failures < threshold || entry.blockedUntil !== undefined) return false;
      entry.blockedUntil = clock.now() + BLOCK_MS;
      return true;
    },
    recordSuccess(connection, identifier, ip) {
      const key = keyOf(connection, identifier, ip);
      if (!blocked(entries.get(key))) entries.delete(key);
    },
    blocksFor(identifier) {
      const wanted = identifier.toLowerCase();
      return [...entries.values()].filter((e) => e.identifier === wanted && blocked(e)).map(({ connection, identifier: id, ip }) => ({ connection, identifier: id, ip }));
    },
    unblock(identifier) {
      const wanted = identifier.toLowerCase();
      let lifted = 0;
      for (const [key, entry] of entries) {
        if (entry.identifier !== wanted) continue;
        if (blocked(entry)) lifted++;
        entries.delete(key);
      }
      return lifted;
    },
    reset: () => entries.clear(),
  };
}
