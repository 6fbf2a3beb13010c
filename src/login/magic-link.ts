import { OAuthError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { Session } from '../store/records.js';
import type { Tenant } from '../tenant/model.js';
import { enabledConnections } from '../tenant/connection-rules.js';
import { parseAuthorizeRequest } from '../oauth/authorize-request.js';
import type { AuthorizationResult } from '../oauth/authorization-response.js';
import { normalizeIdentifier } from '../otp/identifiers.js';
import { otpFailureDescription } from '../otp/otp-errors.js';
import type { OtpService } from '../otp/otp-service.js';
import type { UserService } from '../users/user-service.js';
import type { AuthorizationService } from './authorization-service.js';
import type { SessionService } from './sessions.js';

/**
 * GET /passwordless/verify_redirect, the magic link. It carries the client's authParams, so it is
 * checked like /authorize (client and redirect_uri first; until both are trusted, errors are
 * rendered, never redirected); then the code is verified once and the browser gets an SSO session.
 */
export async function openMagicLink(
  deps: { tenant: Tenant; clock: Clock; otp: OtpService; users: UserService; sessions: SessionService; authorization: AuthorizationService },
  query: Record<string, unknown>,
  deviceId: string,
): Promise<{ result: AuthorizationResult; session: Session }> {
  const request = parseAuthorizeRequest({ response_type: 'code', ...query }, deps.tenant);
  const redirect = { redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.state };
  const refuse = (description: string): OAuthError => new OAuthError('access_denied', description, { redirect });

  const connection = enabledConnections(deps.tenant, request.client).find((c) => c.name === query.connection && c.kind === 'passwordless');
  if (!connection) throw refuse('the connection was not found');
  const strategy = connection.strategy === 'sms' ? 'sms' : 'email';
  const raw = strategy === 'sms' ? query.phone_number : query.email;
  const recipient = typeof raw === 'string' ? normalizeIdentifier(strategy, raw) : '';
  const code = typeof query.verification_code === 'string' ? query.verification_code : '';
  if (!recipient || !code) throw refuse(otpFailureDescription('malformed', strategy));

  const verified = await deps.otp.verify({ connection: connection.name, recipient, code });
  if (!verified.ok) throw refuse(otpFailureDescription(verified.reason, strategy));
  const user = await deps.users.passwordlessUser(connection, recipient);
  if (!user) throw refuse('Signups are disabled for this connection.');
  if (user.blocked) throw new OAuthError('unauthorized', 'user is blocked', { redirect });
  await deps.users.recordLogin(user.user_id);

  const authTime = Math.floor(deps.clock.now() / 1000);
  const session = await deps.sessions.start({ userId: user.user_id, deviceId, authTime, clientId: request.client.clientId });
  return { result: await deps.authorization.complete(request, user, session), session };
}
