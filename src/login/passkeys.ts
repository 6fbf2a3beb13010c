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
import { base64url, offerChallenge, parseCredential, registrationSubject, relyingParty, simpleWebAuthn, takeChallenge, verifiedAssertion } from '../users/webauthn-ceremony.js';

/**
 * Passkeys for Identifier First + Biometrics, verified with @simplewebauthn/server. Every ceremony is
 * bound to the login transaction: the options a screen renders put their challenge on it, and an
 * answer is only checked against that challenge, which it then clears (one answer per challenge).
 * The relying party is the issuer (../users/webauthn-ceremony.ts).
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

export function createPasskeyService(deps: { tenant: Tenant; store: PasskeyStore & UserStore & TransactionStore; clock: Clock; issuer: string }): PasskeyService {
  const { tenant, store, clock } = deps;
  const { rpId, origin } = relyingParty(deps.issuer);

  return {
    rpId,
    origin,

    async registrationOptions(txn, user) {
      const existing = await store.listPasskeys(user.user_id);
      const { generateRegistrationOptions } = await simpleWebAuthn();
      const options = await generateRegistrationOptions({
        ...registrationSubject({ name: tenant.friendlyName, id: rpId }, user),
        excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      });
      await offerChallenge(store, txn.id, options.challenge);
      return options;
    },

    async register(txn, user, field) {
      const response = parseCredential<RegistrationResponseJSON>(field);
      const expectedChallenge = await takeChallenge(store, txn.id);
      if (!response || !expectedChallenge) return { ok: false, reason: 'passkey_not_created' };
      try {
        const { verifyRegistrationResponse } = await simpleWebAuthn();
        const result = await verifyRegistrationResponse({ response, expectedChallenge, expectedOrigin: origin, expectedRPID: rpId, requireUserVerification: true });
        if (!result.verified) return { ok: false, reason: 'passkey_not_created' };
        const info = result.registrationInfo;
        const passkey: Passkey = {
          id: info.credential.id,
          userId: user.user_id,
          publicKey: base64url(info.credential.publicKey),
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
      await offerChallenge(store, txn.id, options.challenge);
      return options;
    },

    async authenticate(txn, field, userId) {
      const response = parseCredential<AuthenticationResponseJSON>(field);
      const expectedChallenge = await takeChallenge(store, txn.id);
      if (!response || typeof response.id !== 'string' || !expectedChallenge) return { ok: false, reason: 'passkey_failed' };
      const passkey = await store.findPasskey(response.id);
      if (!passkey || (userId && passkey.userId !== userId)) return { ok: false, reason: 'passkey_unknown' };
      // A discoverable credential names its user too; it must be the passkey's owner.
      const handle = response.response?.userHandle;
      if (handle && Buffer.from(handle, 'base64url').toString('utf8') !== passkey.userId) return { ok: false, reason: 'passkey_unknown' };
      const counter = await verifiedAssertion({ rpId, origin }, response, expectedChallenge, passkey, true);
      if (counter === undefined) return { ok: false, reason: 'passkey_failed' };
      await store.updatePasskeyCounter(passkey.id, counter, new Date(clock.now()).toISOString());
      return { ok: true, userId: passkey.userId };
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
