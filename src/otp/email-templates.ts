import type { User } from '../store/records.js';
import type { AccountEmailName, Client, Tenant } from '../tenant/model.js';
import { DeliveryError } from '../dev/delivery-faults.js';
import type { OutgoingMessage } from './outbox.js';
import { renderTemplates } from './tenant-templates.js';

/**
 * An account email (verify_email, reset_email, welcome_email, mfa_oob_code) as the tenant has it: its
 * own Liquid `from`, `subject` and `body` where it has them, rendered with Auth0's email-template
 * variables, and Understudy's words for what it leaves out. The sender falls back, as Auth0's does, to
 * the email provider's `default_from_address`.
 *
 * The variables (docs/research/auth0-email-templates.md): `url` (the link), `code`, `user.*` (email,
 * name, nickname, given_name, family_name, picture, user_metadata, app_metadata, email_verified,
 * user_id), `application.name` / `application.clientID`, `connection.name`, `tenant`, `friendly_name`
 * and `request_language`. A template that fails to render fails the delivery (DeliveryError), as a
 * provider refusing the message would.
 */
export interface AccountEmailInput {
  template: AccountEmailName;
  to: string;
  /** Understudy's words, used where the tenant's template has none. */
  subject: string;
  text: string;
  link: string | null;
  code: string | null;
  user: User | undefined;
  client: Client | undefined;
  /** The connection the message is about; the dev mailbox groups by it. */
  connection: string;
  expiresAt: number;
  /** A template's own variables: user_invitation's `inviter`, `organization` and `roles`. */
  variables?: Record<string, unknown> | undefined;
}

export function composeAccountEmail(tenant: Tenant, input: AccountEmailInput): OutgoingMessage {
  const own = tenant.emails.templates[input.template].own;
  let rendered: { from?: string; subject?: string; html?: string } = {};
  if (own) {
    try {
      rendered = renderTemplates(own, variables(tenant, input));
    } catch (err) {
      throw new DeliveryError('email', input.to, `The ${input.template} email template failed to render: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return {
    channel: 'email',
    to: input.to,
    from: rendered.from?.trim() || tenant.emails.defaultFrom || `${tenant.friendlyName} <no-reply@understudy.local>`,
    subject: rendered.subject?.trim() || input.subject,
    text: input.text,
    html: rendered.html ?? null,
    code: input.code,
    link: input.link,
    connection: input.connection,
    clientId: input.client?.clientId ?? null,
    expiresAt: input.expiresAt,
  };
}

function variables(tenant: Tenant, input: AccountEmailInput) {
  const user = input.user;
  return {
    url: input.link,
    code: input.code,
    user: user
      ? {
          user_id: user.user_id,
          email: user.email ?? input.to,
          email_verified: user.email_verified === true,
          name: user.name,
          nickname: user.nickname,
          given_name: user.given_name,
          family_name: user.family_name,
          picture: user.picture,
          user_metadata: user.user_metadata,
          app_metadata: user.app_metadata,
        }
      : { email: input.to },
    application: { name: input.client?.name ?? tenant.friendlyName, clientID: input.client?.clientId ?? null },
    connection: { name: input.connection },
    tenant: tenant.friendlyName,
    friendly_name: tenant.friendlyName,
    request_language: 'en',
    ...input.variables,
  };
}
