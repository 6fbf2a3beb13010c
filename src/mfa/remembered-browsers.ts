import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { MfaEnrolmentStore } from '../store/types.js';

/**
 * "Remember this device for 30 days": Auth0's `auth0-mf` cookie, which lets a browser that passed a
 * second factor skip the next challenge for that user. Its value here is the user, the time it was
 * issued and an HMAC of both, so only this server's cookies count; the Management API's
 * invalidate-remember-browser revokes every cookie issued before it (docs/research/auth0-mfa.md §6).
 */
export const REMEMBER_COOKIE = 'auth0-mf';
export const REMEMBER_DAYS = 30;
const REMEMBER_MS = REMEMBER_DAYS * 86_400_000;

export interface RememberedBrowsers {
  /** The cookie's value for this user, issued now. */
  issue(userId: string): string;
  /** Whether the cookie is this server's, for this user, unexpired and issued after the last revocation. */
  remembers(cookie: string | undefined, userId: string): Promise<boolean>;
  maxAgeSeconds: number;
}

export function createRememberedBrowsers(deps: { key: Buffer; clock: Clock; store: Pick<MfaEnrolmentStore, 'rememberedBrowsersRevokedAt'> }): RememberedBrowsers {
  const { key, clock, store } = deps;
  const mac = (payload: string): Buffer => createHmac('sha256', key).update(payload).digest();
  return {
    issue(userId) {
      const payload = `${Buffer.from(userId).toString('base64url')}.${clock.now()}`;
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    async remembers(cookie, userId) {
      const [user, at, signature] = (cookie ?? '').split('.');
      if (!user || !at || !signature) return false;
      const expected = mac(`${user}.${at}`);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
      if (Buffer.from(user, 'base64url').toString() !== userId) return false;
      const issuedAt = Number(at);
      if (!(issuedAt + REMEMBER_MS > clock.now())) return false;
      const revokedAt = await store.rememberedBrowsersRevokedAt(userId);
      return revokedAt === undefined || issuedAt > revokedAt;
    },
    maxAgeSeconds: REMEMBER_MS / 1000,
  };
}
