import { OAuthError } from '../../errors.js';
import { authenticateClient, stringField } from '../client-auth.js';
import { authorizationCodeGrant } from './authorization-code.js';
import type { GrantContext, GrantHandler, TokenResponse } from './types.js';

/** POST /oauth/token: authenticate the client, then hand over to the handler of its grant_type. */
const grants: Record<string, GrantHandler> = {
  authorization_code: authorizationCodeGrant,
};

export async function exchangeToken(ctx: GrantContext, authorization: string | undefined, body: Record<string, unknown>): Promise<TokenResponse> {
  const grantType = stringField(body, 'grant_type');
  if (!grantType) throw new OAuthError('invalid_request', 'Missing required parameter: grant_type');
  const caller = authenticateClient(ctx.tenant, authorization, body);
  const handler = Object.hasOwn(grants, grantType) ? grants[grantType] : undefined;
  if (!handler) throw new OAuthError('unsupported_grant_type', `Unsupported grant type: ${grantType}`);
  if (!caller.client.grantTypes.includes(grantType)) {
    throw new OAuthError('unauthorized_client', `Grant type '${grantType}' not allowed for the client.`);
  }
  return handler(body, caller, ctx);
}
