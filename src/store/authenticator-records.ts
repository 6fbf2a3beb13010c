/**
 * What users authenticate with besides a password or a code: passkeys (a first factor) and second
 * factors (src/mfa/), and where a login's second factor stands.
 */
import type { StoredTokenChanges } from './token-changes.js';

/**
 * A WebAuthn credential (passkey) of a database user, registered on the passkey-enrollment screen.
 * The id is the credential id as the browser reports it (base64url); it is unique across users.
 */
export interface Passkey {
  id: string;
  userId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The authenticator's signature counter; 0 for authenticators that do not count. */
  counter: number;
  transports: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  /** The authenticator model's AAGUID (all zeros when unknown). */
  aaguid: string;
  createdAt: string;
  lastUsedAt: string | undefined;
}


/** The second factors Auth0's Guardian offers, by the names its factors and Actions use. */
export type MfaFactor = 'otp' | 'sms' | 'email' | 'recovery-code' | 'push-notification' | 'webauthn-roaming' | 'webauthn-platform' | 'duo';

/**
 * A user's enrolment in a second factor (Auth0's Guardian enrolment, the MFA API's authenticator).
 * One record per factor a user set up; a recovery code is an enrolment of its own, as in Auth0.
 */
export interface MfaEnrolment {
  /** `<kind>|dev_<16 alphanumerics>`, Auth0's authenticator ids: totp|…, sms|…, email|…, push|…, recovery-code|…, webauthn-…|…. */
  id: string;
  userId: string;
  factor: MfaFactor;
  /** False until the user proved the factor once (Auth0's `pending` enrolment, an MFA API authenticator with `active: false`). */
  confirmed: boolean;
  /** otp: the TOTP secret, base32. */
  secret?: string | undefined;
  /** otp: the time step of the last code accepted, so that code cannot pass again. */
  lastStep?: number | undefined;
  /** sms: the phone number, E.164. */
  phoneNumber?: string | undefined;
  /** email: the address codes go to. */
  email?: string | undefined;
  /** recovery-code: the code, kept readable so the dev plane can show it (a tenant keeps its hash). */
  recoveryCode?: string | undefined;
  /** push and WebAuthn: the device or key's name. */
  name?: string | undefined;
  /** webauthn-roaming and webauthn-platform: the credential registered (id and COSE public key base64url). */
  credential?: { id: string; publicKey: string; counter: number; transports: string[] } | undefined;
  createdAt: string;
  /** The last time the factor passed a challenge. */
  lastAuthAt?: string | undefined;
  /** push: the notification last sent to the device and what the device answered (one at a time, as Guardian does). */
  push?: PendingPush | undefined;
}

/**
 * A push notification awaiting its answer. Understudy has no Guardian app: the dev plane (the
 * mailbox page, /_dev/api/mfa) answers for the device, and the login screen and the MFA API's
 * polling read the answer here, so every replica sees it.
 */
export interface PendingPush {
  id: string;
  status: 'pending' | 'approved' | 'rejected';
  /** Milliseconds on the server clock; an answer after this does not count. */
  expiresAt: number;
}

/**
 * A login's second factor. Auth0 asks for it at the end of the login, after the post-login Actions
 * (which can ask for it), so what they decided waits here until the factor passes.
 */
export interface TransactionMfa {
  /** Whether "Remember this device for 30 days" is offered (the policy, or an Action's allowRememberBrowser). */
  allowRememberBrowser: boolean;
  /** The factors an Action limited the login to (challengeWith, enrollWith…); undefined: any the tenant enabled. */
  factors?: MfaFactor[] | undefined;
  /** true when only enrolment was asked for (enrollWith…): a user with a factor still enrols a new one. */
  enrolOnly?: boolean | undefined;
  /** acr_values asked for multi-factor: the ID token gets `acr`. */
  acrRequested?: boolean | undefined;
  /** The post-login Actions' token changes, applied when resume issues the response. */
  changes: StoredTokenChanges;
  /** The factor this login chose to enrol in (a security key or the device's biometrics share one screen). */
  enrolling?: MfaFactor | undefined;
  /** The enrolment this login is setting up (an otp secret shown until its first code, a phone number). */
  enrolmentId?: string | undefined;
  /** The recovery code made with this login's first enrolment, shown once and confirmed before resume. */
  recoveryCode?: string | undefined;
  /** Set when the factor passed (seconds): resume issues the response. */
  passedAt?: number | undefined;
  /** The user asked this browser to be remembered. */
  rememberBrowser?: boolean | undefined;
}
