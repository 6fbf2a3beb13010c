import type { JWTPayload } from 'jose';
import { insufficientScope, invalidToken, type OAuthError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { UserStore } from '../store/types.js';
import type { TokenKeys } from './keys.js';
import { profileClaims } from './claims.js';
import { scopeSet } from './authorize-request.js';
import { USERINFO_PATH } from './tokens.js';

/** GET|POST /userinfo: the profile claims the access token's scope allows, for a live token only. */
export async function userinfo(
  deps: { keys: TokenKeys; store: UserStore; clock: Clock; issuer: string },
  accessToken: string | undefined,
): Promise<Record<string, unknown>> {
  if (!accessToken) throw refusedToken('Missing access token', false);
  let payload: JWTPayload;
  try {
    const parts = accessToken.split('.').length;
    payload =
      parts === 5
        ? await deps.keys.unseal(accessToken, deps.issuer, deps.clock.now())
        : await deps.keys.verify(accessToken, deps.issuer, deps.clock.now());
  } catch {
    throw refusedToken('The access token is invalid or has expired');
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(`${deps.issuer}${USERINFO_PATH}`)) throw refusedToken('The access token was not issued for /userinfo');
  const scopes = scopeSet(typeof payload.scope === 'string' ? payload.scope : '');
  if (!scopes.has('openid')) throw insufficientScope('The access token lacks the openid scope');
  const user = payload.sub ? await deps.store.getUser(payload.sub) : undefined;
  if (!user || user.blocked) throw refusedToken('The user of this access token no longer exists');
  return { sub: user.user_id, ...profileClaims(user, scopes) };
}

/** The user a /userinfo token speaks for, when the token verifies; for counting requests per user. */
export async function userinfoSubject(deps: { keys: TokenKeys; clock: Clock; issuer: string }, accessToken: string | undefined): Promise<string | undefined> {
  if (!accessToken) return undefined;
  try {
    const payload =
      accessToken.split('.').length === 5
        ? await deps.keys.unseal(accessToken, deps.issuer, deps.clock.now())
        : await deps.keys.verify(accessToken, deps.issuer, deps.clock.now());
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 6750 §3: the WWW-Authenticate challenge names the error, except when no token was sent at all. */
function refusedToken(description: string, withError = true): OAuthError {
  const header = withError ? `Bearer realm="understudy", error="invalid_token", error_description="${description}"` : 'Bearer realm="understudy"';
  return invalidToken(description, { headers: { 'WWW-Authenticate': header } });
}

/** The Bearer token from an Authorization header (RFC 6750 §2.1), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
