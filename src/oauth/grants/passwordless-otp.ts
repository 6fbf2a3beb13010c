import { accessDenied, invalidGrant, invalidRequest, unauthorized, type OAuthError } from '../../errors.js';
import { channelOf, type ChannelName } from '../../otp/channel.js';
import { passwordlessConnection } from '../../otp/connection.js';
import { verifyCode, type CodeRefusal } from '../../otp/passwordless-codes.js';
import { OTP_ERRORS, otpFailureDescription } from '../../otp/code-errors.js';
import { normalizeScope } from '../authorize-request.js';
import { stringField } from '../client-auth.js';
import type { GrantHandler } from './types.js';
import { realmLoginTokens } from './user-tokens.js';
import { findConnection, requestedAudience } from '../../tenant/model.js';
import type { User } from '../../store/records.js';

/**
 * Auth0's embedded passwordless login: `grant_type=http://auth0.com/oauth/grant-type/passwordless/otp`
 * with `username`, `otp` and `realm` (email|sms), and Auth0's exact error descriptions, which SDKs
 * match on; or with `auth_session` and `otp` for a code on a database connection (POST /otp/challenge).
 * No browser, so no SSO session; the ID token carries no nonce.
 */
export const passwordlessOtpGrant: GrantHandler = async (params, caller, ctx, request) => {
  if (stringField(params, 'auth_session') !== undefined) return databaseOtpLogin(params, caller, ctx, request);
  for (const name of ['username', 'otp', 'realm']) {
    if (!stringField(params, name)) throw invalidRequest.missing(name);
  }
  const lookup = passwordlessConnection(ctx.tenant, caller.client.clientId, stringField(params, 'realm'));
  if (!lookup.ok) throw invalidRequest(lookup.reasons.includes('disabled') ? 'the connection was disabled' : 'the connection was not found');
  const { connection } = lookup;
  const channel = channelOf(connection);
  const recipient = channel.normalize(stringField(params, 'username')!);
  if (!recipient) throw invalidGrant(otpFailureDescription('malformed', channel.name));

  const login = await verifyCode(ctx, { connection, recipient, code: stringField(params, 'otp')! });
  if (!login.ok) throw refusal(login.reason, channel.name);

  return tokensFor(params, caller, ctx, request, login.user);
};

const tokensFor = (params: Record<string, unknown>, caller: Parameters<GrantHandler>[1], ctx: Parameters<GrantHandler>[2], request: Parameters<GrantHandler>[3], user: User) => {
  const audience = requestedAudience(ctx.tenant, stringField(params, 'audience'));
  if (audience && !ctx.tenant.resourceServers.some((r) => r.identifier === audience)) throw accessDenied.unknownAudience(audience);
  const scope = normalizeScope(stringField(params, 'scope') ?? 'openid');
  return realmLoginTokens(ctx, { client: caller.client, user, scope, audience, request });
};

/**
 * The same grant with the `auth_session` of POST /otp/challenge (a one-time code on a database
 * connection): the session names the connection, the channel and the recipient, and buys tokens once.
 * A session that cannot log anyone in (an unknown user without sign-up), a wrong or expired code and a
 * used session all get one invalid_request, word for word, so that the answer never says who has an
 * account (Auth0: "the blocked case returns the same error as a wrong OTP, by design").
 */
export const DATABASE_OTP_REFUSAL = 'The otp or auth_session is invalid or has expired';

const databaseOtpLogin: GrantHandler = async (params, caller, ctx, request) => {
  const otp = stringField(params, 'otp');
  if (!otp) throw invalidRequest.missing('otp');
  const opened = await ctx.otpSessions.open(stringField(params, 'auth_session'));
  const claims = opened.ok ? opened.claims : undefined;
  const connection = typeof claims?.con === 'string' ? findConnection(ctx.tenant, claims.con) : undefined;
  if (!opened.ok || !claims || claims.cid !== caller.client.clientId || claims.fn !== true || connection?.kind !== 'database' || typeof claims.rcp !== 'string') {
    throw invalidRequest(DATABASE_OTP_REFUSAL);
  }
  const login = await verifyCode(ctx, { connection, recipient: claims.rcp, code: otp });
  if (!login.ok) throw login.reason === 'blocked' ? unauthorized.userBlocked() : invalidRequest(DATABASE_OTP_REFUSAL);
  if (!(await ctx.otpSessions.use(opened.id))) throw invalidRequest(DATABASE_OTP_REFUSAL);
  return tokensFor(params, caller, ctx, request, login.user);
};

/** The grant's words for a refused code: invalid_grant (403) for the code itself, Auth0's own errors for the user. */
function refusal(reason: CodeRefusal, channel: ChannelName): OAuthError {
  if (reason === 'signup_disabled') return accessDenied(OTP_ERRORS.signupDisabled);
  if (reason === 'blocked') return unauthorized.userBlocked();
  return invalidGrant(otpFailureDescription(reason, channel));
}
