import { webcrypto } from 'node:crypto';
import { EncryptJWT, jwtDecrypt, errors as joseErrors } from 'jose';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { OtpStore } from '../store/types.js';
import { deriveKey } from './keys.js';

/**
 * Sealed, single-use tickets: the links the database connections' emails carry (a password reset, an
 * email verification) and the `auth_session` of a one-time code on a database connection. Each is
 * sealed with dir + A256GCM under a key of its purpose, names what it is for, is valid for its
 * lifetime and is used once. Its one use is a record in the one-time store, so every
 * replica sees a ticket spent.
 */
export type TicketRefusal = 'invalid' | 'expired' | 'used';
export type OpenedTicket = { ok: true; id: string; claims: Record<string, unknown> } | { ok: false; reason: TicketRefusal };

export interface Tickets {
  issue(claims: Record<string, unknown>, lifetimeSeconds: number): Promise<string>;
  /** The ticket's claims while it is valid and unused. */
  open(ticket: string | undefined): Promise<OpenedTicket>;
  /** Spends it: true for the first of two concurrent uses only. */
  use(id: string): Promise<boolean>;
}

export function createTickets(purpose: string, deps: { store: OtpStore; clock: Clock; random: Random; issuer: string; masterSecret: Buffer }): Tickets {
  const { store, clock, random, issuer } = deps;
  const key = webcrypto.subtle.importKey('raw', deriveKey(deps.masterSecret, `${purpose}-ticket`), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const nowSeconds = (): number => Math.floor(clock.now() / 1000);
  const recordKey = (id: string): string => `${purpose}-ticket:${id}`;

  return {
    async issue(claims, lifetimeSeconds) {
      const id = random.token(16);
      const expiresAt = clock.now() + lifetimeSeconds * 1000;
      await store.replaceOtpChallenge({ key: recordKey(id), id, codeHash: '', attempts: 0, exhausted: false, createdAt: clock.now(), expiresAt });
      return new EncryptJWT({ ...claims, typ: purpose, jti: id })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuer(issuer)
        .setIssuedAt(nowSeconds())
        .setExpirationTime(nowSeconds() + lifetimeSeconds)
        .encrypt(await key);
    },

    async open(ticket) {
      if (!ticket) return { ok: false, reason: 'invalid' };
      let claims: Record<string, unknown>;
      try {
        ({ payload: claims } = await jwtDecrypt(ticket, await key, { issuer, currentDate: new Date(clock.now()) }));
      } catch (err) {
        return { ok: false, reason: err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
      }
      if (claims.typ !== purpose || typeof claims.jti !== 'string') return { ok: false, reason: 'invalid' };
      if (!(await store.recordOtpAttempt(recordKey(claims.jti)))) return { ok: false, reason: 'used' };
      return { ok: true, id: claims.jti, claims };
    },

    use: (id) => store.consumeOtpChallenge(recordKey(id), id),
  };
}

/** A ticket's link on the tenant's domain, in the form Auth0's email links take (`<path>?ticket=…#`). */
export function ticketLink(issuer: string, path: string, ticket: string): string {
  return `${issuer.replace(/\/$/, '')}${path}?ticket=${encodeURIComponent(ticket)}#`;
}
