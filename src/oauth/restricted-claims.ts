/**
 * Claims no custom claim may set: the protocol's own, which clients validate, and those Auth0
 * reserves for itself (RBAC's `permissions`, organizations' `org_*`). Auth0 silently skips an Action's
 * attempt to set one; the tenant file's `claims[]` refuses them at start-up.
 */
export const RESTRICTED_CLAIMS: ReadonlySet<string> = new Set([
  'iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'azp', 'nonce', 'auth_time', 'at_hash', 'c_hash', 'sid', 'scope', 'gty',
  'permissions', 'org_id', 'org_name', 'acr', 'amr', 'cnf', 'roles', 'groups',
]);
