import { passwordlessStartError as bad, unauthorizedClient, type OAuthError } from '../errors.js';
import { findClient, PASSWORDLESS_OTP_GRANT } from '../tenant/model.js';
import { E164, normalizeEmail, normalizePhoneNumber } from '../users/normalize.js';
import { authenticateClient } from '../oauth/client-auth.js';
import type { User } from '../store/records.js';
import { channelOf, type ChannelName } from '../otp/channel.js';
import { passwordlessConnection, type ConnectionRefusal } from '../otp/connection.js';
import { sendCode, type PasswordlessDeps } from '../otp/passwordless-codes.js';
import { OTP_ERRORS } from '../otp/code-errors.js';
import { magicLinkUrl } from './magic-link.js';
import { checkSignUp } from '../otp/registration.js';
import type { TriggerFlows } from '../actions/trigger-flows.js';
import type { RequestFacts } from '../actions/action-events.js';

/**
 * POST /passwordless/start with Auth0's contract: `send` absent means a magic link for email and a
 * code for SMS, confidential clients authenticate, and every refusal is a 400 `bad.*` error with
 * Auth0's description (errors.ts: passwordlessStartError).
 */
const ALLOWED = new Set(['client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'connection', 'email', 'phone_number', 'send', 'authParams']);
const SEND = new Set(['code', 'link', 'link_ios', 'link_android']);

export type PasswordlessStartDeps = PasswordlessDeps & { issuer: string; flows: TriggerFlows };

const CONNECTION_REFUSED: Record<ConnectionRefusal, string> = {
  missing: 'Missing required property: connection',
  not_found: 'Connection does not exist',
  not_passwordless: 'Invalid connection strategy. It must either be a passwordless connection',
  disabled: 'Connection is disabled',
};

/** The recipient from its field, in Auth0's words when it is missing or malformed. */
const RECIPIENT: Record<ChannelName, (value: unknown) => string> = {
  email(value) {
    if (value === undefined || value === '') throw bad.badEmail('Missing required property: email');
    const email = typeof value === 'string' ? normalizeEmail(value) : '';
    if (!email) throw bad.badEmail('Invalid email address');
    return email;
  },
  sms(value) {
    if (value === undefined || value === '') throw bad.badPhoneNumber('Missing required property: phone_number');
    if (typeof value !== 'string' || !E164.test(value)) throw bad.badPhoneNumber('String does not match pattern: ^\\+[0-9]{1,15}$');
    const phone = normalizePhoneNumber(value);
    if (!phone) throw bad.badPhoneNumber('Invalid phone number');
    return phone;
  },
};

/** A failed delivery in the shape Auth0 relays its provider's error; for SMS, Twilio's "unreachable destination" code. */
const PROVIDER_ERROR: Record<ChannelName, (detail: string) => OAuthError> = {
  email: (detail) => bad.emailProviderError(detail),
  sms: (detail) => bad.smsProviderError(`${detail} (Code: 30003)`),
};

/** The answer names the user Auth0 would log in: the existing one's id, else the recipient. */
const STARTED: Record<ChannelName, (id: string, recipient: string, existing: User | undefined) => Record<string, unknown>> = {
  email: (id, recipient, existing) => ({ _id: id, email: recipient, email_verified: existing?.email_verified ?? false }),
  sms: (id, recipient, existing) => ({ _id: id, phone_number: recipient, phone_verified: existing?.phone_verified ?? false, request_language: null }),
};

export async function startPasswordless(
  deps: PasswordlessStartDeps,
  body: Record<string, unknown>,
  authorization: string | undefined,
  /** Runs once the recipient is known and normalised, before anything is sent (the per-recipient limit). */
  admit: (recipient: string) => Promise<void> = async () => undefined,
  /** What the tenant's Actions see of the request (event.request). */
  request?: RequestFacts,
): Promise<Record<string, unknown>> {
  const unknown = Object.keys(body).filter((k) => !ALLOWED.has(k));
  if (unknown.length) throw bad.badRequest(`the following properties are not allowed: ${unknown.join(', ')}`);
  if (body.client_id === undefined || body.client_id === '') throw bad.badClientId('Missing required property: client_id');
  if (typeof body.client_id !== 'string' || !findClient(deps.tenant, body.client_id)) throw bad.badClientId(`Unknown client: ${String(body.client_id)}`);
  const { client } = authenticateClient(deps.tenant, authorization, body);
  if (!client.grantTypes.includes(PASSWORDLESS_OTP_GRANT)) throw unauthorizedClient.grantNotAllowed(PASSWORDLESS_OTP_GRANT);

  const lookup = passwordlessConnection(deps.tenant, client.clientId, body.connection);
  if (!lookup.ok) throw bad.badConnection(CONNECTION_REFUSED[lookup.reasons[0]!]);
  const { connection } = lookup;
  const channel = channelOf(connection);
  const send = body.send ?? channel.defaultSend;
  if (typeof send !== 'string' || !SEND.has(send)) throw bad.badSend('send must be one of code, link');
  const authParams = body.authParams ?? {};
  if (typeof authParams !== 'object' || authParams === null || Array.isArray(authParams)) {
    throw bad.badAuthParams(`error in authParams - invalid type: ${Array.isArray(authParams) ? 'array' : typeof authParams} (expected object)`);
  }

  const recipient = RECIPIENT[channel.name](body[channel.recipientField]);
  await admit(recipient);
  const existing = await deps.users.findPasswordlessUser(connection, recipient);
  if (!existing && connection.disableSignup) throw bad.signupDisabled(OTP_ERRORS.signupDisabled);
  if (!existing) {
    const signUp = await checkSignUp(deps.flows, { connection, client, recipient, request });
    if (!signUp.ok) throw bad.extensibilityError(signUp.message);
  }

  const linkFor = send === 'code' ? undefined : (code: string) => magicLinkUrl(deps.issuer, { clientId: client.clientId, connection, recipient, code, authParams: authParams as Record<string, unknown> });
  const sent = await sendCode(deps, { client, connection, recipient, linkFor });
  if (!sent.ok) throw PROVIDER_ERROR[channel.name](sent.detail);
  return STARTED[channel.name](existing?.user_id.split('|')[1] ?? recipient, recipient, existing);
}
