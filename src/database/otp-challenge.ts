import { invalidConnection, invalidRequest, unauthorizedClient, type OAuthError } from '../errors.js';
import { authenticateClient } from '../oauth/client-auth.js';
import type { Tickets } from '../oauth/sealed-tickets.js';
import { CHANNELS, type Channel } from '../otp/channel.js';
import { sendCode, type PasswordlessDeps } from '../otp/passwordless-codes.js';
import { PASSWORDLESS_OTP_GRANT, findConnection } from '../tenant/model.js';

/**
 * `POST /otp/challenge`: a one-time code on a database connection whose `email_otp` or `phone_otp`
 * authentication method is on (Auth0's passwordless on database connections). The field sent
 * (`email` or `phone_number`, not both) picks the channel. The client authenticates; the code is sent
 * as every passwordless code is (the OTP service, its limits and the mailbox, under the database
 * connection's name; a `voice` delivery arrives as a text message); the answer is an `auth_session` for
 * the passwordless OTP grant. Whether the user exists is never said: an unknown one (without
 * `allow_signup`, or where sign-up is off) gets a session that fails at the token endpoint, and no
 * code is sent.
 */
export const OTP_SESSION_SECONDS = 300;
const DELIVERY_METHODS = ['text', 'voice'] as const;

export async function challengeDatabaseOtp(
  deps: Pick<PasswordlessDeps, 'tenant' | 'eta' | 'otp' | 'outbox' | 'users'> & { otpSessions: Tickets },
  body: Record<string, unknown>,
  authorization: string | undefined,
): Promise<{ auth_session: string }> {
  const { client } = authenticateClient(deps.tenant, authorization, body);
  if (!client.grantTypes.includes(PASSWORDLESS_OTP_GRANT)) throw unauthorizedClient.grantNotAllowed(PASSWORDLESS_OTP_GRANT);
  const name = typeof body.connection === 'string' ? body.connection : '';
  if (!name) throw validation('connection', 'Missing required parameter: connection');
  const { channel, input } = requestedChannel(body);
  const connection = findConnection(deps.tenant, name);
  if (connection?.kind !== 'database' || !connection.enabledClients.has(client.clientId)) throw invalidConnection('the connection was not found');
  const method = channel.name === 'sms' ? 'phone_otp' : 'email_otp';
  if (!connection.authenticationMethods[channel.name === 'sms' ? 'phoneOtp' : 'emailOtp']) throw invalidConnection(`the connection "${connection.name}" does not allow ${method}`);
  if (channel.name === 'sms' && body.delivery_method !== undefined && !(DELIVERY_METHODS as readonly unknown[]).includes(body.delivery_method)) {
    throw validation('delivery_method', 'delivery_method must be "text" or "voice"');
  }
  const recipient = channel.normalize(input);
  if (!recipient) throw validation(channel.recipientField, channel.name === 'sms' ? 'phone_number must be in E.164 format' : 'email is not a valid email address');

  const allowSignup = body.allow_signup === true || body.allow_signup === 'true';
  const existing = await deps.users.findPasswordlessUser(connection, recipient);
  const functional = existing !== undefined || (allowSignup && !connection.disableSignup);
  if (functional) await sendCode(deps, { client, connection, recipient, channel });
  const session = await deps.otpSessions.issue({ cid: client.clientId, con: connection.name, rcp: recipient, ch: channel.name, fn: functional }, OTP_SESSION_SECONDS);
  return { auth_session: session };
}

/** `email` or `phone_number`, exactly one (Auth0: "The field name tells Auth0 which channel to use"). */
function requestedChannel(body: Record<string, unknown>): { channel: Channel; input: string } {
  const email = typeof body.email === 'string' ? body.email : undefined;
  const phone = typeof body.phone_number === 'string' ? body.phone_number : undefined;
  if (email !== undefined && phone !== undefined) throw validation('email', 'Provide either email or phone_number, not both');
  if (phone !== undefined) return { channel: CHANNELS.sms, input: phone.trim() };
  if (email) return { channel: CHANNELS.email, input: email };
  throw validation('email', 'Either email or phone_number must be provided');
}

/** Auth0's invalid_request here carries `validation_errors`, one per field. */
function validation(field: string, message: string): OAuthError {
  return invalidRequest(message, { fields: { validation_errors: [{ field, message }] } });
}
