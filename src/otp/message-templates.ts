import type { Eta } from 'eta';
import type { Client, Connection, Tenant } from '../tenant/model.js';
import type { OutgoingMessage } from './outbox.js';

/**
 * The texts Auth0's default templates send: "Your verification code is: 123456" for both channels,
 * email subject "Welcome to <application>", and for links a sign-in button.
 */
export interface CodeMessageInput {
  tenant: Tenant;
  client: Client | undefined;
  connection: Connection;
  to: string;
  code: string | null;
  link: string | null;
  expiresAt: number;
}

export function composeMessage(eta: Eta, input: CodeMessageInput): OutgoingMessage {
  const appName = input.client?.name ?? input.tenant.friendlyName;
  const minutes = Math.max(1, Math.round(input.connection.otp.timeStepSeconds / 60));
  const lifetime = minutes === 1 ? 'one minute' : `${minutes} minutes`;
  const base = {
    to: input.to,
    code: input.code,
    link: input.link,
    connection: input.connection.name,
    clientId: input.client?.clientId ?? null,
    expiresAt: input.expiresAt,
  };

  if (input.connection.strategy === 'sms') {
    const text = input.code
      ? `Your verification code is: ${input.code}`
      : `Your sign-in link for ${appName}: ${input.link}`;
    return { ...base, channel: 'sms', from: appName, subject: null, text, html: null };
  }

  const text = input.code
    ? `Your verification code is: ${input.code}\n\nThis code will expire in ${lifetime}.\nIf you did not request it, you can ignore this email.`
    : `Click the link to sign in to ${appName}:\n${input.link}\n\nThis link will expire in ${lifetime}.\nIf you did not request it, you can ignore this email.`;
  const html = eta.render('messages/email', {
    appName,
    code: input.code,
    link: input.link,
    lifetime,
    logoUrl: input.tenant.branding.logoUrl,
    primaryColor: input.tenant.branding.primaryColor,
  });
  return { ...base, channel: 'email', from: `${appName} <no-reply@understudy.local>`, subject: `Welcome to ${appName}`, text, html };
}
