import { invalidGrant, invalidRequest, unauthorized } from '../../errors.js';
import { stringField } from '../client-auth.js';
import { verifyPkce } from '../pkce.js';
import type { GrantHandler } from './types.js';
import { userTokenResponse } from './user-tokens.js';
import { codeFamily } from '../refresh-tokens.js';

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636). The code is consumed before any other check, so a code that
 * failed once (wrong verifier, wrong redirect_uri) can never be tried again. A code presented again
 * after it was redeemed revokes the refresh tokens the first redemption issued (§4.1.2): someone
 * else had the code. (Access tokens already issued are JWTs and stay valid until they expire.)
 */
export const authorizationCodeGrant: GrantHandler = async (params, caller, ctx) => {
  const code = stringField(params, 'code');
  if (!code) throw invalidRequest.missing('code');
  const redirectUri = stringField(params, 'redirect_uri');
  const verifier = stringField(params, 'code_verifier');

  const grant = await ctx.store.consumeAuthorizationCode(code);
  if (!grant) {
    await ctx.store.revokeRefreshTokenFamily(codeFamily(code));
    throw invalidGrant('Invalid authorization code');
  }
  if (grant.clientId !== caller.client.clientId) throw invalidGrant('Invalid authorization code');
  if (redirectUri !== grant.redirectUri) {
    throw invalidGrant(redirectUri ? 'The redirect_uri does not match the one of the authorization request' : 'Missing required parameter: redirect_uri');
  }
  if (grant.codeChallenge) {
    if (!verifyPkce(verifier, grant.codeChallenge, grant.codeChallengeMethod ?? 'plain')) throw invalidGrant('Failed to verify code verifier');
  } else if (caller.method === 'none') {
    // Without PKCE only a secret proves the caller is the client the code was issued to.
    throw invalidGrant('Failed to verify code verifier');
  }

  const user = await ctx.store.getUser(grant.userId);
  if (!user) throw invalidGrant('The user of this authorization code no longer exists');
  if (user.blocked) throw unauthorized.userBlocked();

  return userTokenResponse(ctx, {
    client: caller.client,
    user,
    scope: grant.scope,
    audience: grant.audience,
    sessionId: grant.sessionId,
    nonce: grant.nonce,
    authTime: grant.maxAgeRequested ? grant.authTime : undefined,
    refreshToken: grant.refreshTokenAllowed === false ? undefined : 'issue',
    refreshFamily: codeFamily(code),
    // The code's login ran post-login Actions when it was issued; what they changed travels with it.
    changes: grant.tokenChanges,
    authentication: grant.authentication,
    mfaAt: grant.mfaAt,
    organization: grant.organization,
  });
};
