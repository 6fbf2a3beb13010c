import { passwordlessVerifyError as refuse, unauthorized } from '../errors.js';
import { findClient } from '../tenant/model.js';
import { channelOf } from '../otp/channel.js';
import { passwordlessConnection } from '../otp/connection.js';
import type { PasswordlessDeps } from '../otp/passwordless-codes.js';
import { OTP_ERRORS, otpFailureDescription } from '../otp/code-errors.js';

/**
 * POST /passwordless/verify, as auth0.js's passwordlessVerify calls it on a hosted login page: the body
 * is `{connection, verification_code, email | phone_number, client_id}` (authentication/
 * passwordless-authentication.js `verify`). A right code is only checked here, never used up: auth0.js
 * goes on to /passwordless/verify_redirect with the same code, which logs the user in. The check counts
 * as one of the code's attempts. Refusals are Auth0's (errors.ts: passwordlessVerifyError).
 */
export async function checkPasswordlessCode(deps: Pick<PasswordlessDeps, 'tenant' | 'otp' | 'users'>, body: Record<string, unknown>): Promise<Record<string, never>> {
  if (body.client_id === undefined || body.client_id === '') throw refuse.invalidRequest('missing client_id parameter');
  const client = typeof body.client_id === 'string' ? findClient(deps.tenant, body.client_id) : undefined;
  if (!client) throw refuse.invalidClient();
  if (body.connection === undefined || body.connection === '') throw refuse.invalidRequest('missing connection parameter');

  const lookup = passwordlessConnection(deps.tenant, client.clientId, body.connection);
  if (!lookup.ok) throw refuse.invalidRequest(lookup.reasons.includes('disabled') && lookup.reasons.length === 1 ? 'the connection was disabled' : 'the connection was not found');
  const { connection } = lookup;
  const channel = channelOf(connection);
  const raw = body[channel.recipientField];
  const recipient = typeof raw === 'string' ? channel.normalize(raw) : '';
  const code = typeof body.verification_code === 'string' ? body.verification_code : '';
  if (!recipient || !code) throw refuse.wrongCode(otpFailureDescription('malformed', channel.name));

  const existing = await deps.users.findPasswordlessUser(connection, recipient);
  if (!existing && connection.disableSignup) throw refuse.accessDenied(OTP_ERRORS.signupDisabled);
  if (existing?.blocked) throw unauthorized.userBlocked();

  const checked = await deps.otp.check({ connection: connection.name, recipient, code });
  if (checked.ok) return {};
  if (checked.reason === 'too_many_attempts') throw refuse.tooManyAttempts(OTP_ERRORS.tooManyAttempts);
  throw refuse.wrongCode(otpFailureDescription(checked.reason, channel.name));
}
