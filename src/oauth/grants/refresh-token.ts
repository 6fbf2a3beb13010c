import { invalidGrant, invalidRequest, invalidScope } from '../../errors.js';
import { normalizeScope, scopeSet } from '../authorize-request.js';
import { stringField } from '../client-auth.js';
import { UNKNOWN_REFRESH_TOKEN } from '../refresh-tokens.js';
import type { GrantHandler } from './types.js';
import { askForSecondFactor, finishGrantLogin, userTokenResponse } from './user-tokens.js';
import { mfaDemand } from '../../mfa/mfa-demand.js';
import { OIDC_SCOPES } from '../claims.js';
import { findResourceServer, type Client, type Tenant } from '../../tenant/model.js';

/** RFC 6749 §6: new tokens for a refresh token, optionally for a narrower scope. */
export const refreshTokenGrant: GrantHandler = async (params, caller, ctx, request) => {
  const token = stringField(params, 'refresh_token');
  if (!token) throw invalidRequest.missing('refresh_token');
  const { record, next } = await ctx.refreshTokens.exchange(caller.client, token);

  const requested = stringField(params, 'scope');
  const other = otherApi(caller.client, ctx.tenant, record.audience, stringField(params, 'audience'));
  let scope = record.scope;
  let audience = record.audience;
  if (other) {
    // Multi-Resource Refresh Token: the token's OpenID scopes and the policy's, narrowed to those asked for.
    audience = other.audience;
    const allowed = new Set([...scopeSet(record.scope)].filter((s) => OIDC_SCOPES.has(s)).concat(other.scope));
    scope = requested ? normalizeScope(requested).split(' ').filter((s) => allowed.has(s)).join(' ') : [...allowed].join(' ');
  } else if (requested) {
    const granted = scopeSet(record.scope);
    const narrower = normalizeScope(requested);
    if (narrower.split(' ').some((s) => !granted.has(s))) {
      throw invalidScope('The requested scope exceeds the scope granted to the refresh token');
    }
    scope = narrower;
  }

  const user = await ctx.store.getUser(record.userId);
  if (!user) throw invalidGrant("The refresh_token was generated for a user who doesn't exist anymore.");
  if (user.blocked) {
    await ctx.store.revokeRefreshTokensOf(user.user_id);
    throw invalidGrant(UNKNOWN_REFRESH_TOKEN);
  }
  // The family's organization: gone since, the token buys nothing more (Auth0 binds refresh tokens to it).
  const organization = record.organization ? await ctx.store.getOrganization(record.organization.id) : undefined;
  if (record.organization && !organization) throw invalidGrant(UNKNOWN_REFRESH_TOKEN);
  // Auth0 runs post-login on every refresh, so claims an Action sets stay current.
  const finished = await finishGrantLogin(ctx, {
    organization,
    client: caller.client,
    user,
    scope,
    audience,
    sessionId: record.sessionId,
    authTime: Math.floor(ctx.clock.now() / 1000),
    protocol: 'oauth2-refresh-token',
    request,
    mfaAt: record.mfaAt,
  });
  // Only an Action asks a refresh for a second factor; the tenant's policy asked at login.
  if (finished.mfa) await askForSecondFactor(ctx, { client: caller.client, user: finished.user, scope, audience, changes: finished.changes }, mfaDemand(ctx.tenant.mfa, { action: finished.mfa }));
  return userTokenResponse(ctx, { client: caller.client, user: finished.user, scope, audience, sessionId: record.sessionId, refreshToken: next, changes: finished.changes, organization: record.organization });
};

/**
 * The other API a refresh asks for under the client's Multi-Resource Refresh Token policies
 * (`refresh_token.policies`), with the scopes the policy allows. Undefined when the refresh asks for
 * the token's own API or names none; Auth0 also ignores an audience no policy (or no API) names, and
 * answers for the token's own.
 */
function otherApi(client: Client, tenant: Tenant, own: string | undefined, requested: string | undefined): { audience: string; scope: string[] } | undefined {
  if (!requested || requested === own) return undefined;
  const policy = client.refreshToken.policies.find((p) => p.audience === requested);
  return policy && findResourceServer(tenant, requested) ? policy : undefined;
}
