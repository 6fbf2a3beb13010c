import type { User } from '../../store/records.js';
import type { Client } from '../../tenant/model.js';
import { scopeSet } from '../authorize-request.js';
import type { GrantContext, TokenResponse } from './types.js';

/**
 * The token response every user grant shares: an access token, an ID token whenever `openid` was
 * granted (auth0-spa-js refuses a response without one, refresh included), and a refresh token for
 * `offline_access` when the client may use the refresh_token grant.
 */
export async function userTokenResponse(
  ctx: GrantContext,
  args: {
    client: Client;
    user: User;
    scope: string;
    audience: string | undefined;
    sessionId: string | undefined;
    nonce?: string | undefined;
    authTime?: number | undefined;
    /** `issue` for a new family, a token string to hand back as is, or undefined for none. */
    refreshToken?: 'issue' | string | undefined;
    /** The new family's id, when it must be found again (an authorization code's). */
    refreshFamily?: string | undefined;
  },
): Promise<TokenResponse> {
  const grant = { client: args.client, user: args.user, scope: args.scope, audience: args.audience, sessionId: args.sessionId };
  const access = await ctx.tokens.accessToken(grant);
  const response: TokenResponse = { access_token: access.accessToken, token_type: 'Bearer', expires_in: access.expiresIn, scope: access.scope };
  const scopes = scopeSet(access.scope);
  if (scopes.has('openid')) response.id_token = await ctx.tokens.idToken(grant, { nonce: args.nonce, authTime: args.authTime });

  if (args.refreshToken === 'issue') {
    if (scopes.has('offline_access') && args.client.grantTypes.includes('refresh_token')) {
      response.refresh_token = await ctx.refreshTokens.issue({ client: args.client, userId: args.user.user_id, scope: access.scope, audience: args.audience, sessionId: args.sessionId }, args.refreshFamily);
    }
  } else if (args.refreshToken) {
    response.refresh_token = args.refreshToken;
  }
  return response;
}
