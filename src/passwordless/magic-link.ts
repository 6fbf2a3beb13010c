import { accessDenied, unauthorized, type OAuthError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { RequestFacts } from '../actions/action-events.js';
import type { Connection } from '../tenant/model.js';
import type { Session } from '../store/records.js';
import { parseAuthorizeRequest, requestRecord } from '../oauth/authorize-request.js';
import type { AuthorizationAnswer, AuthorizationService, ResumingBrowser } from '../login/authorization-service.js';
import type { SessionService } from '../login/sessions.js';
import { channelOf } from '../otp/channel.js';
import { passwordlessConnection } from '../otp/connection.js';
import { verifyCode, type PasswordlessDeps } from '../otp/passwordless-codes.js';
import { OTP_ERRORS, otpFailureDescription } from '../otp/code-errors.js';

/**
 * Magic links: the link /passwordless/start mails, and GET /passwordless/verify_redirect, which opens
 * it. The link carries the client's authParams, so opening it is checked like /authorize (client and
 * redirect_uri first; until both are trusted, errors are rendered, never redirected); then the code
 * is verified once and the browser gets an SSO session.
 */
export function magicLinkUrl(
  issuer: string,
  link: { clientId: string; connection: Connection; recipient: string; code: string; authParams: Record<string, unknown> },
): string {
  const query = new URLSearchParams();
  // authParams are flattened into the query, as Auth0 does; only scalar values survive.
  for (const [key, value] of Object.entries(link.authParams)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') query.set(key, String(value));
  }
  query.set('client_id', link.clientId);
  query.set('connection', link.connection.name);
  query.set(channelOf(link.connection).recipientField, link.recipient);
  query.set('verification_code', link.code);
  return `${issuer}passwordless/verify_redirect?${query.toString()}`;
}

export async function openMagicLink(
  deps: Pick<PasswordlessDeps, 'tenant' | 'otp' | 'users'> & { clock: Clock; sessions: SessionService; authorization: AuthorizationService },
  query: Record<string, unknown>,
  browser: ResumingBrowser & { deviceId: string },
  http?: RequestFacts,
): Promise<{ result: AuthorizationAnswer; session: Session }> {
  const request = parseAuthorizeRequest({ response_type: 'code', ...query }, deps.tenant);
  const redirect = { redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.state };
  // Every refusal goes back to the client, which is trusted by now.
  const refuse = (description: string): OAuthError => accessDenied(description, { redirect });

  const lookup = passwordlessConnection(deps.tenant, request.client.clientId, query.connection);
  if (!lookup.ok) throw refuse('the connection was not found');
  const { connection } = lookup;
  const channel = channelOf(connection);
  const raw = query[channel.recipientField];
  const recipient = typeof raw === 'string' ? channel.normalize(raw) : '';
  const code = typeof query.verification_code === 'string' ? query.verification_code : '';
  if (!recipient || !code) throw refuse(otpFailureDescription('malformed', channel.name));

  const login = await verifyCode(deps, { connection, recipient, code });
  if (!login.ok) {
    if (login.reason === 'blocked') throw unauthorized.userBlocked({ redirect });
    throw refuse(login.reason === 'signup_disabled' ? OTP_ERRORS.signupDisabled : otpFailureDescription(login.reason, channel.name));
  }

  const authTime = Math.floor(deps.clock.now() / 1000);
  const session = await deps.sessions.start({ userId: login.user.user_id, deviceId: browser.deviceId, authTime, clientId: request.client.clientId });
  // Auth0 issues no refresh token for a login made by link.
  return { result: await deps.authorization.answer(requestRecord(request), login.user, session, browser, { refreshTokenAllowed: false, http }), session };
}
