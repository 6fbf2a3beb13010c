import type { CountryCode } from 'libphonenumber-js/min';
import type { Connection } from '../tenant/model.js';
import { normalizeEmail, normalizePhoneNumber } from '../users/normalize.js';

/**
 * The two ways a passwordless code travels, each a value with what differs between them: the
 * recipient's field in Auth0's APIs, how a typed recipient is normalised, what the login-id screen
 * asks for, what /passwordless/start sends by default and what its messages are called. Code that serves both asks the channel
 * instead of comparing strategies; a surface's own words for a channel are keyed by its name.
 */
export type ChannelName = 'email' | 'sms';

export interface Channel {
  readonly name: ChannelName;
  /** The recipient's field in /passwordless/start, magic links and the Management API. */
  readonly recipientField: 'email' | 'phone_number';
  /** What the login-id screen asks for (its `identifierKind`). */
  readonly identifierKind: 'email' | 'phone';
  /** `send` when /passwordless/start names none: Auth0 mails links and texts codes (node-auth0's sendSMS sends no `send`). */
  readonly defaultSend: 'link' | 'code';
  /** What one message on it is called in prose. */
  readonly messageName: 'email' | 'text message';
  /** The recipient key (a lower-cased address, an E.164 number), or '' when the input is not one. */
  normalize(input: string, defaultCountry?: CountryCode): string;
}

const EMAIL: Channel = {
  name: 'email',
  recipientField: 'email',
  identifierKind: 'email',
  defaultSend: 'link',
  messageName: 'email',
  normalize: (input) => normalizeEmail(input),
};

const SMS: Channel = {
  name: 'sms',
  recipientField: 'phone_number',
  identifierKind: 'phone',
  defaultSend: 'code',
  messageName: 'text message',
  normalize: (input, defaultCountry) => normalizePhoneNumber(input, defaultCountry),
};

export const CHANNELS: Readonly<Record<ChannelName, Channel>> = { email: EMAIL, sms: SMS };

/** The channel of a passwordless connection (`strategy: sms`, else email). A database connection's codes name theirs (email_otp, phone_otp). */
export function channelOf(connection: Pick<Connection, 'strategy'>): Channel {
  return connection.strategy === 'sms' ? SMS : EMAIL;
}
