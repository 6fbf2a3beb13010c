import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { User } from '../store/records.js';
import type { OtpStore, UserStore } from '../store/types.js';
import { findClient, type Tenant } from '../tenant/model.js';
import type { Outbox } from '../otp/outbox.js';
import { composeAccountEmail } from '../otp/email-templates.js';
import { createTickets, ticketLink, type TicketRefusal } from '../oauth/sealed-tickets.js';

/**
 * Email verification for database users, as Auth0 does it: a verify_email message with a link (sent
 * on sign-up unless the tenant turned the template off, or by the Management API's verification-email
 * job), or a ticket URL the Management API hands out; opening the link sets `email_verified: true`,
 * which the next ID token shows, and sends welcome_email where the tenant turned it on. The link lives
 * as the tenant's verify_email says (5 days by default) and works once.
 */
export const VERIFY_PATH = '/u/email-verification';

export type VerifyOutcome =
  | { ok: true; alreadyVerified: boolean; clientId: string | undefined; resultUrl: string | undefined; /** The address, for a result URL that includes it (includeEmailInRedirect). */ emailForRedirect: string | undefined }
  | { ok: false; reason: TicketRefusal };

export interface TicketOptions {
  clientId?: string | undefined;
  resultUrl?: string | undefined;
  ttlSeconds?: number | undefined;
  includeEmailInRedirect?: boolean | undefined;
}

export interface EmailVerification {
  /** Whether sign-up sends the verify_email message (the tenant's template, on by default). */
  readonly onSignup: boolean;
  /** Mails the verification link to the user's address. */
  send(user: User, clientId: string | undefined): Promise<void>;
  /** A verification link, sent nowhere (the Management API's email-verification ticket). */
  ticketUrl(user: User, options: TicketOptions): Promise<string>;
  /** The link opened: the user's email verified. */
  verify(ticket: string | undefined): Promise<VerifyOutcome>;
}

export function createEmailVerification(deps: { tenant: Tenant; store: UserStore & OtpStore; outbox: Outbox; clock: Clock; random: Random; issuer: string; masterSecret: Buffer }): EmailVerification {
  const { tenant, store, outbox, clock, issuer } = deps;
  const tickets = createTickets('verify', deps);
  const settings = tenant.emails.templates.verify_email;

  async function ticketUrl(user: User, options: TicketOptions): Promise<string> {
    const resultUrl = options.resultUrl ?? settings.resultUrl;
    const includeEmail = options.includeEmailInRedirect ?? settings.includeEmailInRedirect;
    const claims = { sub: user.user_id, ...(options.clientId ? { cid: options.clientId } : {}), ...(resultUrl ? { res: resultUrl } : {}), ...(includeEmail ? { iem: true } : {}) };
    const ticket = await tickets.issue(claims, options.ttlSeconds ?? settings.lifetimeSeconds);
    return ticketLink(issuer, VERIFY_PATH, ticket);
  }

  /** welcome_email, once the email is verified: the tenant's template, or Understudy's words. */
  async function welcome(user: User, clientId: string | undefined): Promise<void> {
    await outbox.sendAfterAnswer(() =>
      composeAccountEmail(tenant, {
        template: 'welcome_email',
        to: user.email!,
        subject: `Welcome to ${tenant.friendlyName}`,
        text: `Hello ${user.name},\n\nYour email address is verified: welcome to ${tenant.friendlyName}.`,
        link: null,
        code: null,
        user,
        client: clientId ? findClient(tenant, clientId) : undefined,
        connection: user.connection,
        expiresAt: clock.now() + settings.lifetimeSeconds * 1000,
      }),
    );
  }

  return {
    onSignup: settings.enabled,
    ticketUrl,

    async send(user, clientId) {
      const to = user.email;
      if (!to) return;
      const link = await ticketUrl(user, { clientId });
      await outbox.sendAfterAnswer(() =>
        composeAccountEmail(tenant, {
          template: 'verify_email',
          to,
          subject: 'Verify your email',
          text: `Hello ${user.name},\n\nPlease verify your email address for your ${tenant.friendlyName} account by following this link:\n\n${link}\n\nIf you did not create this account, ignore this email.`,
          link,
          code: null,
          user,
          client: clientId ? findClient(tenant, clientId) : undefined,
          connection: user.connection,
          expiresAt: clock.now() + settings.lifetimeSeconds * 1000,
        }),
      );
    },

    async verify(ticket) {
      const opened = await tickets.open(ticket);
      if (!opened.ok) return opened;
      const { sub, cid, res, iem } = opened.claims;
      const user = typeof sub === 'string' ? await store.getUser(sub) : undefined;
      if (!user || !(await tickets.use(opened.id))) return { ok: false, reason: user ? 'used' : 'invalid' };
      const alreadyVerified = user.email_verified === true;
      if (!alreadyVerified) {
        await store.updateUser(user.user_id, { email_verified: true, updated_at: new Date(clock.now()).toISOString() });
        if (tenant.emails.templates.welcome_email.enabled && user.email) await welcome({ ...user, email_verified: true }, typeof cid === 'string' ? cid : undefined);
      }
      return {
        ok: true,
        alreadyVerified,
        clientId: typeof cid === 'string' ? cid : undefined,
        resultUrl: typeof res === 'string' ? res : undefined,
        emailForRedirect: iem === true ? user.email : undefined,
      };
    },
  };
}
