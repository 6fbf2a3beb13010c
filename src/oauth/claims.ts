import type { User } from '../store/records.js';

/**
 * Standard OIDC claims released per scope, as Auth0 does for ID tokens and /userinfo. Passwordless
 * users carry `phone_verified` in their profile; the OIDC claim is `phone_number_verified`.
 */
export function profileClaims(user: User, scopes: Set<string>): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (scopes.has('profile')) {
    if (user.given_name) claims.given_name = user.given_name;
    if (user.family_name) claims.family_name = user.family_name;
    claims.nickname = user.nickname;
    claims.name = user.name;
    claims.picture = user.picture;
    claims.updated_at = user.updated_at;
  }
  if (scopes.has('email') && user.email !== undefined) {
    claims.email = user.email;
    claims.email_verified = user.email_verified ?? false;
  }
  if (scopes.has('phone') && user.phone_number !== undefined) {
    claims.phone_number = user.phone_number;
    claims.phone_number_verified = user.phone_verified ?? false;
  }
  return claims;
}

/** Scopes that mean something to OIDC itself; the rest must be defined on the requested API. */
export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'phone', 'address', 'offline_access']);
