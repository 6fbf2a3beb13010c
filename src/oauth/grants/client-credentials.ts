import { OAuthError } from '../../errors.js';
import { findResourceServer } from '../../tenant/model.js';
import { normalizeScope } from '../authorize-request.js';
import { stringField } from '../client-auth.js';
import type { GrantHandler } from './types.js';

/**
 * Machine-to-machine tokens (RFC 6749 §4.4) for a confidential client and an API. Every client is
 * treated as granted every scope the API defines; `scope` narrows that set.
 */
export const clientCredentialsGrant: GrantHandler = async (params, caller, ctx) => {
  if (caller.method === 'none') throw new OAuthError('unauthorized_client', 'Client authentication is required for client_credentials');
  const audience = stringField(params, 'audience');
  if (!audience) throw new OAuthError('access_denied', 'No audience parameter was provided, and no default audience has been configured');
  const api = findResourceServer(ctx.tenant, audience);
  if (!api) throw new OAuthError('access_denied', `Service not found: ${audience}`);

  const requested = normalizeScope(stringField(params, 'scope'));
  const scope = requested ? requested.split(' ').filter((s) => api.scopes.includes(s)).join(' ') : api.scopes.join(' ');
  const issued = await ctx.tokens.machineAccessToken(caller.client, api.identifier, scope);
  return { access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn, scope: issued.scope };
};
