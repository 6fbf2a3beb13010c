import { findClient, type Tenant } from '../tenant/model.js';
import type { OutgoingMessage } from '../otp/outbox.js';
import { renderTemplates } from '../otp/tenant-templates.js';
import { composeAccountEmail } from '../otp/email-templates.js';
import { DeliveryError } from '../dev/delivery-faults.js';

/** Guardian's email and SMS codes live 5 minutes (docs/research/auth0-mfa.md §1.6). */
export const MFA_CODE_TTL_SECONDS = 300;
export const MFA_CODE_LENGTH = 6;
/** The dev mailbox's `connection` of a second factor's message: it marks the message as MFA, not a login. */
export const MFA_MESSAGE_SOURCE = 'guardian';

/**
 * A second factor's code as a message for the dev mailbox: the SMS from the tenant's
 * guardianFactorTemplates (Liquid, `{{code}}`, `{{tenant.friendly_name}}`) or Auth0's defaults, the
 * email from the tenant's `mfa_oob_code` email template, or in the words of Auth0's.
 */
export function mfaMessage(
  tenant: Tenant,
  input: { channel: 'email' | 'sms'; to: string; code: string; enrolling: boolean; clientId: string | null; expiresAt: number },
): OutgoingMessage {
  const base = { channel: input.channel, to: input.to, code: input.code, link: null, connection: MFA_MESSAGE_SOURCE, clientId: input.clientId, expiresAt: input.expiresAt };
  if (input.channel === 'sms') {
    const template = input.enrolling ? tenant.mfa.smsTemplates.enrollment : tenant.mfa.smsTemplates.verification;
    let text: string | undefined;
    try {
      text = renderTemplates(
        { sms: { text: template, syntax: 'liquid' } },
        { code: input.code, link: null, send: 'code', application: { name: tenant.friendlyName, client_id: input.clientId }, connection: { name: MFA_MESSAGE_SOURCE }, request_language: 'en', operation: null, user: { phone_number: input.to }, tenant: { friendly_name: tenant.friendlyName } },
      ).text;
    } catch (err) {
      throw new DeliveryError('sms', input.to, `the guardianFactorTemplates SMS message did not render: ${(err as Error).message}`);
    }
    return { ...base, from: tenant.friendlyName, subject: null, text: text ?? '', html: null };
  }
  const minutes = MFA_CODE_TTL_SECONDS / 60;
  return composeAccountEmail(tenant, {
    template: 'mfa_oob_code',
    to: input.to,
    subject: `${tenant.friendlyName} verification code`,
    text: `Your verification code is: ${input.code}\n\nThis code will expire in ${minutes} minutes.\nIf you did not try to log in, someone may have your password: change it.`,
    link: null,
    code: input.code,
    user: undefined,
    client: input.clientId ? findClient(tenant, input.clientId) : undefined,
    connection: MFA_MESSAGE_SOURCE,
    expiresAt: input.expiresAt,
  });
}
