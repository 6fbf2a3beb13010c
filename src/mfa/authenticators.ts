import { createHash } from 'node:crypto';
import type { Random } from '../random.js';
import type { MfaEnrolment, MfaFactor, User } from '../store/records.js';

/** The kind part of Auth0's authenticator ids (`totp|dev_…`, `sms|dev_…`): the factor as Guardian names devices. */
const ID_KIND: Record<MfaFactor, string> = {
  otp: 'totp',
  sms: 'sms',
  email: 'email',
  'recovery-code': 'recovery-code',
  'push-notification': 'push',
  'webauthn-roaming': 'webauthn-roaming',
  'webauthn-platform': 'webauthn-platform',
  duo: 'duo',
};

/** A new authenticator id: `<kind>|dev_` and 16 characters, as Auth0's MFA API shows them. */
export const authenticatorId = (factor: MfaFactor, random: Random): string => `${ID_KIND[factor]}|dev_${random.hex(8)}`;

/** A recovery code as Auth0 makes one: 24 upper-case letters and digits. */
export const newRecoveryCode = (random: Random): string => random.hex(12).toUpperCase();

/**
 * Auth0 lists every verified email of a user as an authenticator when the email factor is on, with
 * nothing to enrol. Understudy derives it from the user, with an id stable for that user and address.
 */
export function emailAuthenticator(user: User): MfaEnrolment | undefined {
  if (!user.email || !user.email_verified) return undefined;
  const id = createHash('sha256').update(`${user.user_id}\u0000${user.email}`).digest('hex').slice(0, 16);
  return { id: `email|dev_${id}`, userId: user.user_id, factor: 'email', confirmed: true, email: user.email, createdAt: user.created_at };
}

/** How Auth0 shows a phone number or an address it sends codes to: `XXXXXXXXX9167`, `****@exam*******`. */
export function maskedName(enrolment: MfaEnrolment): string | undefined {
  if (enrolment.factor === 'sms' && enrolment.phoneNumber) return `${'X'.repeat(Math.max(0, enrolment.phoneNumber.length - 4))}${enrolment.phoneNumber.slice(-4)}`;
  if (enrolment.factor === 'email' && enrolment.email) {
    const [local = '', domain = ''] = enrolment.email.split('@');
    return `${'*'.repeat(local.length)}@${domain.slice(0, 4)}${'*'.repeat(Math.max(0, domain.length - 4))}`;
  }
  return enrolment.name;
}
