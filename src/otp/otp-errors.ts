import type { OtpVerification } from './otp-service.js';

/**
 * Auth0's descriptions for a refused one-time code at the API (the OTP grant and magic links).
 * SDKs match on them (Auth0.Android's isInvalidCredentials, for one), so they are kept exact.
 */
export const OTP_ERRORS = {
  wrongEmail: 'Wrong email or verification code.',
  wrongPhone: 'Wrong phone number or verification code.',
  expired: 'The verification code has expired. Please try to login again.',
  tooManyAttempts: "You've reached the maximum number of attempts. Please try to login again.",
} as const;

export type OtpFailure = Exclude<OtpVerification, { ok: true }>['reason'] | 'malformed';

export function otpFailureDescription(reason: OtpFailure, strategy: 'email' | 'sms'): string {
  if (reason === 'expired') return OTP_ERRORS.expired;
  if (reason === 'too_many_attempts') return OTP_ERRORS.tooManyAttempts;
  return strategy === 'sms' ? OTP_ERRORS.wrongPhone : OTP_ERRORS.wrongEmail;
}
