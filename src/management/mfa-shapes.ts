import type { MfaEnrolment, MfaFactor, Passkey, User } from '../store/records.js';
import { maskedName } from '../mfa/authenticators.js';

/**
 * A user's second factors as the Management API shows them (docs/research/auth0-mfa.md §4.2): the
 * Guardian enrollments of /users/{id}/enrollments and /guardian/enrollments/{id}, and the
 * authentication methods of /users/{id}/authentication-methods (with the user's passkeys). Only
 * stored enrolments appear: the email authenticator a verified email gives (src/mfa/authenticators.ts)
 * is not listed, as Auth0's API "does not list auto-enrolled authenticators, such as Email factors set
 * up via an email verification link" [C].
 */

/** `<kind>|dev_…` → its parts; undefined for an id of another form. */
function splitId(id: string): { kind: string; device: string } | undefined {
  const bar = id.indexOf('|');
  return bar > 0 && bar < id.length - 1 ? { kind: id.slice(0, bar), device: id.slice(bar + 1) } : undefined;
}

// ---- Guardian enrollments ---------------------------------------------------------------------

/**
 * The factors Auth0 keeps as Guardian enrollments, with their `auth_method` (UserEnrollmentAuthMethodEnum:
 * authenticator, guardian, sms, webauthn-roaming, webauthn-platform). Email and recovery codes have no
 * auth_method there, so they are not Guardian enrollments here (a recommendation: not confirmed).
 */
const AUTH_METHOD: Partial<Record<MfaFactor, string>> = {
  otp: 'authenticator',
  sms: 'sms',
  'push-notification': 'guardian',
  'webauthn-roaming': 'webauthn-roaming',
  'webauthn-platform': 'webauthn-platform',
};
/** The id kinds of those factors (src/mfa/authenticators.ts), to find one by its `dev_…` id. */
const GUARDIAN_KINDS = ['totp', 'sms', 'push', 'webauthn-roaming', 'webauthn-platform'];

export const isGuardianEnrolment = (enrolment: MfaEnrolment): boolean => AUTH_METHOD[enrolment.factor] !== undefined;

/**
 * The stored ids a Guardian enrollment id may name. Auth0's Guardian enrollment ids are `dev_…` (the
 * SDKs' own tests ask for `dev_0000000000000001`), the part after the bar of the MFA API's
 * `totp|dev_…` [I]; the whole authenticator id is taken too.
 */
export function guardianEnrollmentIds(id: string): string[] {
  if (splitId(id)) return [id];
  return /^dev_[A-Za-z0-9]+$/.test(id) ? GUARDIAN_KINDS.map((kind) => `${kind}|${id}`) : [];
}

/**
 * GET /guardian/enrollments/{id} (GetGuardianEnrollmentResponseContent): `{id, status, name?,
 * identifier?, phone_number?, enrolled_at?, last_auth?}`. The phone number is masked as the MFA API
 * masks it (whether Auth0 masks it here is not confirmed); `name` is the push device's name, else the
 * masked number ("usually phone number"). There is no device identifier to show.
 */
export function guardianEnrollmentJson(enrolment: MfaEnrolment): Record<string, unknown> {
  const name = maskedName(enrolment);
  return {
    id: splitId(enrolment.id)?.device ?? enrolment.id,
    status: enrolment.confirmed ? 'confirmed' : 'pending',
    ...(name !== undefined ? { name } : {}),
    ...(enrolment.factor === 'sms' && enrolment.phoneNumber ? { phone_number: maskedName(enrolment) } : {}),
    enrolled_at: enrolment.createdAt,
    ...(enrolment.lastAuthAt ? { last_auth: enrolment.lastAuthAt } : {}),
  };
}

/**
 * GET /users/{id}/enrollments (UsersEnrollment): the Guardian enrollment's fields plus `type` (the
 * authenticator kind, totp / sms / push / webauthn-…: Auth0's values are not confirmed) and
 * `auth_method`, in UsersEnrollment's order.
 */
