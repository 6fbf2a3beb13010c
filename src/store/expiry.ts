import type { RefreshToken } from './records.js';

/** When stored records end, counted the same way by every backend. */

/** An expired OTP challenge is kept a while, so a late guess hears "expired" rather than "no code". */
export const OTP_GRACE_MS = 10 * 60_000;

/** A refresh token ends at its absolute end or its idle end, whichever comes first. */
export const refreshTokenEnd = (token: Pick<RefreshToken, 'expiresAt' | 'idleExpiresAt'>): number => Math.min(token.expiresAt, token.idleExpiresAt);
