import { OAuthError, invalidGrant } from '../../errors.js';
import { scopeSet } from '../authorize-request.js';
import { stringField } from '../client-auth.js';
import { verifyPkce } from '../pkce.js';
import type { GrantHandler, TokenResponse } from './types.js';

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636). The code is consumed before any other check, so a code that
 * failed once (wrong verifier, wrong redirect_uri) can never be tried again.
 */
export const authorizationCodeGrant: GrantHandler = async (params, caller, { store, tokens }) => {
  const code = stringField(params, 'code');
  if (!code) throw new OAuthError('invalid_request', 'Missing required parameter: code');
  const redirectUri = stringField(params, 'redirect_uri');
  const verifier = stringField(params, 'code_verifier');

  const grant = await store.consumeAuthorizationCode(code);
  if (!grant || grant.clientId !== caller.client.clientId) throw invalidGrant('Invalid authorization code');
  if (redirectUri !== grant.redirectUri) {
    throw invalidGrant(redirectUri ? 'The redirect_uri does not match the one of the authorization request' : 'Missing required parameter: redirect_uri');
  }
  if (grant.codeChallenge) {
    if (!verifyPkce(verifier, grant.codeChallenge, grant.codeChallengeMethod ?? 'plain')) throw invalidGrant('Failed to verify code verifier');
  } else if (caller.method === 'none') {
    // Without PKCE only a secret proves the caller is the client the code was issued to.
    throw invalidGrant('Failed to verify code verifier');
  }

  const user = await store.getUser(grant.userId);
  if (!user) throw invalidGrant('The user of this authorization code no longer exists');
  if (user.blocked) throw new OAuthError('unauthorized', 'user is blocked');

  const issueFor = { client: caller.client, user, scope: grant.scope, audience: grant.audience, sessionId: grant.sessionId };
  const access = await tokens.accessToken(issueFor);
  const response: TokenResponse = { access_token: access.accessToken, token_type: 'Bearer', expires_in: access.expiresIn, scope: access.scope };
  if (scopeSet(grant.scope).has('openid')) {
    response.id_token = await tokens.idToken(issueFor, {
      nonce: grant.nonce,
      authTime: grant.maxAgeRequested ? grant.authTime : undefined,
    });
  }
  return response;
};