export function usersEnrollmentJson(enrolment: MfaEnrolment): Record<string, unknown> {
  const { id, status, name, phone_number, enrolled_at, last_auth } = guardianEnrollmentJson(enrolment);
  return {
    id,
    status,
    type: splitId(enrolment.id)?.kind ?? enrolment.factor,
    ...(name !== undefined ? { name } : {}),
    ...(phone_number !== undefined ? { phone_number } : {}),
    auth_method: AUTH_METHOD[enrolment.factor],
    enrolled_at,
    ...(last_auth !== undefined ? { last_auth } : {}),
  };
}

/**
 * What GET /users/{id}/enrollments lists: "the first confirmed enrollment, or a pending enrollment if
 * none are confirmed" (Auth0's maintainers on auth0/auth0-java#407; the API reference: "Retrieve the
 * first ... enrollment that a specific user has confirmed"), so at most one. `enrolments` oldest first.
 */
export function firstGuardianEnrolment(enrolments: readonly MfaEnrolment[]): MfaEnrolment | undefined {
  const guardian = enrolments.filter(isGuardianEnrolment);
  return guardian.find((e) => e.confirmed) ?? guardian[0];
}

// ---- Authentication methods -------------------------------------------------------------------

/** The authentication-method type of each factor (AuthenticationMethodTypeEnum); duo has none. */
const METHOD_TYPE: Partial<Record<MfaFactor, string>> = {
  otp: 'totp',
  sms: 'phone',
  email: 'email',
  'recovery-code': 'recovery-code',
  'push-notification': 'push',
  'webauthn-roaming': 'webauthn-roaming',
  'webauthn-platform': 'webauthn-platform',
};

/**
 * An enrolment as Auth0's authentication method (UserAuthenticationMethod), in the recorded field order
 * (GOREC TestUserManager_AuthenticationMethods.yaml): a phone is `phone|dev_X` and carries its sms
 * authenticator `sms|dev_X` in `authentication_methods`; phone numbers and addresses are masked.
 * Undefined for an enrolment with no such type, and for an unconfirmed one: unconfirmed authenticators
 * "are unavailable via management API (GET /api/v2/users/{id}/authentication-methods)" (Auth0 Support,
 * community.auth0.com/t/95815).
 */
export function authenticationMethodJson(enrolment: MfaEnrolment): Record<string, unknown> | undefined {
  const type = METHOD_TYPE[enrolment.factor];
  if (!type || !enrolment.confirmed) return undefined;
  const device = splitId(enrolment.id)?.device;
  const phone = enrolment.factor === 'sms';
  return {
    id: phone && device ? `phone|${device}` : enrolment.id,
    type,
    confirmed: true,
    ...(enrolment.name !== undefined ? { name: enrolment.name } : {}),
    ...(phone ? { phone_number: maskedName(enrolment) } : {}),
    ...(enrolment.factor === 'email' ? { email: maskedName(enrolment) } : {}),
    created_at: enrolment.createdAt,
    ...(enrolment.lastAuthAt ? { last_auth_at: enrolment.lastAuthAt } : {}),
    ...(phone ? { preferred_authentication_method: 'sms', authentication_methods: [{ id: enrolment.id, type: 'sms' }] } : {}),
  };
}

/** The stored enrolment id an authentication-method id names: `phone|dev_X` is the sms enrolment `sms|dev_X`. */
export function enrolmentIdOfMethod(methodId: string): string {
  const parts = splitId(methodId);
  return parts?.kind === 'phone' ? `sms|${parts.device}` : methodId;
}

/** A passkey in the shape of Auth0's authentication method of type "passkey". */
export function passkeyMethodJson(passkey: Passkey, user: User, rpId: string): Record<string, unknown> {
  return {
    id: `passkey|${passkey.id}`,
    type: 'passkey',
    created_at: passkey.createdAt,
    ...(passkey.lastUsedAt ? { last_auth_at: passkey.lastUsedAt } : {}),
    identity_user_id: user.identities[0]?.user_id ?? user.user_id,
    key_id: passkey.id,
    public_key: passkey.publicKey,
    transports: passkey.transports,
    credential_device_type: passkey.deviceType === 'multiDevice' ? 'multi_device' : 'single_device',
    credential_backed_up: passkey.backedUp,
    aaguid: passkey.aaguid,
    relying_party_identifier: rpId,
  };
}
