import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { OrganizationRef, User } from '../store/records.js';
import { addsPermissionsClaim, findResourceServer, type Client, type ResourceServer, type Tenant } from '../tenant/model.js';
import type { TokenKeys } from './keys.js';
import { OIDC_SCOPES, profileClaims } from './claims.js';
import { scopeSet } from './authorize-request.js';
import { customClaims } from './custom-claims.js';
import { managementAudience } from '../tenant/management-api.js';
import { isNamespaced } from '../actions/restricted-claims.js';
import { CURRENT_USER_SCOPES } from '../tenant/management-api.js';
import type { TokenChanges } from './finish-login.js';

/**
 * Tokens shaped as Auth0 issues them: RS256 ID tokens for the client, RS256 access tokens for an
 * API audience, and opaque (encrypted) access tokens good only for /userinfo otherwise. An API's RBAC
 * settings shape a user's access token: with enforce_policies its API scopes are only those the user
 * holds a permission for, and an `_authz` token dialect adds every permission the user holds for it.
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
  /** How the user authenticated on this login, for the ID token's amr and acr. */
  authentication?: Authentication | undefined;
  /** The organization the login is to: org_id (and org_name where the tenant allows names) in both tokens, and its roles' permissions. */
  organization?: OrganizationRef | undefined;
}

/** amr and acr of an ID token: Auth0 sets them on the login that passed a second factor, and on no other token. */
export interface Authentication {
  amr: string[];
  acr?: string | undefined;
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
   * administrator's, given to clients by client grants (client_credentials), never to a user. An
   * API with enforce_policies narrows these further when the access token is issued, to the
   * permissions the user holds at that moment.
   */
  grantedScope(scope: string, audience: string | undefined): string;
  accessToken(grant: Grant): Promise<IssuedAccessToken>;
  /** client_credentials: a JWT for the API with `sub` `<client_id>@clients` and `gty` client-credentials. */
  machineAccessToken(client: Client, audience: string, scope: string, actionClaims?: Record<string, unknown>, organization?: OrganizationRef): Promise<IssuedAccessToken>;
  idToken(
    grant: Grant,
    extra: { nonce?: string | undefined; authTime?: number | undefined; accessToken?: string; code?: string },
  ): Promise<string>;
}

export const USERINFO_PATH = 'userinfo';

/** The permissions a user holds for an API, given directly or through roles (src/rbac/roles-service.ts). */
export type PermissionLookup = (userId: string, audience: string, organizationId?: string) => Promise<string[]>;

export function createTokenIssuer(deps: {
  tenant: Tenant;
  keys: TokenKeys;
  clock: Clock;
  random: Random;
  issuer: string;
  permissionsOf?: PermissionLookup;
}): TokenIssuer {
  const { tenant, keys, clock, random, issuer } = deps;
  const permissionsOf: PermissionLookup = deps.permissionsOf ?? (async () => []);
  const userinfoAudience = `${issuer}${USERINFO_PATH}`;
  const nowSeconds = (): number => Math.floor(clock.now() / 1000);

  const management = managementAudience(issuer);
  function grantedScope(scope: string, audience: string | undefined): string {
    const api = findResourceServer(tenant, audience);
    const apiScopes = api?.identifier === management ? CURRENT_USER_SCOPES : api?.scopes;
    // An API with allow_offline_access: false gets no refresh token: Auth0 leaves offline_access out of the scope.
    const offline = api?.allowOfflineAccess ?? true;
    return [...scopeSet(scope)].filter((s) => (OIDC_SCOPES.has(s) && (offline || s !== 'offline_access')) || apiScopes?.includes(s)).join(' ');
  }

  /** The scope after RBAC, and the `permissions` claim when the API's token dialect adds one. */
  async function withPolicies(scope: string, api: ResourceServer, userId: string, organizationId: string | undefined): Promise<{ scope: string; permissions?: string[] }> {
    const claim = addsPermissionsClaim(api);
    if (!api.enforcePolicies && !claim) return { scope };
    const held = await permissionsOf(userId, api.identifier, organizationId);
    // OIDC scopes are not the API's permissions: RBAC leaves them alone.
    const allowed = api.enforcePolicies ? scope.split(' ').filter((s) => s && (OIDC_SCOPES.has(s) || held.includes(s))).join(' ') : scope;
    return claim ? { scope: allowed, permissions: held } : { scope: allowed };
  }

  /** org_id, and org_name (lower-case, as auth0-spa-js compares it) where the tenant allows names. */
  function organizationClaims(organization: OrganizationRef | undefined): Record<string, string> {
    if (!organization) return {};
    return tenant.organizationNames ? { org_id: organization.id, org_name: organization.name.toLowerCase() } : { org_id: organization.id };
  }

  return {
    grantedScope,

    async accessToken(grant) {
      const api = findResourceServer(tenant, grant.audience);
      const granted = grantedScope(grant.scope, grant.audience);
      const policed = api ? await withPolicies(granted, api, grant.user.user_id, grant.organization?.id) : { scope: granted };
      // An Action's addScope/removeScope apply after RBAC, as Auth0 applies them.
      const scope = withActionScopes(policed.scope, grant.changes);
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
      const custom = { ...customClaims(tenant, { token: 'access_token', client: grant.client, user: grant.user, audience: api.identifier }), ...grant.changes?.accessTokenClaims };
      // Auth0's own APIs take only namespaced custom claims (docs: "cannot have private, non-namespaced custom claims").
      const payload: Record<string, unknown> = {
        ...(api.identifier === management ? Object.fromEntries(Object.entries(custom).filter(([name]) => isNamespaced(name))) : custom),
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
      Object.assign(payload, organizationClaims(grant.organization));
      if (policed.permissions) payload.permissions = policed.permissions;
      return { accessToken: await keys.sign(payload), expiresIn: api.tokenLifetime, scope };
    },

    async machineAccessToken(client, audience, scope, actionClaims = {}, organization) {
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
        ...organizationClaims(organization),
      };
      // Roles are users': a machine's `permissions` are the scopes its client grant gives.
      if (addsPermissionsClaim(api)) payload.permissions = scope.split(' ').filter(Boolean);
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
      Object.assign(payload, organizationClaims(grant.organization));
      if (extra.authTime !== undefined) payload.auth_time = extra.authTime;
      if (grant.authentication) {
        payload.amr = grant.authentication.amr;
        if (grant.authentication.acr) payload.acr = grant.authentication.acr;
      }
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
