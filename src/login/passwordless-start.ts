import type { Eta } from 'eta';
import { OAuthError } from '../errors.js';
import { findClient, PASSWORDLESS_OTP_GRANT, type Connection, type Tenant } from '../tenant/model.js';
import { E164, normalizeEmail, normalizePhoneNumber } from '../otp/identifiers.js';
import type { OtpService } from '../otp/otp-service.js';
import type { Outbox } from '../otp/outbox.js';
import { composeMessage } from '../otp/message-templates.js';
import type { UserService } from '../users/user-service.js';
import { authenticateClient } from '../oauth/client-auth.js';
import { DeliveryError } from '../dev/delivery-faults.js';

/**
 * POST /passwordless/start with Auth0's contract: `send` absent means a magic link for email and a
 * code for SMS (Auth0 texts codes; node-auth0's sendSMS sends no `send`), confidential clients
 * authenticate, and every refusal is a 400 `bad.*` error with Auth0's description.
 */
const ALLOWED = new Set(['client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'connection', 'email', 'phone_number', 'send', 'authParams']);
const SEND = new Set(['code', 'link', 'link_ios', 'link_android']);

export interface PasswordlessStartDeps {
  tenant: Tenant;
  issuer: string;
  eta: Eta;
  otp: OtpService;
  outbox: Outbox;
  users: UserService;
}

export async function startPasswordless(
  deps: PasswordlessStartDeps,
  body: Record<string, unknown>,
  authorization: string | undefined,
  /** Runs once the recipient is known and normalised, before anything is sent (the per-recipient limit). */
  admit: (recipient: string) => Promise<void> = async () => undefined,
): Promise<Record<string, unknown>> {
  const unknown = Object.keys(body).filter((k) => !ALLOWED.has(k));
  if (unknown.length) throw new OAuthError('bad.request', `the following properties are not allowed: ${unknown.join(', ')}`);
  if (body.client_id === undefined || body.client_id === '') throw new OAuthError('bad.client_id', 'Missing required property: client_id');
  if (typeof body.client_id !== 'string' || !findClient(deps.tenant, body.client_id)) {
    throw new OAuthError('bad.client_id', `Unknown client: ${String(body.client_id)}`);
  }
  const { client } = authenticateClient(deps.tenant, authorization, body);
  if (!client.grantTypes.includes(PASSWORDLESS_OTP_GRANT)) {
    throw new OAuthError('unauthorized_client', `Grant type '${PASSWORDLESS_OTP_GRANT}' not allowed for the client.`);
  }

  const connection = resolveConnection(deps.tenant, client.clientId, body.connection);
  const send = body.send ?? (connection.strategy === 'sms' ? 'code' : 'link');
  if (typeof send !== 'string' || !SEND.has(send)) throw new OAuthError('bad.send', 'send must be one of code, link');
  const authParams = body.authParams ?? {};
  if (typeof authParams !== 'object' || authParams === null || Array.isArray(authParams)) {
    throw new OAuthError('bad.authParams', `error in authParams - invalid type: ${Array.isArray(authParams) ? 'array' : typeof authParams} (expected object)`);
  }

  const recipient = connection.strategy === 'sms' ? phoneOf(body.phone_number) : emailOf(body.email);
  await admit(recipient);
  const existing = await deps.users.findPasswordlessUser(connection, recipient);
  if (!existing && connection.disableSignup) throw new OAuthError('signup_disabled', 'Signups are disabled for this connection.');

  const issued = await deps.otp.issue({ connection: connection.name, recipient, length: connection.otp.length, ttlSeconds: connection.otp.timeStepSeconds });
  const link = send === 'code' ? null : magicLink(deps.issuer, client.clientId, connection, recipient, issued.code, authParams as Record<string, unknown>);
  try {
    await deps.outbox.send(
      composeMessage(deps.eta, { tenant: deps.tenant, client, connection, to: recipient, code: link ? null : issued.code, link, expiresAt: issued.expiresAt }),
    );
  } catch (err) {
    if (!(err instanceof DeliveryError)) throw err;
    // Twilio's "unreachable destination" code, in the shape Auth0 relays provider errors.
    if (err.channel === 'sms') throw new OAuthError('sms_provider_error', `${err.message} (Code: 30003)`);
    throw new OAuthError('email_provider_error', err.message);
  }

  const id = existing?.user_id.split('|')[1] ?? recipient;
  return connection.strategy === 'sms'
    ? { _id: id, phone_number: recipient, phone_verified: existing?.phone_verified ?? false, request_language: null }
    : { _id: id, email: recipient, email_verified: existing?.email_verified ?? false };
}

function resolveConnection(tenant: Tenant, clientId: string, name: unknown): Connection {
  if (name === undefined || name === '') throw new OAuthError('bad.connection', 'Missing required property: connection');
  const connection = typeof name === 'string' ? tenant.connections.find((c) => c.name === name) : undefined;
  if (!connection) throw new OAuthError('bad.connection', 'Connection does not exist');
  if (connection.kind !== 'passwordless') {
    throw new OAuthError('bad.connection', 'Invalid connection strategy. It must either be a passwordless connection');
  }
  if (!connection.enabledClients.has(clientId)) throw new OAuthError('bad.connection', 'Connection is disabled');
  return connection;
}

function emailOf(value: unknown): string {
  if (value === undefined || value === '') throw new OAuthError('bad.email', 'Missing required property: email');
  const email = typeof value === 'string' ? normalizeEmail(value) : '';
  if (!email) throw new OAuthError('bad.email', 'Invalid email address');
  return email;
}

function phoneOf(value: unknown): string {
  if (value === undefined || value === '') throw new OAuthError('bad.phone_number', 'Missing required property: phone_number');
  if (typeof value !== 'string' || !E164.test(value)) {
    throw new OAuthError('bad.phone_number', 'String does not match pattern: ^\\+[0-9]{1,15}$');
  }
  const phone = normalizePhoneNumber(value);
  if (!phone) throw new OAuthError('bad.phone_number', 'Invalid phone number');
  return phone;
}

/** The link Auth0 mails: /passwordless/verify_redirect carrying the code and the flattened authParams. */
function magicLink(issuer: string, clientId: string, connection: Connection, recipient: string, code: string, authParams: Record<string, unknown>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(authParams)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') query.set(key, String(value));
  }
  query.set('client_id', clientId);
  query.set('connection', connection.name);
  query.set(connection.strategy === 'sms' ? 'phone_number' : 'email', recipient);
  query.set('verification_code', code);
  return `${issuer}passwordless/verify_redirect?${query.toString()}`;
}
