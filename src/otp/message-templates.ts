import type { Eta } from 'eta';
import type { Client, Connection, Tenant } from '../tenant/model.js';
import type { OutgoingMessage } from './outbox.js';
import { renderTemplates, type RenderedTemplates } from './tenant-templates.js';
import { channelOf, type Channel, type ChannelName } from './channel.js';
import { DeliveryError } from '../dev/delivery-faults.js';

/**
 * The texts Auth0's default templates send: "Your verification code is: 123456" for both channels,
 * email subject "Welcome to <application>", and for links a sign-in button. A connection with
 * templates of its own (options.email, options.template) sends those instead (./tenant-templates.ts);
 * one that fails to render fails the delivery (DeliveryError), as a provider refusing it would.
 */
export interface CodeMessageInput {
  tenant: Tenant;
  client: Client | undefined;
  connection: Connection;
  to: string;
  code: string | null;
  link: string | null;
  expiresAt: number;
  /** The channel, where the connection does not decide it (a database connection's email_otp or phone_otp). */
  channel?: Channel | undefined;
}

export function composeMessage(eta: Eta, input: CodeMessageInput): OutgoingMessage {
  const appName = input.client?.name ?? input.tenant.friendlyName;
  const minutes = Math.max(1, Math.round(input.connection.otp.timeStepSeconds / 60));
  const lifetime = minutes === 1 ? 'one minute' : `${minutes} minutes`;
  const channel = input.channel ?? channelOf(input.connection);
  const base = {
    channel: channel.name,
    to: input.to,
    code: input.code,
    link: input.link,
    connection: input.connection.name,
    clientId: input.client?.clientId ?? null,
    expiresAt: input.expiresAt,
  };
  const own = input.connection.messageTemplates ? ownTemplates(input, appName, channel) : undefined;
  return COMPOSE[channel.name](eta, input, { base, appName, lifetime, own });
}

type Parts = { base: Pick<OutgoingMessage, 'channel' | 'to' | 'code' | 'link' | 'connection' | 'clientId' | 'expiresAt'>; appName: string; lifetime: string; own: RenderedTemplates | undefined };

const COMPOSE: Record<ChannelName, (eta: Eta, input: CodeMessageInput, parts: Parts) => OutgoingMessage> = {
  sms(_eta, input, { base, appName, own }) {
    if (own?.text !== undefined) return { ...base, from: input.connection.messageTemplates?.sms?.from ?? appName, subject: null, text: own.text, html: null };
    const text = input.code
      ? `Your verification code is: ${input.code}`
      : `Your sign-in link for ${appName}: ${input.link}`;
    return { ...base, from: appName, subject: null, text, html: null };
  },

  email(eta, input, { base, appName, lifetime, own }) {
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
    return {
      ...base,
      from: own?.from || `${appName} <no-reply@understudy.local>`,
      subject: own?.subject || `Welcome to ${appName}`,
      text,
      html: own?.html ?? html,
    };
  },
};

function ownTemplates(input: CodeMessageInput, appName: string, channel: Channel): RenderedTemplates {
  try {
    return renderTemplates(input.connection.messageTemplates!, {
      code: input.code,
      link: input.link,
      send: input.link ? 'link' : 'code',
      application: { name: appName, client_id: input.client?.clientId ?? null },
      connection: { name: input.connection.name },
      request_language: 'en',
      operation: null,
      user: { [channel.recipientField]: input.to },
    });
  } catch (err) {
    throw new DeliveryError(channel.name, input.to, `The ${channel.messageName} template of connection "${input.connection.name}" failed to render: ${(err as Error).message.split('\n')[0]}`);
  }
}
