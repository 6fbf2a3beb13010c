import type { Clock } from '../clock.js';
import type { Tenant } from '../tenant/model.js';
import type { TokenKeys } from '../oauth/keys.js';
import { bearerToken } from '../oauth/userinfo.js';
import { managementAudience } from '../tenant/management-api.js';
import { invalidManagementToken, missingAuthentication } from './management-error.js';
import { allows, insufficientScope, managementCaller, type ManagementCaller, type RouteAccess } from './management-access.js';

/**
 * The door of every Management API route: the Bearer token must verify, be for `<issuer>api/v2/`, and
 * carry the route's scope for its caller (management-access.ts says whose token it is and what each
 * kind of caller may reach).
 */

/** Checks a request's Authorization header against a route's access: the caller, or Auth0's 401 or 403. */
export type ManagementGate = (authorization: string | undefined, access: RouteAccess, targetUserId?: string) => Promise<ManagementCaller>;

export function createManagementGate(deps: { tenant: Tenant; keys: TokenKeys; issuer: string; clock: Clock }): ManagementGate {
  const { tenant, keys, issuer, clock } = deps;
  const audience = managementAudience(issuer);
  return async (authorization, access, targetUserId) => {
    const token = bearerToken(authorization);
    if (!token) throw missingAuthentication();
    let payload: Record<string, unknown>;
    try {
      payload = await keys.verify(token, issuer, clock.now());
    } catch {
      throw invalidManagementToken('Invalid token');
    }
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.includes(audience)) throw invalidManagementToken('Bad audience: ' + audiences.join(' '));
    const caller = managementCaller(payload, tenant);
    if (!allows(caller, access, targetUserId)) throw insufficientScope(access);
    return caller;
  };
}
