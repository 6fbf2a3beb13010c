import type { Clock } from '../clock.js';
import type { Store } from './types.js';
import { clearTables, createTables, sweepExpired, type MemoryContext } from './memory/tables.js';
import { memoryTransactions } from './memory/transactions.js';
import { memoryOtp } from './memory/otp.js';
import { memoryCodes } from './memory/codes.js';
import { memoryLoginTickets } from './memory/login-tickets.js';
import { memoryUsers } from './memory/users.js';
import { memoryRoles } from './memory/roles.js';
import { memoryOrganizations } from './memory/organizations.js';
import { memoryPasskeys } from './memory/passkeys.js';
import { memoryMfaEnrolments } from './memory/mfa-enrolments.js';
import { memorySessions } from './memory/sessions.js';
import { memoryRefreshTokens } from './memory/refresh-tokens.js';
import { memoryMessages } from './memory/messages.js';

/**
 * The in-process store: plain Maps (memory/tables.ts), one module per port in memory/, composed
 * here with the sweep and the lifecycle. Each method runs to completion without awaiting, which is
 * what makes "consume" and "record attempt" atomic on Node's single thread.
 */

/** Bounds memory in long-running demo instances: the mailbox keeps the newest messages (UNDERSTUDY_MAILBOX_LIMIT). */
export const DEFAULT_MAX_MESSAGES = 1000;
/**
 * Live logins kept at once. Each /authorize keeps one for 30 minutes (with the caller's state, nonce
 * and login_hint); past this many, the oldest that nobody has logged in to yet makes room.
 */
export const DEFAULT_MAX_TRANSACTIONS = 10_000;
const SWEEP_INTERVAL_MS = 60_000;

export function createMemoryStore(clock: Clock, options: { maxMessages?: number; maxTransactions?: number } = {}): Store {
  const maxMessages = Math.max(1, options.maxMessages ?? DEFAULT_MAX_MESSAGES);
  const maxTransactions = Math.max(1, options.maxTransactions ?? DEFAULT_MAX_TRANSACTIONS);
  const context: MemoryContext = { tables: createTables(), clock };

  const timer = setInterval(() => sweepExpired(context.tables, clock.now()), SWEEP_INTERVAL_MS);
  timer.unref();

  return {
    ...memoryTransactions(context, maxTransactions),
    ...memoryOtp(context),
    ...memoryCodes(context),
    ...memoryLoginTickets(context),
    ...memoryUsers(context),
    ...memoryRoles(context),
    ...memoryOrganizations(context),
    ...memoryPasskeys(context),
    ...memoryMfaEnrolments(context),
    ...memorySessions(context),
    ...memoryRefreshTokens(context),
    ...memoryMessages(context, maxMessages),

    async reset() {
      clearTables(context.tables);
    },
    async close() {
      clearInterval(timer);
    },
  };
}
