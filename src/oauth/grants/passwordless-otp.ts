import { OAuthError, invalidGrant } from '../../errors.js';
import type { Connection } from '../../tenant/model.js';
import { enabledConnections } from '../../tenant/connection-rules.js';
import { normalizeIdentifier } from '../../otp/identifiers.js';
import { otpFailureDescription } from '../../otp/otp-errors.js';
import { normalizeScope } from '../authorize-request.js';
import { stringField } from '../client-auth.js';
import type { GrantHandler } from './types.js';
import { userTokenResponse } from './user-tokens.js';

/**
 * Auth0's embedded passwordless login: `grant_type=http://auth0.com/oauth/grant-type/passwordless/otp`
 * with `username`, `otp` and `realm` (email|sms), and Auth0's exact error descriptions, which SDKs
 * match on. No browser, so no SSO session; the ID token carries no nonce.
 */
export const passwordlessOtpGrant: GrantHandler = async (params, caller, ctx) => {
  for (const name of ['username', 'otp', 'realm']) {
    if (!stringField(params, name)) throw new OAuthError('invalid_request', `Missing required parameter: ${name}`);
  }
  const connection = passwordlessConnection(ctx.tenant.connections, enabledConnections(ctx.tenant, caller.client), stringField(params, 'realm')!);
  const strategy = connection.strategy === 'sms' ? 'sms' : 'email';
  const recipient = normalizeIdentifier(strategy, stringField(params, 'username')!);
  if (!recipient) throw invalidGrant(otpFailureDescription('malformed', strategy));

  const result = await ctx.otp.verify({ connection: connection.name, recipient, code: stringField(params, 'otp')! });
  if (!result.ok) throw invalidGrant(otpFailureDescription(result.reason, strategy));
  const user = await ctx.users.passwordlessUser(connection, recipient);
  if (!user) throw new OAuthError('access_denied', 'Signups are disabled for this connection.');
  if (user.blocked) throw new OAuthError('unauthorized', 'user is blocked');
  await ctx.users.recordLogin(user.user_id);

  const audience = stringField(params, 'audience');
  if (audience && !ctx.tenant.resourceServers.some((r) => r.identifier === audience)) {
    throw new OAuthError('access_denied', `Service not found: ${audience}`);
  }
  return userTokenResponse(ctx, {
    client: caller.client,
    user,
    scope: normalizeScope(stringField(params, 'scope') ?? 'openid'),
    audience,
    sessionId: undefined,
    refreshToken: 'issue',
  });
};

function passwordlessConnection(all: Connection[], enabled: Connection[], realm: string): Connection {
  const connection = enabled.find((c) => c.name === realm);
  if (!connection) {
    throw new OAuthError('invalid_request', all.some((c) => c.name === realm) ? 'the connection was disabled' : 'the connection was not found');
  }
  if (connection.kind !== 'passwordless') throw new OAuthError('invalid_request', 'the connection was not found');
  return connection;
}
