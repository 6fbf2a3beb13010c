import type { TransactionStore } from '../store/types.js';

/**
 * What every WebAuthn ceremony here shares (passkeys as a first factor, security keys and device
 * biometrics as a second): the relying party the issuer names, the library, loaded on first use, the
 * credential JSON a form posts, and the one-answer-per-challenge rule on the login transaction.
 */

// Loaded on the first ceremony, not at start-up: @simplewebauthn/server and its CBOR and ASN.1 stack cost
// about as much start-up time as Fastify and 25 MB of memory, and most tenants never use WebAuthn.
let webauthn: Promise<typeof import('@simplewebauthn/server')> | undefined;
export const simpleWebAuthn = (): Promise<typeof import('@simplewebauthn/server')> => (webauthn ??= import('@simplewebauthn/server'));

/**
 * The relying party is the issuer: RP ID its host name, origin its origin (http://localhost counts as
 * a secure context, so plain-HTTP local runs work in browsers).
 */
export function relyingParty(issuer: string): { rpId: string; origin: string } {
  const url = new URL(issuer);
  return { rpId: url.hostname, origin: url.origin };
}

/**
 * Who a new credential is registered for, as every registration here names it: the tenant as the
 * relying party, the user by email (or id), the user id as the credential's user handle. No attestation.
 */
export function registrationSubject(rp: { name: string; id: string }, user: { user_id: string; email?: string | undefined; name?: string | undefined }) {
  return {
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email ?? user.user_id,
    userDisplayName: user.name,
    userID: new TextEncoder().encode(user.user_id),
    attestationType: 'none' as const,
  };
}

/**
 * Checks an assertion against the stored credential it names (public key base64url): the
 * authenticator's new signature counter when it holds, undefined when it does not or cannot be read.
 */
export async function verifiedAssertion(
  rp: { rpId: string; origin: string },
  response: import('@simplewebauthn/server').AuthenticationResponseJSON,
  expectedChallenge: string,
  stored: { id: string; publicKey: string; counter: number; transports: string[] },
  requireUserVerification: boolean,
): Promise<number | undefined> {
  try {
    const { verifyAuthenticationResponse } = await simpleWebAuthn();
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpId,
      credential: { id: stored.id, publicKey: Buffer.from(stored.publicKey, 'base64url'), counter: stored.counter, transports: stored.transports as never },
      requireUserVerification,
    });
    return result.verified ? result.authenticationInfo.newCounter : undefined;
  } catch {
    return undefined;
  }
}

export const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** The credential a form posted (a JSON object), or undefined for anything else. */
export function parseCredential<T>(field: string | undefined): T | undefined {
  if (!field) return undefined;
  try {
    const value = JSON.parse(field) as unknown;
    return value && typeof value === 'object' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Puts a ceremony's challenge on the login transaction, replacing any earlier one. */
export async function offerChallenge(store: TransactionStore, txnId: string, challenge: string): Promise<void> {
  await store.updateTransaction(txnId, { webauthnChallenge: challenge });
}

/** Takes the transaction's challenge, so the same answer never counts twice. */
export async function takeChallenge(store: TransactionStore, txnId: string): Promise<string | undefined> {
  const challenge = (await store.getTransaction(txnId))?.webauthnChallenge;
  if (challenge) await store.updateTransaction(txnId, { webauthnChallenge: undefined });
  return challenge;
}
