import { invalidGrant, invalidRequest, invalidScope } from '../../errors.js';
import { normalizeScope, scopeSet } from '../authorize-request.js';
import { stringField } from '../client-auth.js';
import { UNKNOWN_REFRESH_TOKEN } from '../refresh-tokens.js';
import type { GrantHandler } from './types.js';
import { askForSecondFactor, finishGrantLogin, userTokenResponse } from './user-tokens.js';
import { mfaDemand } from '../../mfa/mfa-demand.js';

/** RFC 6749 §6: new tokens for a refresh token, optionally for a narrower scope. */
export const refreshTokenGrant: GrantHandler = async (params, caller, ctx, request) => {
  const token = stringField(params, 'refresh_token');
  if (!token) throw invalidRequest.missing('refresh_token');
  const { record, next } = await ctx.refreshTokens.exchange(caller.client, token);

  let scope = record.scope;
  const requested = stringField(params, 'scope');
  if (requested) {
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
  // Auth0 runs post-login on every refresh, so claims an Action sets stay current.
  const finished = await finishGrantLogin(ctx, {
    client: caller.client,
    user,
    scope,
    audience: record.audience,
    sessionId: record.sessionId,
    authTime: Math.floor(ctx.clock.now() / 1000),
    protocol: 'oauth2-refresh-token',
    request,
    mfaAt: record.mfaAt,
  });
  // Only an Action asks a refresh for a second factor; the tenant's policy asked at login.
  if (finished.mfa) await askForSecondFactor(ctx, { client: caller.client, user: finished.user, scope, audience: record.audience, changes: finished.changes }, mfaDemand(ctx.tenant.mfa, { action: finished.mfa }));
  return userTokenResponse(ctx, { client: caller.client, user: finished.user, scope, audience: record.audience, sessionId: record.sessionId, refreshToken: next, changes: finished.changes });
};
