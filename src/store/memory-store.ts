import type { Clock } from '../clock.js';
import type { AuthorizationCode, Message, MessageFilter, OtpChallenge, Passkey, RefreshToken, Session, Store, Transaction, User } from './types.js';

/** Bounds memory in long-running demo instances: the mailbox keeps the newest messages (UNDERSTUDY_MAILBOX_LIMIT). */
export const DEFAULT_MAX_MESSAGES = 1000;
/**
 * Live logins kept at once. Each /authorize keeps one for 30 minutes (with the caller's state, nonce
 * and login_hint); past this many, the oldest that nobody has logged in to yet makes room, so a flood
 * of /authorize calls costs a bounded amount of memory and people who are mid-login keep their place.
 */
export const DEFAULT_MAX_TRANSACTIONS = 10_000;
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The in-process store: plain Maps. Each method runs to completion without awaiting, which is what
 * makes "consume" and "record attempt" atomic on Node's single thread.
 */
export function createMemoryStore(clock: Clock, options: { maxMessages?: number; maxTransactions?: number } = {}): Store {
  const maxMessages = Math.max(1, options.maxMessages ?? DEFAULT_MAX_MESSAGES);
  const maxTransactions = Math.max(1, options.maxTransactions ?? DEFAULT_MAX_TRANSACTIONS);
  const transactions = new Map<string, Transaction>();
  const otps = new Map<string, OtpChallenge>();
  const codes = new Map<string, AuthorizationCode>();
  const users = new Map<string, User>();
  const userIndex = new Map<string, string>();
  const sessions = new Map<string, Session>();
  const refreshTokens = new Map<string, RefreshToken>();
  const passkeys = new Map<string, Passkey>();
  let messages: Message[] = [];

  const live = <T extends { expiresAt: number }>(item: T | undefined): T | undefined =>
    item && item.expiresAt > clock.now() ? item : undefined;

  const sweep = (): void => {
    const now = clock.now();
    for (const map of [transactions, otps, codes, sessions] as Map<string, { expiresAt: number }>[]) {
      for (const [key, value] of map) if (value.expiresAt <= now) map.delete(key);
    }
    for (const [key, value] of refreshTokens) if (Math.min(value.expiresAt, value.idleExpiresAt) <= now) refreshTokens.delete(key);
  };
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS);
  timer.unref();

  // Maps iterate in insertion order, so the first unauthenticated entry is the oldest such login.
  const makeRoomForTransaction = (): void => {
    const now = clock.now();
    for (const [id, txn] of transactions) {
      if (txn.expiresAt <= now || !txn.authenticated) {
        transactions.delete(id);
        return;
      }
    }
    // Every live login is authenticated (about to resume): the oldest of them gives way.
    const oldest = transactions.keys().next();
    if (!oldest.done) transactions.delete(oldest.value);
  };

  const indexKey = (connection: string, identifier: string): string => `${connection}\u0000${identifier}`;
  const copy = <T>(value: T | undefined): T | undefined => (value === undefined ? undefined : structuredClone(value));

  return {
    async createTransaction(txn) {
      const stored = structuredClone(txn);
      if (transactions.size >= maxTransactions) makeRoomForTransaction();
      transactions.set(txn.id, stored);
    },
    async getTransaction(id) {
      return copy(live(transactions.get(id)));
    },
    async updateTransaction(id, patch) {
      const txn = live(transactions.get(id));
      if (!txn) return undefined;
      Object.assign(txn, structuredClone(patch));
      return copy(txn);
    },
    async finishTransaction(id) {
      const txn = live(transactions.get(id));
      if (!txn?.authenticated) return undefined;
      transactions.delete(id);
      return txn;
    },

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

    async saveAuthorizationCode(code) {
      codes.set(code.code, { ...code });
    },
    async consumeAuthorizationCode(code) {
      const found = codes.get(code);
      codes.delete(code);
      return live(found);
    },

    async getUser(userId) {
      return copy(users.get(userId));
    },
    async findUser(connection, identifier) {
      const id = userIndex.get(indexKey(connection, identifier));
      return id ? copy(users.get(id)) : undefined;
    },
    async insertUser(user, identifier) {
      const key = indexKey(user.connection, identifier);
      const existing = userIndex.get(key);
      if (existing) return copy(users.get(existing)) as User;
      users.set(user.user_id, structuredClone(user));
      userIndex.set(key, user.user_id);
      return structuredClone(user);
    },
    async updateUser(userId, patch) {
      const user = users.get(userId);
      if (!user) return undefined;
      // Copied first: a patch that cannot be stored throws here, before anything has changed.
      const changes = structuredClone(patch);
      // A changed email or phone number that was the user's identifier moves its index entry along.
      for (const field of ['email', 'phone_number'] as const) {
        const before = user[field];
        const after = changes[field];
        if (!before || !after || before === after || userIndex.get(indexKey(user.connection, before)) !== userId) continue;
        userIndex.delete(indexKey(user.connection, before));
        userIndex.set(indexKey(user.connection, after), userId);
      }
      Object.assign(user, changes);
      return structuredClone(user);
    },

    async saveRefreshToken(token) {
      refreshTokens.set(token.tokenHash, { ...token });
    },
    async getRefreshToken(tokenHash) {
      const token = refreshTokens.get(tokenHash);
      return token && Math.min(token.expiresAt, token.idleExpiresAt) > clock.now() ? { ...token } : undefined;
    },
    async markRefreshTokenRotated(tokenHash, now) {
      const token = refreshTokens.get(tokenHash);
      if (!token) return undefined;
      const before = { ...token };
      token.rotatedAt ??= now;
      return before;
    },
    async touchRefreshToken(tokenHash, idleExpiresAt) {
      const token = refreshTokens.get(tokenHash);
      if (token) token.idleExpiresAt = idleExpiresAt;
    },
    async revokeRefreshTokenFamily(familyId) {
      for (const [key, value] of refreshTokens) if (value.familyId === familyId) refreshTokens.delete(key);
    },
    async revokeRefreshTokensOf(userId, clientId) {
      for (const [key, value] of refreshTokens) {
        if (value.userId === userId && (!clientId || value.clientId === clientId)) refreshTokens.delete(key);
      }
    },

    async listUsers() {
      return [...users.values()].map((u) => structuredClone(u));
    },
    async deleteUser(userId) {
      if (!users.delete(userId)) return false;
      for (const [key, id] of userIndex) if (id === userId) userIndex.delete(key);
      for (const [key, s] of sessions) if (s.userId === userId) sessions.delete(key);
      for (const [key, t] of refreshTokens) if (t.userId === userId) refreshTokens.delete(key);
      for (const [key, p] of passkeys) if (p.userId === userId) passkeys.delete(key);
      return true;
    },

    async savePasskey(passkey) {
      if (passkeys.has(passkey.id)) return false;
      passkeys.set(passkey.id, structuredClone(passkey));
      return true;
    },
    async findPasskey(id) {
      return copy(passkeys.get(id));
    },
    async listPasskeys(userId) {
      return [...passkeys.values()].filter((p) => userId === undefined || p.userId === userId).map((p) => structuredClone(p));
    },
    async updatePasskeyCounter(id, counter, lastUsedAt) {
      const passkey = passkeys.get(id);
      if (!passkey) return false;
      passkey.counter = counter;
      passkey.lastUsedAt = lastUsedAt;
      return true;
    },
    async deletePasskey(id) {
      return passkeys.delete(id);
    },

    async createSession(session) {
      sessions.set(session.id, structuredClone(session));
    },
    async listSessions() {
      return [...sessions.values()].filter((s) => s.expiresAt > clock.now()).map((s) => structuredClone(s));
    },
    async getSession(id) {
      return copy(live(sessions.get(id)));
    },
    async updateSession(id, patch) {
      const session = live(sessions.get(id));
      if (!session) return undefined;
      Object.assign(session, structuredClone(patch));
      return structuredClone(session);
    },
    async deleteSession(id) {
      sessions.delete(id);
    },

    async appendMessage(message) {
      messages.push(structuredClone(message));
      if (messages.length > maxMessages) messages = messages.slice(-maxMessages);
    },
    async listMessages(filter: MessageFilter) {
      let start = 0;
      if (filter.after) {
        const index = messages.findIndex((m) => m.id === filter.after);
        // An id that is gone (the mailbox was cleared since) counts as the start: every message is newer.
        start = index + 1;
      }
      const out: Message[] = [];
      for (let i = messages.length - 1; i >= start; i--) {
        const m = messages[i] as Message;
        if (filter.to && m.to !== filter.to) continue;
        if (filter.channel && m.channel !== filter.channel) continue;
        out.push(structuredClone(m));
      }
      return out;
    },
    async clearMessages() {
      messages = [];
    },

    async reset() {
      for (const map of [transactions, otps, codes, users, userIndex, sessions, refreshTokens, passkeys] as Map<string, unknown>[]) map.clear();
      messages = [];
    },

    async close() {
      clearInterval(timer);
    },
  };
}
