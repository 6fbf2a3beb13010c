import { hash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import { invalidGrant } from '../errors.js';
import type { OrganizationRef, RefreshToken } from '../store/records.js';
import type { RefreshTokenStore } from '../store/types.js';
import type { Client } from '../tenant/model.js';

/**
 * Refresh tokens with Auth0's client policy: `rotating` hands out a new token on every exchange and
 * treats reuse of an already rotated one (outside `leeway` seconds) as theft, revoking the family;
 * `non-rotating` keeps one token. Lifetimes: absolute `token_lifetime`, idle `idle_token_lifetime`.
 */
export const UNKNOWN_REFRESH_TOKEN = 'Unknown or invalid refresh token.';
// JSON-safe stand-in for "never" so every store can keep it.
const NEVER = Number.MAX_SAFE_INTEGER;

export interface RefreshGrant {
  client: Client;
  userId: string;
  scope: string;
  audience: string | undefined;
  sessionId: string | undefined;
  /** When the login passed a second factor (seconds), carried to every token of the family. */
  mfaAt?: number | undefined;
  /** The organization of the login, carried to every token of the family. */
  organization?: OrganizationRef | undefined;
}

export interface RefreshTokenService {
  /** A token of a new family; `familyId` names the family when the caller must find it again (codeFamily). */
  issue(grant: RefreshGrant, familyId?: string): Promise<string>;
  /** The grant behind a token, and the token to hand back (a new one when the client rotates). */
  exchange(client: Client, token: string): Promise<{ record: RefreshToken; next: string | undefined }>;
  /** Revokes the token's family when the token belongs to the client; silent otherwise (RFC 7009). */
  revoke(client: Client, token: string): Promise<void>;
}

export const hashToken = (token: string): string => hash('sha256', token, 'base64url');

/**
 * The refresh-token family an authorization code starts, named after the code, so that a second
 * redemption of the code (which finds it consumed) can revoke what the first one issued
 * (RFC 6749 §4.1.2) without the store remembering spent codes.
 */
export const codeFamily = (code: string): string => `code.${hashToken(code).slice(0, 24)}`;

export function createRefreshTokenService(deps: { store: RefreshTokenStore; clock: Clock; random: Random }): RefreshTokenService {
  const { store, clock, random } = deps;

  async function save(grant: RefreshGrant, familyId: string, expiresAt: number): Promise<string> {
    const token = random.token(32);
    const now = clock.now();
    const idle = grant.client.refreshToken.idleTokenLifetime;
    await store.saveRefreshToken({
      tokenHash: hashToken(token),
      familyId,
      clientId: grant.client.clientId,
      userId: grant.userId,
      scope: grant.scope,
      audience: grant.audience,
      sessionId: grant.sessionId,
      createdAt: now,
      rotatedAt: undefined,
      expiresAt,
      idleExpiresAt: lifetimeEnd(now, grant.client.refreshToken.expirationType, idle),
      ...(grant.mfaAt !== undefined ? { mfaAt: grant.mfaAt } : {}),
      ...(grant.organization ? { organization: grant.organization } : {}),
    });
    return token;
  }

  function lifetimeEnd(now: number, type: 'expiring' | 'non-expiring', seconds: number): number {
    return type === 'non-expiring' || !Number.isFinite(seconds) ? NEVER : now + seconds * 1000;
  }

  return {
    issue(grant, familyId) {
      const policy = grant.client.refreshToken;
      return save(grant, familyId ?? random.token(12), lifetimeEnd(clock.now(), policy.expirationType, policy.tokenLifetime));
    },

    async exchange(client, token) {
      const hash = hashToken(token);
      const record = await store.getRefreshToken(hash);
      if (!record || record.clientId !== client.clientId) throw invalidGrant(UNKNOWN_REFRESH_TOKEN);
      const policy = client.refreshToken;
      const now = clock.now();

      if (policy.rotationType === 'non-rotating') {
        await store.touchRefreshToken(hash, lifetimeEnd(now, policy.expirationType, policy.idleTokenLifetime));
        return { record, next: undefined };
      }
      const before = await store.markRefreshTokenRotated(hash, now);
      if (!before) throw invalidGrant(UNKNOWN_REFRESH_TOKEN);
      if (before.rotatedAt !== undefined && now - before.rotatedAt >= policy.leeway * 1000) {
        await store.revokeRefreshTokenFamily(record.familyId);
        throw invalidGrant(UNKNOWN_REFRESH_TOKEN);
      }
      const next = await save({ client, userId: record.userId, scope: record.scope, audience: record.audience, sessionId: record.sessionId, mfaAt: record.mfaAt, organization: record.organization }, record.familyId, record.expiresAt);
      return { record, next };
    },

    async revoke(client, token) {
      const record = await store.getRefreshToken(hashToken(token));
      if (record && record.clientId === client.clientId) await store.revokeRefreshTokenFamily(record.familyId);
    },
  };
}
