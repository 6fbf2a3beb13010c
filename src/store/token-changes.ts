/** What the post-login Actions change on the tokens (oauth/finish-login.ts TokenChanges), as stores keep it. */
export interface StoredTokenChanges {
  idTokenClaims: Record<string, unknown>;
  accessTokenClaims: Record<string, unknown>;
  addScopes: string[];
  removeScopes: string[];
}
