import { hkdfSync, webcrypto } from 'node:crypto';
import {
  calculateJwkThumbprint,
  EncryptJWT,
  importJWK,
  jwtDecrypt,
  jwtVerify,
  SignJWT,
  type JWK,
  type JWTPayload,
} from 'jose';

import type { PersistentKeys } from '../store/records.js';

export type { PersistentKeys };

/**
 * The tenant's keys, imported once at start-up: importing per token costs more than signing.
 * ID tokens and API access tokens are RS256 JWTs; access tokens without an audience are opaque to
 * clients, so they are encrypted (dir + A256GCM, the shape Auth0's own opaque tokens have).
 */
export interface TokenKeys {
  kid: string;
  publicJwks: { keys: JWK[] };
  sign(payload: JWTPayload): Promise<string>;
  /** Checks signature, issuer and expiry against `now` (the injected clock, in ms). */
  verify(token: string, issuer: string, now: number): Promise<JWTPayload>;
  /** Signature and issuer only: an id_token_hint stays usable after it expired. */
  verifyIgnoringExpiry(token: string, issuer: string): Promise<JWTPayload>;
  seal(payload: JWTPayload, issuer: string): Promise<string>;
  unseal(token: string, issuer: string, now: number): Promise<JWTPayload>;
}

export function deriveKey(masterSecret: Buffer, purpose: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', masterSecret, Buffer.alloc(0), `understudy:${purpose}`, length));
}

export async function createTokenKeys(signingJwk: JWK, masterSecret: Buffer): Promise<TokenKeys> {
  const kid = signingJwk.kid ?? (await calculateJwkThumbprint(signingJwk));
  const privateKey = await importJWK({ ...signingJwk, alg: 'RS256' }, 'RS256');
  const { kty, n, e } = signingJwk;
  const publicJwk: JWK = { kty, n, e, alg: 'RS256', use: 'sig', kid };
  const publicKey = await importJWK(publicJwk, 'RS256');
  // A CryptoKey, not the raw bytes: jose would import raw bytes again on every token, which doubled
  // the cost of sealing one.
  const sealKey = await webcrypto.subtle.importKey('raw', deriveKey(masterSecret, 'opaque-access-token'), 'AES-GCM', false, ['encrypt', 'decrypt']);

  return {
    kid,
    publicJwks: { keys: [publicJwk] },
    sign: (payload) => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(privateKey),
    verify: async (token, issuer, now) =>
      (await jwtVerify(token, publicKey, { issuer, algorithms: ['RS256'], currentDate: new Date(now) })).payload,
    verifyIgnoringExpiry: async (token, issuer) =>
      (await jwtVerify(token, publicKey, { issuer, algorithms: ['RS256'], currentDate: new Date(0) })).payload,
    seal: (payload, issuer) => new EncryptJWT(payload).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', iss: issuer }).encrypt(sealKey),
    unseal: async (token, issuer, now) => (await jwtDecrypt(token, sealKey, { issuer, currentDate: new Date(now) })).payload,
  };
}
