import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import { crossOriginAuthError as refuse, unauthorizedClient } from '../errors.js';
import { findClient, PASSWORDLESS_OTP_GRANT } from '../tenant/model.js';
import type { LoginTicket, Session } from '../store/records.js';
import type { LoginTicketStore } from '../store/types.js';
import type { SessionService } from '../login/sessions.js';
import { isClientOrigin } from '../oauth/redirect-uri.js';
import { channelOf } from '../otp/channel.js';
import { passwordlessConnection } from '../otp/connection.js';
import { verifyCode, type PasswordlessDeps } from '../otp/passwordless-codes.js';
import { OTP_ERRORS, otpFailureDescription } from '../otp/code-errors.js';

/**
 * POST /co/authenticate for passwordless codes, without HTTP: Auth0's cross-origin authentication,
 * which auth0.js's passwordlessLogin (and Lock Passwordless through it) calls from the application's
 * own page. The body is auth0.js's (web-auth/cross-origin-authentication.js): exactly `client_id`,
 * `credential_type`, `username`, `otp` and `realm`. A right code opens the SSO session (whose cookie
 * the browser keeps when it accepts cookies from this origin) and answers `{login_ticket, co_verifier,
 * co_id}`: the SDK keeps the verifier under `co/verifier/<origin>/<co_id>` and redeems the ticket at
 * /authorize (login/login-tickets.ts). Refusals are Auth0's (errors.ts: crossOriginAuthError).
 */
export const LOGIN_TICKET_TTL_MS = 5 * 60_000;

const FIELDS = ['client_id', 'credential_type', 'username', 'otp', 'realm'];
const BAD_BODY = `Invalid request body. All and only of ${FIELDS.join(', ')} are required.`;
/** Credential types Auth0 knows at /co/authenticate that Understudy does not take there. */
const PASSWORD_TYPES = new Set(['password', 'http://auth0.com/oauth/grant-type/password-realm']);

/** The request's Origin is missing or not one the client registered: Auth0 answers 403 with this text and no error code. */
export class OriginNotAllowedError extends Error {
  constructor(origin: string | undefined) {
    super(`Origin ${origin ?? ''} is not allowed.`);
    this.name = 'OriginNotAllowedError';
  }
}

export interface CrossOriginDeps extends Pick<PasswordlessDeps, 'tenant' | 'otp' | 'users'> {
  clock: Clock;
  random: Random;
  sessions: SessionService;
  store: LoginTicketStore;
}

export interface CrossOriginAnswer {
  login_ticket: string;
  co_verifier: string;
  co_id: string;
}

export const hashVerifier = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');


export async function authenticateCrossOrigin(
  deps: CrossOriginDeps,
  body: Record<string, unknown>,
  browser: { origin: string | undefined; deviceId: string; sessionId: string | undefined },
): Promise<{ answer: CrossOriginAnswer; session: Session }> {
  const type = body.credential_type;
  if (typeof type === 'string' && PASSWORD_TYPES.has(type)) {
    throw refuse.unsupportedCredentialType(`Understudy's /co/authenticate takes passwordless codes only (credential_type ${PASSWORDLESS_OTP_GRANT}).`);
  }
  if (typeof type === 'string' && type !== PASSWORDLESS_OTP_GRANT) throw refuse.unsupportedCredentialType('Unknown credential type parameter.');
  const keys = Object.keys(body);
  if (keys.length !== FIELDS.length || !FIELDS.every((f) => typeof body[f] === 'string' && body[f] !== '')) throw refuse.invalidRequest(BAD_BODY);
  // Every field is a non-empty string by now.
  const [clientId, username, code, realm] = ['client_id', 'username', 'otp', 'realm'].map((name) => String(body[name])) as [string, string, string, string];

  const client = findClient(deps.tenant, clientId);
  if (!client) throw refuse.unknownClient();
  if (!browser.origin || !isClientOrigin(client, browser.origin)) throw new OriginNotAllowedError(browser.origin);
  if (!client.crossOriginAuthentication) throw refuse.notAllowed();
  if (!client.grantTypes.includes(PASSWORDLESS_OTP_GRANT)) throw unauthorizedClient.grantNotAllowed(PASSWORDLESS_OTP_GRANT);

  const lookup = passwordlessConnection(deps.tenant, client.clientId, realm);
  if (!lookup.ok) throw refuse.invalidRequest(`Unknown realm ${realm}.`);
  const { connection } = lookup;
  const channel = channelOf(connection);
  const recipient = channel.normalize(username);
  if (!recipient) throw refuse.accessDenied(otpFailureDescription('malformed', channel.name));

  const login = await verifyCode(deps, { connection, recipient, code });
  if (!login.ok) {
    if (login.reason === 'blocked') throw refuse.blockedUser();
    if (login.reason === 'signup_disabled') throw refuse.accessDenied(OTP_ERRORS.signupDisabled);
    if (login.reason === 'too_many_attempts') throw refuse.tooManyAttempts(OTP_ERRORS.tooManyAttempts);
    throw refuse.accessDenied(otpFailureDescription(login.reason, channel.name));
  }

  // The browser's session is kept when it is the same user's (cross-origin authentication draft §3.2).
  const authTime = Math.floor(deps.clock.now() / 1000);
  const current = await deps.sessions.current(browser.sessionId);
  let session: Session;
  if (current && current.userId === login.user.user_id) {
    await deps.sessions.touch(current, client.clientId);
    session = current;
  } else {
    session = await deps.sessions.start({ userId: login.user.user_id, deviceId: browser.deviceId, authTime, clientId: client.clientId });
  }

  const verifier = deps.random.token(24);
  const ticket: LoginTicket = {
    id: deps.random.token(24),
    clientId: client.clientId,
    userId: login.user.user_id,
    connection: connection.name,
    authTime,
    sessionId: session.id,
    coId: deps.random.token(9),
    verifierHash: hashVerifier(verifier),
    expiresAt: deps.clock.now() + LOGIN_TICKET_TTL_MS,
  };
  await deps.store.saveLoginTicket(ticket);
  return { answer: { login_ticket: ticket.id, co_verifier: verifier, co_id: ticket.coId }, session };
}
