import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Clock } from '../clock.js';
import type { Passkey, Transaction, User } from '../store/records.js';
import type { PasskeyStore, TransactionStore, UserStore } from '../store/types.js';
import type { Tenant } from '../tenant/model.js';

/**
 * Passkeys for Identifier First + Biometrics, verified with @simplewebauthn/server. Every ceremony is
 * bound to the login transaction: the options a screen renders put their challenge on it, and an
 * answer is only checked against that challenge, which it then clears (one answer per challenge).
 * The relying party is the issuer: RP ID its host name, origin its origin (http://localhost counts as
 * a secure context, so plain-HTTP local runs work in browsers).
 */
export interface PasskeyService {
  readonly rpId: string;
  readonly origin: string;
  registrationOptions(txn: Transaction, user: User): Promise<PublicKeyCredentialCreationOptionsJSON>;
  /** Verifies the `passkey` field of passkey-enrollment and stores the credential. */
  register(txn: Transaction, user: User, field: string | undefined): Promise<{ ok: true; passkey: Passkey } | { ok: false; reason: PasskeyRefusal }>;
  /** Options for a login: any passkey of the tenant (discoverable) or, given a user, one of theirs. */
  authenticationOptions(txn: Transaction, userId?: string): Promise<PublicKeyCredentialRequestOptionsJSON>;
  /** Verifies a `passkey` assertion; the user it proves, or why not. `userId` limits it to that user's passkeys. */
  authenticate(txn: Transaction, field: string | undefined, userId?: string): Promise<{ ok: true; userId: string } | { ok: false; reason: PasskeyRefusal }>;
  hasPasskey(userId: string): Promise<boolean>;
  /** The user of a connection with this identifier, when they have a passkey. */
  userWithPasskey(connection: string, identifier: string): Promise<User | undefined>;
  user(userId: string): Promise<User | undefined>;
}

/** Why a ceremony failed (the screens word it: login/refusals.ts). */
export type PasskeyRefusal = 'passkey_failed' | 'passkey_unknown' | 'passkey_not_created';

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

function parseJson<T>(field: string | undefined): T | undefined {
  if (!field) return undefined;
  try {
    const value = JSON.parse(field) as unknown;
    return value && typeof value === 'object' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

// Loaded on the first passkey ceremony, not at start-up: @simplewebauthn/server and its CBOR and ASN.1
// stack cost about as much start-up time as Fastify and 25 MB of memory, and most tenants never use passkeys.
let webauthn: Promise<typeof import('@simplewebauthn/server')> | undefined;
const simpleWebAuthn = (): Promise<typeof import('@simplewebauthn/server')> => (webauthn ??= import('@simplewebauthn/server'));

export function createPasskeyService(deps: { tenant: Tenant; store: PasskeyStore & UserStore & TransactionStore; clock: Clock; issuer: string }): PasskeyService {
  const { tenant, store, clock } = deps;
  const url = new URL(deps.issuer);
  const rpId = url.hostname;
  const origin = url.origin;

  /** Takes the transaction's challenge, so the same answer never counts twice. */
  async function takeChallenge(txn: Transaction): Promise<string | undefined> {
    const current = await store.getTransaction(txn.id);
    const challenge = current?.webauthnChallenge;
    if (challenge) await store.updateTransaction(txn.id, { webauthnChallenge: undefined });
    return challenge;
  }

  return {
    rpId,
    origin,

    async registrationOptions(txn, user) {
      const existing = await store.listPasskeys(user.user_id);
      const { generateRegistrationOptions } = await simpleWebAuthn();
      const options = await generateRegistrationOptions({
        rpName: tenant.friendlyName,
        rpID: rpId,
        userName: user.email ?? user.user_id,
        userDisplayName: user.name,
        userID: new TextEncoder().encode(user.user_id),
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      });
      await store.updateTransaction(txn.id, { webauthnChallenge: options.challenge });
      return options;
    },

    async register(txn, user, field) {
      const response = parseJson<RegistrationResponseJSON>(field);
      const expectedChallenge = await takeChallenge(txn);
      if (!response || !expectedChallenge) return { ok: false, reason: 'passkey_not_created' };
      try {
        const { verifyRegistrationResponse } = await simpleWebAuthn();
        const result = await verifyRegistrationResponse({ response, expectedChallenge, expectedOrigin: origin, expectedRPID: rpId, requireUserVerification: true });
        if (!result.verified) return { ok: false, reason: 'passkey_not_created' };
        const info = result.registrationInfo;
        const passkey: Passkey = {
          id: info.credential.id,
          userId: user.user_id,
          publicKey: b64url(info.credential.publicKey),
          counter: info.credential.counter,
          transports: info.credential.transports ?? response.response.transports ?? [],
          deviceType: info.credentialDeviceType,
          backedUp: info.credentialBackedUp,
          aaguid: info.aaguid,
          createdAt: new Date(clock.now()).toISOString(),
          lastUsedAt: undefined,
        };
        if (!(await store.savePasskey(passkey))) return { ok: false, reason: 'passkey_not_created' };
        return { ok: true, passkey };
      } catch {
        return { ok: false, reason: 'passkey_not_created' };
      }
    },

    async authenticationOptions(txn, userId) {
      const allowCredentials = userId ? (await store.listPasskeys(userId)).map((p) => ({ id: p.id, transports: p.transports })) : undefined;
      const { generateAuthenticationOptions } = await simpleWebAuthn();
      const options = await generateAuthenticationOptions({ rpID: rpId, userVerification: 'required', ...(allowCredentials ? { allowCredentials } : {}) });
      await store.updateTransaction(txn.id, { webauthnChallenge: options.challenge });
      return options;
    },

    async authenticate(txn, field, userId) {
      const response = parseJson<AuthenticationResponseJSON>(field);
      const expectedChallenge = await takeChallenge(txn);
      if (!response || typeof response.id !== 'string' || !expectedChallenge) return { ok: false, reason: 'passkey_failed' };
      const passkey = await store.findPasskey(response.id);
      if (!passkey || (userId && passkey.userId !== userId)) return { ok: false, reason: 'passkey_unknown' };
      // A discoverable credential names its user too; it must be the passkey's owner.
      const handle = response.response?.userHandle;
      if (handle && Buffer.from(handle, 'base64url').toString('utf8') !== passkey.userId) return { ok: false, reason: 'passkey_unknown' };
      try {
        const { verifyAuthenticationResponse } = await simpleWebAuthn();
        const result = await verifyAuthenticationResponse({
          response,
          expectedChallenge,
          expectedOrigin: origin,
          expectedRPID: rpId,
          credential: { id: passkey.id, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: passkey.counter, transports: passkey.transports },
          requireUserVerification: true,
        });
        if (!result.verified) return { ok: false, reason: 'passkey_failed' };
        await store.updatePasskeyCounter(passkey.id, result.authenticationInfo.newCounter, new Date(clock.now()).toISOString());
        return { ok: true, userId: passkey.userId };
      } catch {
        return { ok: false, reason: 'passkey_failed' };
      }
    },

    async hasPasskey(userId) {
      return (await store.listPasskeys(userId)).length > 0;
    },

    async userWithPasskey(connection, identifier) {
      const user = await store.findUser(connection, identifier);
      return user && (await store.listPasskeys(user.user_id)).length > 0 ? user : undefined;
    },

    user: (userId) => store.getUser(userId),
  };
}
