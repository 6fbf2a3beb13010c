import type { Organization, OrganizationRef, User } from '../../store/records.js';
import type { Client } from '../../tenant/model.js';
import { scopeSet } from '../authorize-request.js';
import { ISSUED_FOR, type GrantContext, type TokenResponse } from './types.js';
import { findResourceServer } from '../../tenant/model.js';
import { grantTransaction, type TokenChanges } from '../finish-login.js';
import type { Authentication } from '../tokens.js';
import type { RequestFacts } from '../../actions/action-events.js';
import { mfaError, oauthError } from '../../errors.js';
import { mfaDemand, type MfaDemand } from '../../mfa/mfa-demand.js';
import type { ActionMfaRequest } from '../../actions/mfa-request.js';

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
    /** What post-login Actions changed on the tokens (oauth/finish-login.ts). */
    changes?: TokenChanges | undefined;
    authentication?: Authentication | undefined;
    /** When the login passed a second factor (seconds), kept on the refresh token. */
    mfaAt?: number | undefined;
    /** The organization the login was to, kept on the refresh token. */
    organization?: OrganizationRef | undefined;
  },
): Promise<TokenResponse> {
  const grant = { client: args.client, user: args.user, scope: args.scope, audience: args.audience, sessionId: args.sessionId, changes: args.changes, authentication: args.authentication, organization: args.organization };
  const access = await ctx.tokens.accessToken(grant);
  const response: TokenResponse = { access_token: access.accessToken, token_type: 'Bearer', expires_in: access.expiresIn, scope: access.scope, [ISSUED_FOR]: findResourceServer(ctx.tenant, args.audience)?.identifier };
  const scopes = scopeSet(access.scope);
  if (scopes.has('openid')) response.id_token = await ctx.tokens.idToken(grant, { nonce: args.nonce, authTime: args.authTime });

  if (args.refreshToken === 'issue') {
    if (scopes.has('offline_access') && args.client.grantTypes.includes('refresh_token')) {
      response.refresh_token = await ctx.refreshTokens.issue(
        { client: args.client, userId: args.user.user_id, scope: access.scope, audience: args.audience, sessionId: args.sessionId, mfaAt: args.mfaAt, organization: args.organization },
        args.refreshFamily,
      );
    }
  } else if (args.refreshToken) {
    response.refresh_token = args.refreshToken;
  }
  return response;
}

/**
 * A user grant's login ends like every other (oauth/finish-login.ts): the tenant's post-login Actions
 * run with no browser to send anywhere. Auth0 answers their refusal at the token endpoint with a 500
 * carrying access_denied (docs/research/auth0-actions-rbac.md §4).
 */
export async function finishGrantLogin(
  ctx: GrantContext,
  login: { client: Client; user: User; scope: string; audience: string | undefined; sessionId: string | undefined; authTime: number; protocol: string; request: RequestFacts; mfaAt?: number | undefined; organization?: Organization | undefined },
): Promise<{ user: User; changes: TokenChanges; mfa?: ActionMfaRequest | undefined }> {
  const finished = await ctx.finishLogin({
    organization: login.organization,
    client: login.client,
    user: login.user,
    scope: login.scope,
    audience: login.audience,
    sessionId: login.sessionId,
    authTime: login.authTime,
    mfaAt: login.mfaAt,
    transaction: grantTransaction(login.protocol, login.scope),
    request: login.request,
    interactive: false,
  });
  if (!finished.ok) throw oauthError(finished.error, finished.description, finished.error === 'access_denied' ? { status: 500 } : {});
  return finished;
}

/**
 * The tokens of a realm credential exchange at the token endpoint (password, password-realm and the
 * passwordless OTP grant): no browser and no SSO session; post-login runs as `oauth2-password`
 * (Auth0 does not document the OTP grant's protocol; it is the same kind of exchange), and a refresh
 * token comes with `offline_access`.
 */
export async function realmLoginTokens(
  ctx: GrantContext,
  login: { client: Client; user: User; scope: string; audience: string | undefined; request: RequestFacts },
): Promise<TokenResponse> {
  const { client, scope, audience } = login;
  const finished = await finishGrantLogin(ctx, {
    client,
    user: login.user,
    scope,
    audience,
    sessionId: undefined,
    authTime: Math.floor(ctx.clock.now() / 1000),
    protocol: 'oauth2-password',
    request: login.request,
  });
  const { user, changes } = finished;
  // The tenant's policy or its Actions ask for a second factor: the MFA API takes over.
  await askForSecondFactor(ctx, { client, user, scope, audience, changes }, mfaDemand(ctx.tenant.mfa, { action: finished.mfa }));
  return userTokenResponse(ctx, { client, user, scope, audience, sessionId: undefined, refreshToken: 'issue', changes });
}

/**
 * A grant owes a second factor: `mfa_required` with the mfa_token to continue with (403), or
 * access_denied when an Action asked for factors the tenant does not offer. Nothing when none is owed.
 */
export async function askForSecondFactor(
  ctx: GrantContext,
  grant: { client: Client; user: User; scope: string; audience: string | undefined; changes: TokenChanges },
  demand: MfaDemand | undefined,
): Promise<void> {
  if (!demand) return;
  if (!demand.factors.length) throw oauthError('access_denied', 'An MFA challenge is used in a PostLogin action but the requested factors are not properly set up', { status: 403 });
  throw mfaError.required(await ctx.mfaApi.issueToken(grant));
}
