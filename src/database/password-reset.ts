import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { User } from '../store/records.js';
import type { OtpStore, SessionStore, UserStore } from '../store/types.js';
import { findClient, findConnection, type Connection, type Tenant } from '../tenant/model.js';
import type { Outbox } from '../otp/outbox.js';
import { composeAccountEmail } from '../otp/email-templates.js';
import { createTickets, ticketLink, type TicketRefusal } from '../oauth/sealed-tickets.js';
import type { BruteForceGuard } from '../users/brute-force.js';
import { normalizeEmail } from '../users/normalize.js';
import { checkPassword, type PasswordCheck } from '../users/password-policy.js';
import type { UserService } from '../users/user-service.js';
import type { TriggerFlows } from '../actions/trigger-flows.js';
import type { RequestFacts } from '../actions/action-events.js';

/**
 * "Forgot password?" on a database connection, as Auth0 runs it: a request (POST
 * /dbconnections/change_password, or the reset-password request screen) sends the user a reset email
 * whose link opens the reset-password screen; nothing says whether the user exists. The link's ticket
 * (oauth/sealed-tickets.ts) lives as the tenant's reset_email link does (Auth0's default: 5 days) and changes one
 * password once. A new password must meet the connection's policy; it ends the
 * user's sessions, lifts their brute-force blocks and runs the post-change-password Actions.
 */
export const RESET_PATH = '/u/reset-password';

export type { TicketRefusal } from '../oauth/sealed-tickets.js';
export type OpenedTicket = { ok: true; user: User; connection: Connection; clientId: string | undefined } | { ok: false; reason: TicketRefusal };
/** A refused new password comes back with the ticket it was typed for, so the screen shows again without opening it twice. */
type ValidTicket = Extract<OpenedTicket, { ok: true }>;
export type ChangeOutcome =
  | { ok: true; clientId: string | undefined }
  | { ok: false; reason: TicketRefusal }
  | { ok: false; reason: 'mismatch' | 'empty' | 'reused'; ticket: ValidTicket }
  | { ok: false; reason: 'policy'; check: Exclude<PasswordCheck, { ok: true }>; ticket: ValidTicket };

export interface PasswordReset {
  /** Sends the reset email when the connection has this user; says nothing either way. */
  request(input: { connection: Connection; email: string; clientId: string | undefined }): Promise<void>;
  open(ticket: string | undefined): Promise<OpenedTicket>;
  /** The reset screen's new password (typed twice): checked, set, the ticket used up. */
  change(ticket: string | undefined, password: string, confirmation: string, request?: RequestFacts): Promise<ChangeOutcome>;
  /** A reset link, sent nowhere (the Management API's password-change ticket). */
  ticketUrl(user: User, connection: Connection, ttlSeconds?: number): Promise<string>;
  /** The connection a request names, when it is a database one. */
  databaseConnection(name: string | undefined): Connection | undefined;
}

export function createPasswordReset(deps: {
  tenant: Tenant;
  store: UserStore & OtpStore & SessionStore;
  users: UserService;
  outbox: Outbox;
  bruteForce: BruteForceGuard;
  flows: Pick<TriggerFlows, 'postChangePassword'>;
  clock: Clock;
  random: Random;
  issuer: string;
  masterSecret: Buffer;
}): PasswordReset {
  const { tenant, store, users, outbox, bruteForce, flows, clock, issuer } = deps;
  const tickets = createTickets('reset', deps);

  async function open(ticket: string | undefined): Promise<OpenedTicket & { id?: string }> {
    const opened = await tickets.open(ticket);
    if (!opened.ok) return opened;
    const { sub, con, cid } = opened.claims;
    const user = typeof sub === 'string' ? await store.getUser(sub) : undefined;
    const connection = findConnection(tenant, typeof con === 'string' ? con : '');
    if (!user || !connection) return { ok: false, reason: 'invalid' };
    return { ok: true, user, connection, clientId: typeof cid === 'string' ? cid : undefined, id: opened.id };
  }

  async function ticketUrl(user: User, connection: Connection, lifetime: number, clientId?: string): Promise<string> {
    const ticket = await tickets.issue({ sub: user.user_id, con: connection.name, ...(clientId ? { cid: clientId } : {}) }, lifetime);
    return ticketLink(issuer, RESET_PATH, ticket);
  }

  return {
    ticketUrl: (user, connection, ttlSeconds) => ticketUrl(user, connection, ttlSeconds ?? tenant.emails.templates.reset_email.lifetimeSeconds),

    databaseConnection(name) {
      const connection = name ? findConnection(tenant, name) : undefined;
      return connection?.kind === 'database' ? connection : undefined;
    },

    async request({ connection, email, clientId }) {
      const address = normalizeEmail(email);
      const user = address ? await store.findUser(connection.name, address) : undefined;
      const to = user?.email;
      if (!user || !to) return;
      const lifetime = tenant.emails.templates.reset_email.lifetimeSeconds;
      const link = await ticketUrl(user, connection, lifetime, clientId);
      const expiresAt = clock.now() + lifetime * 1000;
      await outbox.sendAfterAnswer(() =>
        composeAccountEmail(tenant, {
          template: 'reset_email',
          to,
          subject: 'Reset your password',
          text: `Hello ${user.name},\n\nWe received a request to reset the password of your ${tenant.friendlyName} account. Follow this link to choose a new one:\n\n${link}\n\nIf you did not ask for this, ignore this email: your password stays as it is.`,
          link,
          code: null,
          user,
          client: clientId ? findClient(tenant, clientId) : undefined,
          connection: connection.name,
          expiresAt,
        }),
      );
    },

    open,

    async change(ticket, password, confirmation, request) {
      const opened = await open(ticket);
      if (!opened.ok) return opened;
      if (!password) return { ok: false, reason: 'empty', ticket: opened };
      if (password !== confirmation) return { ok: false, reason: 'mismatch', ticket: opened };
      const check = checkPassword(opened.connection.passwordPolicy, password, { email: opened.user.email, username: opened.user.username, name: opened.user.name });
      if (!check.ok) return { ok: false, reason: 'policy', check, ticket: opened };
      const { historySize } = opened.connection.passwordPolicy;
      if (historySize > 0 && (await users.reusesPassword(opened.user, historySize, password))) return { ok: false, reason: 'reused', ticket: opened };
      // One password per ticket: the first of two concurrent changes takes it.
      if (!(await tickets.use(opened.id!))) return { ok: false, reason: 'used' };
      const changed = (await users.update(opened.user.user_id, { password })) ?? opened.user;
      for (const session of await store.listSessions()) if (session.userId === opened.user.user_id) await store.deleteSession(session.id);
      for (const identifier of [opened.user.email, opened.user.username]) if (identifier) bruteForce.unblock(identifier);
      flows.postChangePassword({ user: changed, connection: opened.connection, connectionName: opened.connection.name, request }, new Date(clock.now()).toISOString());
      return { ok: true, clientId: opened.clientId };
    },
  };
}
