/**
 * Claims a custom claim may not set, as Auth0 documents them ("Create custom claims",
 * docs/research/auth0-tenant-settings.md §9): the protocol's and Auth0's own claims, the namespaces
 * Auth0 keeps for itself, and, on access tokens for Auth0's own APIs (the Management API), any name
 * that is not namespaced. Auth0 skips such a claim without failing the login; so does Understudy for
 * an Action's, while the tenant file's `claims[]` refuses them at start-up.
 */
export const RESTRICTED_CLAIMS: ReadonlySet<string> = new Set([
  'acr', 'act', 'active', 'amr', 'at_hash', 'ath', 'attest', 'aud', 'auth_time', 'authorization_details', 'azp', 'c_hash',
  'client_id', 'cnf', 'cty', 'dest', 'entitlements', 'events', 'exp', 'groups', 'gty', 'htm', 'htu', 'iat', 'internalService',
  'iss', 'jcard', 'jku', 'jti', 'jwe', 'jwk', 'kid', 'may_act', 'mky', 'nbf', 'nonce', 'object_id', 'org_id', 'org_name', 'orig',
  'origid', 'permissions', 'roles', 'rph', 's_hash', 'sid', 'sip_callid', 'sip_cseq_num', 'sip_date', 'sip_from_tag',
  'sip_via_branch', 'sub', 'sub_jwk', 'toe', 'txn', 'typ', 'uuid', 'vot', 'vtm', 'x5t#S256',
  // Not in Auth0's list, but Understudy's tokens carry their scope in it, and clients read it.
  'scope',
]);

/** "Custom claims payload is set to a maximum of 100KB." */
export const MAX_CUSTOM_CLAIMS_BYTES = 100 * 1024;

/** Auth0's own namespaces: the `urn:auth0` URN, and URLs on auth0.com, webtask.io or webtask.run. */
export function isReservedNamespace(name: string): boolean {
  if (/^urn:auth0(:|$)/i.test(name)) return true;
  if (!/^https?:\/\//i.test(name)) return false;
  try {
    const host = new URL(name).hostname.toLowerCase();
    return ['auth0.com', 'webtask.io', 'webtask.run'].some((domain) => host === domain || host.endsWith(`.${domain}`));
  } catch {
    return false;
  }
}

/** A namespaced claim name: a URL or a URN. */
export const isNamespaced = (name: string): boolean => /^(https?:\/\/|urn:)/i.test(name);

/** Whether a custom claim of this name may be set at all. */
export function mayBeSet(name: string): boolean {
  return name !== '' && !RESTRICTED_CLAIMS.has(name) && !isReservedNamespace(name);
}
