import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { User } from '../store/records.js';
import { findResourceServer, type Client, type Tenant } from '../tenant/model.js';
import type { TokenKeys } from './keys.js';
import { OIDC_SCOPES, profileClaims } from './claims.js';
import { scopeSet } from './authorize-request.js';
import { customClaims } from './custom-claims.js';
import { managementAudience } from '../management/management-api.js';
import { CURRENT_USER_SCOPES } from '../management/management-access.js';
import type { TokenChanges } from './finish-login.js';

/**
 * Tokens shaped as Auth0 issues them: RS256 ID tokens for the client, RS256 access tokens for an
 * API audience, and opaque (encrypted) access tokens good only for /userinfo otherwise.
 */
export interface Grant {
  client: Client;
  user: User;
  scope: string;
  audience: string | undefined;
  sessionId: string | undefined;
  /** Grant type claim (`gty`) Auth0 puts on some access tokens. */
  gty?: string;
  /** What the tenant's post-login Actions changed: claims, and scopes added or removed after the rest. */
  changes?: TokenChanges | undefined;
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

export interface TokenIssuer {
  /**
   * The scopes a user's token really gets: OIDC scopes plus those defined on the audience's API. For
   * the Management API that is only the `*:current_user*` scopes: its other scopes are an
   * administrator's, given to clients by client grants (client_credentials), never to a user.
   */
  grantedScope(scope: string, audience: string | undefined): string;
  accessToken(grant: Grant): Promise<IssuedAccessToken>;
  /** client_credentials: a JWT for the API with `sub` `<client_id>@clients` and `gty` client-credentials. */
  machineAccessToken(client: Client, audience: string, scope: string, actionClaims?: Record<string, unknown>): Promise<IssuedAccessToken>;
  idToken(
    grant: Grant,
    extra: { nonce?: string | undefined; authTime?: number | undefined; accessToken?: string; code?: string },
  ): Promise<string>;
}

export const USERINFO_PATH = 'userinfo';

export function createTokenIssuer(deps: { tenant: Tenant; keys: TokenKeys; clock: Clock; random: Random; issuer: string }): TokenIssuer {
  const { tenant, keys, clock, random, issuer } = deps;
  const userinfoAudience = `${issuer}${USERINFO_PATH}`;
  const nowSeconds = (): number => Math.floor(clock.now() / 1000);

  const management = managementAudience(issuer);
  function grantedScope(scope: string, audience: string | undefined): string {
    const api = findResourceServer(tenant, audience);
    const apiScopes = api?.identifier === management ? CURRENT_USER_SCOPES : api?.scopes;
    return [...scopeSet(scope)].filter((s) => OIDC_SCOPES.has(s) || apiScopes?.includes(s)).join(' ');
  }

  return {
    grantedScope,

    async accessToken(grant) {
      const scope = withActionScopes(grantedScope(grant.scope, grant.audience), grant.changes);
      const api = findResourceServer(tenant, grant.audience);
      const iat = nowSeconds();
      if (!api) {
        const expiresIn = 86400;
        const token = await keys.seal(
          { iss: issuer, sub: grant.user.user_id, aud: userinfoAudience, azp: grant.client.clientId, scope, sid: grant.sessionId, iat, exp: iat + expiresIn },
          issuer,
        );
        return { accessToken: token, expiresIn, scope };
      }
      const scopes = scopeSet(scope);
      const payload: Record<string, unknown> = {
        ...customClaims(tenant, { token: 'access_token', client: grant.client, user: grant.user, audience: api.identifier }),
        ...grant.changes?.accessTokenClaims,
        iss: issuer,
        sub: grant.user.user_id,
        aud: scopes.has('openid') ? [api.identifier, userinfoAudience] : api.identifier,
        iat,
        exp: iat + api.tokenLifetime,
        jti: random.token(16),
        azp: grant.client.clientId,
        scope,
      };
      if (grant.gty) payload.gty = grant.gty;
      if (grant.sessionId) payload.sid = grant.sessionId;
      if (api.permissions) payload.permissions = [...scopes].filter((s) => api.scopes.includes(s));
      return { accessToken: await keys.sign(payload), expiresIn: api.tokenLifetime, scope };
    },

    async machineAccessToken(client, audience, scope, actionClaims = {}) {
      const api = findResourceServer(tenant, audience);
      if (!api) throw new Error(`no API ${audience}`);
      const iat = nowSeconds();
      const payload: Record<string, unknown> = {
        ...actionClaims,
        iss: issuer,
        sub: `${client.clientId}@clients`,
        aud: api.identifier,
        iat,
        exp: iat + api.tokenLifetime,
        jti: random.token(16),
        scope,
        gty: 'client-credentials',
        azp: client.clientId,
      };
      if (api.permissions) payload.permissions = scope.split(' ').filter(Boolean);
      return { accessToken: await keys.sign(payload), expiresIn: api.tokenLifetime, scope };
    },

    async idToken(grant, extra) {
      const iat = nowSeconds();
      const payload: Record<string, unknown> = {
        ...customClaims(tenant, { token: 'id_token', client: grant.client, user: grant.user }),
        ...profileClaims(grant.user, scopeSet(grant.scope)),
        ...grant.changes?.idTokenClaims,
        iss: issuer,
        aud: grant.client.clientId,
        sub: grant.user.user_id,
        iat,
        exp: iat + grant.client.idTokenLifetime,
      };
      if (grant.sessionId) payload.sid = grant.sessionId;
      if (extra.authTime !== undefined) payload.auth_time = extra.authTime;
      // Only when the request carried one: node-auth0 rejects an ID token with an unexpected nonce.
      if (extra.nonce !== undefined) payload.nonce = extra.nonce;
      if (extra.accessToken) payload.at_hash = halfHash(extra.accessToken);
      if (extra.code) payload.c_hash = halfHash(extra.code);
      return keys.sign(payload);
    },
  };
}

/** Actions' addScope/removeScope apply after every other rule (RBAC included), as in Auth0. */
function withActionScopes(scope: string, changes: TokenChanges | undefined): string {
  if (!changes || (!changes.addScopes.length && !changes.removeScopes.length)) return scope;
  const scopes = scopeSet(scope);
  for (const added of changes.addScopes) scopes.add(added);
  for (const removed of changes.removeScopes) scopes.delete(removed);
  return [...scopes].join(' ');
}

/** OIDC Core §3.3.2.11: base64url of the left half of SHA-256, for at_hash and c_hash. */
function halfHash(value: string): string {
  const digest = createHash('sha256').update(value).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
