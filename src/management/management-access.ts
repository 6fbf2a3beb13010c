import { CURRENT_USER_SCOPES } from '../tenant/management-api.js';
import type { Tenant } from '../tenant/model.js';
import { isManagementGrantAudience } from '../tenant/management-api.js';
import { ManagementError } from './management-error.js';



export type ManagementCaller =
  | { kind: 'machine'; clientId: string; scopes: ReadonlySet<string> }
  | { kind: 'user'; userId: string; scopes: ReadonlySet<string> };

/** A route's scopes: any one of `admin` for an administrator, any one of `currentUser` for the user named by the route. */
export interface RouteAccess {
  admin: readonly string[];
  currentUser?: readonly string[];
}

/** The caller behind a token whose signature, issuer, expiry and audience are already verified. */
export function managementCaller(payload: Record<string, unknown>, tenant: Tenant): ManagementCaller {
  const claimed = new Set(typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : []);
  const { sub, azp, gty } = payload;
  if (gty === 'client-credentials' && typeof azp === 'string' && sub === `${azp}@clients`) {
    const grant = tenant.clientGrants.find((g) => g.clientId === azp && isManagementGrantAudience(g.audience));
    return { kind: 'machine', clientId: azp, scopes: new Set(grant ? grant.scopes.filter((s) => claimed.has(s)) : []) };
  }
  const userId = typeof sub === 'string' ? sub : '';
  return { kind: 'user', userId, scopes: new Set(CURRENT_USER_SCOPES.filter((s) => claimed.has(s))) };
}

/** True when the caller may use a route; `targetUserId` is the user the route reads or changes, if any. */
export function allows(caller: ManagementCaller, access: RouteAccess, targetUserId?: string): boolean {
  if (caller.kind === 'machine') return access.admin.some((s) => caller.scopes.has(s));
  return targetUserId !== undefined && targetUserId === caller.userId && (access.currentUser ?? []).some((s) => caller.scopes.has(s));
}

/** Auth0's 403 for a token without the route's scope (or, for a user's token, for another user's record). */
export function insufficientScope(access: RouteAccess): ManagementError {
  return new ManagementError(403, `Insufficient scope, expected any of: ${[...access.admin, ...(access.currentUser ?? [])].join(',')}`, 'insufficient_scope');
}
