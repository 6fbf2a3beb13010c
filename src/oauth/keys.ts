import { hkdfSync, KeyObject, sign as rsaSign, webcrypto } from 'node:crypto';
import {
  calculateJwkThumbprint,
  EncryptJWT,
  importJWK,
  jwtDecrypt,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';

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
  // Signing is the token endpoint's main cost. jose's SignJWT copies the claims (structuredClone),
  // re-serialises and validates the constant header, and goes through WebCrypto's algorithm
  // normalisation for every token; node:crypto's sign with a callback runs the same RSASSA-PKCS1-v1_5
  // on the thread pool without that, and the header is encoded once. The JWT is byte-for-byte the one
  // jose produced (RS256 signatures are deterministic).
  const signingKey = KeyObject.from(privateKey as webcrypto.CryptoKey);
  const modulusLength = signingKey.asymmetricKeyDetails?.modulusLength ?? 0;
  const encodedHeader = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid })).toString('base64url');
  const publicJwk: JWK = { kty, n, e, alg: 'RS256', use: 'sig', kid };
  const publicKey = await importJWK(publicJwk, 'RS256');
  // A CryptoKey, not the raw bytes: jose would import raw bytes again on every token, which doubled
  // the cost of sealing one.
  const sealKey = await webcrypto.subtle.importKey('raw', deriveKey(masterSecret, 'opaque-access-token'), 'AES-GCM', false, ['encrypt', 'decrypt']);

  return {
    kid,
    publicJwks: { keys: [publicJwk] },
    sign: (payload) => signJwt(encodedHeader, payload, signingKey, modulusLength),
    verify: async (token, issuer, now) =>
      (await jwtVerify(token, publicKey, { issuer, algorithms: ['RS256'], currentDate: new Date(now) })).payload,
    verifyIgnoringExpiry: async (token, issuer) =>
      (await jwtVerify(token, publicKey, { issuer, algorithms: ['RS256'], currentDate: new Date(0) })).payload,
    seal: (payload, issuer) => new EncryptJWT(payload).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', iss: issuer }).encrypt(sealKey),
    unseal: async (token, issuer, now) => (await jwtDecrypt(token, sealKey, { issuer, currentDate: new Date(now) })).payload,
  };
}

/**
 * A compact RS256 JWS of `payload` under an already encoded header, refused as jose refuses it: a
 * non-finite iat/nbf/exp, or a key under 2048 bits.
 */
function signJwt(encodedHeader: string, payload: JWTPayload, key: KeyObject, modulusLength: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (modulusLength < 2048) throw new TypeError('RS256 requires key modulusLength to be 2048 bits or larger');
    for (const claim of ['iat', 'nbf', 'exp'] as const) {
      const value = payload[claim];
      if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`"${claim}" claim must be a finite number`);
    }
    const input = `${encodedHeader}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    rsaSign('sha256', Buffer.from(input), key, (error, signature) => {
      if (error) reject(error);
      else resolve(`${input}.${signature.toString('base64url')}`);
    });
  });
}
