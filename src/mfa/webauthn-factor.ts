import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { MfaEnrolment, User } from '../store/records.js';
import type { MfaEnrolmentStore, TransactionStore } from '../store/types.js';
import type { Tenant } from '../tenant/model.js';
import { base64url, offerChallenge, parseCredential, registrationSubject, relyingParty, simpleWebAuthn, takeChallenge, verifiedAssertion } from '../users/webauthn-ceremony.js';
import { authenticatorId } from './authenticators.js';

/**
 * WebAuthn as a second factor (Guardian's webauthn-roaming, a security key, and webauthn-platform,
 * the device's fingerprint or face recognition), verified with @simplewebauthn/server. Each ceremony
 * is bound to the login transaction, like the passkeys'; the credentials are enrolments of the user's
 * second factors, never passkeys, so they cannot start a login.
 */
export type WebAuthnFactorName = 'webauthn-roaming' | 'webauthn-platform';

export const isWebAuthnFactor = (factor: string): factor is WebAuthnFactorName => factor === 'webauthn-roaming' || factor === 'webauthn-platform';

export interface WebAuthnFactor {
  registrationOptions(txnId: string, user: User, factor: WebAuthnFactorName): Promise<PublicKeyCredentialCreationOptionsJSON>;
  /** Verifies the posted credential against the transaction's challenge and enrols it (confirmed). */
  register(txnId: string, user: User, factor: WebAuthnFactorName, field: string | undefined): Promise<MfaEnrolment | undefined>;
  /** Options that ask for one of the user's credentials of these factors. */
  authenticationOptions(txnId: string, user: User, factors: readonly WebAuthnFactorName[]): Promise<PublicKeyCredentialRequestOptionsJSON>;
  /** Names a key or device (its nickname). */
  rename(enrolment: MfaEnrolment, name: string): Promise<void>;
  /** Verifies an assertion; the enrolment it proves (its counter and last use recorded), or undefined. */
  authenticate(txnId: string, user: User, field: string | undefined): Promise<MfaEnrolment | undefined>;
}

/** A security key asks no user verification; the device's own biometrics are the verification. */
const VERIFICATION = { 'webauthn-roaming': 'discouraged', 'webauthn-platform': 'required' } as const;

export function createWebAuthnFactor(deps: { tenant: Tenant; store: MfaEnrolmentStore & TransactionStore; clock: Clock; random: Random; issuer: string }): WebAuthnFactor {
  const { tenant, store, clock, random } = deps;
  const { rpId, origin } = relyingParty(deps.issuer);
  const now = (): string => new Date(clock.now()).toISOString();
  const credentialsOf = async (user: User, factors: readonly string[]): Promise<MfaEnrolment[]> =>
    (await store.listEnrolments(user.user_id)).filter((e) => factors.includes(e.factor) && e.credential);

  return {
    async registrationOptions(txnId, user, factor) {
      const { generateRegistrationOptions } = await simpleWebAuthn();
      const options = await generateRegistrationOptions({
        ...registrationSubject({ name: tenant.friendlyName, id: rpId }, user),
        excludeCredentials: (await credentialsOf(user, [factor])).map((e) => ({ id: e.credential!.id, transports: e.credential!.transports as never })),
        authenticatorSelection: { authenticatorAttachment: factor === 'webauthn-platform' ? 'platform' : 'cross-platform', residentKey: 'discouraged', userVerification: VERIFICATION[factor] },
      });
      await offerChallenge(store, txnId, options.challenge);
      return options;
    },

    async register(txnId, user, factor, field) {
      const response = parseCredential<RegistrationResponseJSON>(field);
      const expectedChallenge = await takeChallenge(store, txnId);
      if (!response || !expectedChallenge) return undefined;
      try {
        const { verifyRegistrationResponse } = await simpleWebAuthn();
        const result = await verifyRegistrationResponse({ response, expectedChallenge, expectedOrigin: origin, expectedRPID: rpId, requireUserVerification: factor === 'webauthn-platform' });
        if (!result.verified) return undefined;
        const { credential } = result.registrationInfo;
        const enrolment: MfaEnrolment = {
          id: authenticatorId(factor, random),
          userId: user.user_id,
          factor,
          confirmed: true,
          credential: { id: credential.id, publicKey: base64url(credential.publicKey), counter: credential.counter, transports: credential.transports ?? response.response.transports ?? [] },
          createdAt: now(),
          lastAuthAt: now(),
        };
        return (await store.saveEnrolment(enrolment)) ? enrolment : undefined;
      } catch {
        return undefined;
      }
    },

    async rename(enrolment, name) {
      await store.updateEnrolment({ ...enrolment, name });
    },

    async authenticationOptions(txnId, user, factors) {
      const credentials = await credentialsOf(user, factors);
      const { generateAuthenticationOptions } = await simpleWebAuthn();
      const options = await generateAuthenticationOptions({
        rpID: rpId,
        userVerification: factors.includes('webauthn-platform') ? 'preferred' : 'discouraged',
        allowCredentials: credentials.map((e) => ({ id: e.credential!.id, transports: e.credential!.transports as never })),
      });
      await offerChallenge(store, txnId, options.challenge);
      return options;
    },

    async authenticate(txnId, user, field) {
      const response = parseCredential<AuthenticationResponseJSON>(field);
      const expectedChallenge = await takeChallenge(store, txnId);
      if (!response || typeof response.id !== 'string' || !expectedChallenge) return undefined;
      const enrolment = (await credentialsOf(user, ['webauthn-roaming', 'webauthn-platform'])).find((e) => e.credential!.id === response.id);
      if (!enrolment?.credential) return undefined;
      const counter = await verifiedAssertion({ rpId, origin }, response, expectedChallenge, enrolment.credential, enrolment.factor === 'webauthn-platform');
      if (counter === undefined) return undefined;
      const used: MfaEnrolment = { ...enrolment, credential: { ...enrolment.credential, counter }, lastAuthAt: now() };
      await store.updateEnrolment(used);
      return used;
    },
  };
}
