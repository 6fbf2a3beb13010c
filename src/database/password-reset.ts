import { webcrypto } from 'node:crypto';
import { EncryptJWT, jwtDecrypt, errors as joseErrors } from 'jose';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { User } from '../store/records.js';
import type { OtpStore, SessionStore, UserStore } from '../store/types.js';
import { findConnection, type Connection, type Tenant } from '../tenant/model.js';
import type { Outbox } from '../otp/outbox.js';
import { deriveKey } from '../oauth/keys.js';
import type { BruteForceGuard } from '../users/brute-force.js';
import { normalizeEmail } from '../users/normalize.js';
import { checkPassword, type PasswordCheck } from '../users/password-policy.js';
import type { UserService } from '../users/user-service.js';

/**
 * "Forgot password?" on a database connection, as Auth0 runs it: a request (POST
 * /dbconnections/change_password, or the reset-password request screen) sends the user a reset email
 * whose link opens the reset-password screen; nothing says whether the user exists. The link's ticket
 * is sealed (dir + A256GCM under a key of its own), lives as Auth0's reset_email link does (5 days)
 * and changes one password once. A new password must meet the connection's policy; it ends the
 * user's sessions and lifts their brute-force blocks.
 */
export const RESET_TICKET_TTL_SECONDS = 432_000;
export const RESET_PATH = '/u/reset-password';

export type TicketRefusal = 'invalid' | 'expired' | 'used';
export type OpenedTicket = { ok: true; user: User; connection: Connection; clientId: string | undefined } | { ok: false; reason: TicketRefusal };
export type ChangeOutcome =
  | { ok: true; clientId: string | undefined }
  | { ok: false; reason: TicketRefusal | 'mismatch' | 'empty' }
  | { ok: false; reason: 'policy'; check: Exclude<PasswordCheck, { ok: true }> };

export interface PasswordReset {
  /** Sends the reset email when the connection has this user; says nothing either way. */
  request(input: { connection: Connection; email: string; clientId: string | undefined }): Promise<void>;
  open(ticket: string | undefined): Promise<OpenedTicket>;
  /** The reset screen's new password (typed twice): checked, set, the ticket used up. */
  change(ticket: string | undefined, password: string, confirmation: string): Promise<ChangeOutcome>;
  /** The connection a request names, when it is a database one. */
  databaseConnection(name: string | undefined): Connection | undefined;
}

export function createPasswordReset(deps: {
  tenant: Tenant;
  store: UserStore & OtpStore & SessionStore;
  users: UserService;
  outbox: Outbox;
  bruteForce: BruteForceGuard;
  clock: Clock;
  random: Random;
  issuer: string;
  masterSecret: Buffer;
}): PasswordReset {
  const { tenant, store, users, outbox, bruteForce, clock, random, issuer } = deps;
  const key = webcrypto.subtle.importKey('raw', deriveKey(deps.masterSecret, 'password-reset-ticket'), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const nowSeconds = (): number => Math.floor(clock.now() / 1000);
  const ticketKey = (id: string): string => `reset-ticket:${id}`;

  async function open(ticket: string | undefined): Promise<OpenedTicket & { id?: string }> {
    if (!ticket) return { ok: false, reason: 'invalid' };
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtDecrypt(ticket, await key, { issuer, currentDate: new Date(clock.now()) }));
    } catch (err) {
      return { ok: false, reason: err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
    }
    if (payload.typ !== 'reset' || typeof payload.jti !== 'string' || typeof payload.sub !== 'string') return { ok: false, reason: 'invalid' };
    // The ticket's one use: its record in the one-time store, gone once a password was set with it.
    if (!(await store.recordOtpAttempt(ticketKey(payload.jti)))) return { ok: false, reason: 'used' };
    const user = await store.getUser(payload.sub);
    const connection = findConnection(tenant, typeof payload.con === 'string' ? payload.con : '');
    if (!user || !connection) return { ok: false, reason: 'invalid' };
    return { ok: true, user, connection, clientId: typeof payload.cid === 'string' ? payload.cid : undefined, id: payload.jti };
  }

  return {
    databaseConnection(name) {
      const connection = name ? findConnection(tenant, name) : undefined;
      return connection?.kind === 'database' ? connection : undefined;
    },

    async request({ connection, email, clientId }) {
      const address = normalizeEmail(email);
      const user = address ? await store.findUser(connection.name, address) : undefined;
      if (!user?.email) return;
      const id = random.token(16);
      const expiresAt = clock.now() + RESET_TICKET_TTL_SECONDS * 1000;
      await store.replaceOtpChallenge({ key: ticketKey(id), id, codeHash: '', attempts: 0, exhausted: false, createdAt: clock.now(), expiresAt });
      const ticket = await new EncryptJWT({ typ: 'reset', jti: id, sub: user.user_id, con: connection.name, ...(clientId ? { cid: clientId } : {}) })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuer(issuer)
        .setIssuedAt(nowSeconds())
        .setExpirationTime(nowSeconds() + RESET_TICKET_TTL_SECONDS)
        .encrypt(await key);
      const link = `${issuer.replace(/\/$/, '')}${RESET_PATH}?ticket=${encodeURIComponent(ticket)}#`;
      await outbox.send({
        channel: 'email',
        to: user.email,
        from: `${tenant.friendlyName} <no-reply@understudy.local>`,
        subject: 'Reset your password',
        text: `Hello ${user.name},\n\nWe received a request to reset the password of your ${tenant.friendlyName} account. Follow this link to choose a new one:\n\n${link}\n\nIf you did not ask for this, ignore this email: your password stays as it is.`,
        html: null,
        code: null,
        link,
        connection: connection.name,
        clientId: clientId ?? null,
        expiresAt,
      });
    },

    open,

    async change(ticket, password, confirmation) {
      const opened = await open(ticket);
      if (!opened.ok) return opened;
      if (!password) return { ok: false, reason: 'empty' };
      if (password !== confirmation) return { ok: false, reason: 'mismatch' };
      const check = checkPassword(opened.connection.passwordPolicy, password, { email: opened.user.email, username: opened.user.username, name: opened.user.name });
      if (!check.ok) return { ok: false, reason: 'policy', check };
      // One password per ticket: the first of two concurrent changes takes it.
      if (!(await store.consumeOtpChallenge(ticketKey(opened.id!), opened.id!))) return { ok: false, reason: 'used' };
      await users.update(opened.user.user_id, { password });
      for (const session of await store.listSessions()) if (session.userId === opened.user.user_id) await store.deleteSession(session.id);
      for (const identifier of [opened.user.email, opened.user.username]) if (identifier) bruteForce.unblock(identifier);
      return { ok: true, clientId: opened.clientId };
    },
  };
}
