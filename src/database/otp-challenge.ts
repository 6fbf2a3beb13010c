import { invalidRequest, unauthorizedClient } from '../errors.js';
import { authenticateClient } from '../oauth/client-auth.js';
import type { Tickets } from '../oauth/sealed-tickets.js';
import { sendCode, type PasswordlessDeps } from '../otp/passwordless-codes.js';
import { PASSWORDLESS_OTP_GRANT, findConnection } from '../tenant/model.js';
import { normalizeEmail } from '../users/normalize.js';

/**
 * `POST /otp/challenge`: a one-time code on a database connection whose `email_otp` authentication
 * method is on (Auth0's passwordless on database connections). The client authenticates; the code is
 * sent as every passwordless code is (the OTP service, its limits and the mailbox, under the database
 * connection's name); the answer is an `auth_session` for the passwordless OTP grant. Whether the
 * email has a user is never said: an unknown one (without `allow_signup`, or where sign-up is off)
 * gets a session that fails at the token endpoint, and no code is sent.
 */
export const OTP_SESSION_SECONDS = 300;

export async function challengeDatabaseOtp(
  deps: Pick<PasswordlessDeps, 'tenant' | 'eta' | 'otp' | 'outbox' | 'users'> & { otpSessions: Tickets },
  body: Record<string, unknown>,
  authorization: string | undefined,
): Promise<{ auth_session: string }> {
  const { client } = authenticateClient(deps.tenant, authorization, body);
  if (!client.grantTypes.includes(PASSWORDLESS_OTP_GRANT)) throw unauthorizedClient.grantNotAllowed(PASSWORDLESS_OTP_GRANT);
  const name = typeof body.connection === 'string' ? body.connection : '';
  if (!name) throw invalidRequest.missing('connection');
  const connection = findConnection(deps.tenant, name);
  if (connection?.kind !== 'database' || !connection.enabledClients.has(client.clientId)) throw invalidRequest('the connection was not found');
  if (body.phone_number !== undefined) throw invalidRequest('phone_otp is not emulated: use email');
  if (!connection.authenticationMethods.emailOtp) throw invalidRequest(`the connection "${connection.name}" does not allow email_otp`);
  if (typeof body.email !== 'string' || !body.email) throw invalidRequest.missing('email');
  const email = normalizeEmail(body.email);
  if (!email) throw invalidRequest('email is not a valid email address');

  const allowSignup = body.allow_signup === true || body.allow_signup === 'true';
  const existing = await deps.users.findPasswordlessUser(connection, email);
  const functional = existing !== undefined || (allowSignup && !connection.disableSignup);
  if (functional) await sendCode(deps, { client, connection, recipient: email });
  const session = await deps.otpSessions.issue({ cid: client.clientId, con: connection.name, rcp: email, fn: functional }, OTP_SESSION_SECONDS);
  return { auth_session: session };
}
