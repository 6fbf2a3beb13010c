import type { ChannelName } from './channel.js';
import type { CodeRefusal } from './passwordless-codes.js';

/**
 * Auth0's descriptions for a refused one-time code at the API (the OTP grant and magic links).
 * SDKs match on them (Auth0.Android's isInvalidCredentials, for one), so they are kept exact.
 */
export const OTP_ERRORS = {
  wrongEmail: 'Wrong email or verification code.',
  wrongPhone: 'Wrong phone number or verification code.',
  expired: 'The verification code has expired. Please try to login again.',
  tooManyAttempts: "You've reached the maximum number of attempts. Please try to login again.",
  /** Also /passwordless/start's words for a new recipient on such a connection. */
  signupDisabled: 'Signups are disabled for this connection.',
} as const;

const WRONG_CODE: Record<ChannelName, string> = { email: OTP_ERRORS.wrongEmail, sms: OTP_ERRORS.wrongPhone };

/** A code refused before the user is known; `malformed`: no code, or a recipient the channel cannot read. */
export type OtpFailure = Exclude<CodeRefusal, 'signup_disabled' | 'blocked'> | 'malformed';

export function otpFailureDescription(reason: OtpFailure, channel: ChannelName): string {
  if (reason === 'expired') return OTP_ERRORS.expired;
  if (reason === 'too_many_attempts') return OTP_ERRORS.tooManyAttempts;
  return WRONG_CODE[channel];
}
