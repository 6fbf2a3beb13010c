import { BLOCKED_SCREEN_TEXT } from '../users/brute-force.js';

/**
 * Why a login screen did not move on, and what the screen then says: each refusal's text (Auth0's
 * Universal Login wording where Auth0 documents it) and the status of the screen shown again with it.
 * The login steps answer with a reason; this table is the one place that words it.
 *
 * `code` is the `data-error-code` Auth0's pages put on the field error (where seen on Auth0's own
 * markup), which tests select. `field` is the input a refusal belongs under on the Identifier +
 * Password page, which has two; the one-field screens show every refusal under their field.
 */
type Field = 'username' | 'email' | 'password';
export const SCREEN_REFUSALS = {
  invalid_email: { text: 'Email is not valid.', status: 400, field: 'username' },
  invalid_phone: { text: 'Phone number is not valid.', status: 400 },
  // A connection with requires_username; Understudy's wording.
  invalid_identifier: { text: 'Email or username is not valid.', status: 400, field: 'username' },
  wrong_code: { text: 'The code you entered is invalid', status: 400, code: 'invalid-code' },
  expired: { text: 'The code you entered has expired. Select Resend to get a new one.', status: 400 },
  too_many_attempts: { text: "You've reached the maximum number of attempts. Please try to login again.", status: 429 },
  signup_disabled: { text: 'Sign ups are not allowed for this connection.', status: 400 },
  /** pre-user-registration refused the sign-up; the screen shows the action's own message instead when it gave one. */
  signup_refused: { text: 'We could not sign you up.', status: 400 },
  blocked: { text: 'Your account has been blocked. Contact the administrator of this application.', status: 401 },
  wrong_password: { text: 'Wrong email or password', status: 400, code: 'wrong-email-credentials', field: 'password' },
  /** Brute-force protection: this identifier is blocked from this address. */
  identifier_blocked: { text: BLOCKED_SCREEN_TEXT, status: 429, field: 'password' },
  email_not_sent: { text: "We couldn't send the email. Please try again.", status: 502 },
  sms_not_sent: { text: "We couldn't send the text message. Please try again.", status: 502 },
  unknown_connection: { text: 'That sign-in option is not available for this application.', status: 400 },
  // Understudy's wording; Auth0's text for this case is not documented.
  too_many_requests: { text: 'Too many requests from here or for this address. Wait a while, then try again.', status: 429 },
  passkey_failed: { text: "We couldn't verify your passkey. Try again, or use your password.", status: 400 },
  passkey_unknown: { text: 'This passkey is not registered for this account.', status: 400 },
  passkey_not_created: { text: "We couldn't create your passkey. Try again, or continue without one.", status: 400 },
  // The second factor's screens, in Auth0's words and error keys (docs/research/auth0-mfa.md §3.4).
  // Sign-up (Auth0's signup-id and signup-password error keys, docs/research/auth0-database-connections.md §5).
  // The organization-selection screen (Auth0's organizations prompt, docs/research/auth0-organizations.md §4.4).
  invalid_organization: { text: 'The organization you entered is invalid', status: 400, code: 'invalid-organization' },
  signup_invalid_email: { text: 'Email is not valid.', status: 400, field: 'email' },
  signup_no_email: { text: 'Please enter an email address', status: 400, code: 'no-email', field: 'email' },
  signup_no_username: { text: 'Username is required', status: 400, code: 'no-username', field: 'username' },
  signup_invalid_username: { text: 'The username has invalid characters.', status: 400, code: 'invalid-username-invalid-characters', field: 'username' },
  signup_no_password: { text: 'Password is required', status: 400, code: 'no-password', field: 'password' },
  signup_password_too_weak: { text: 'The password is too weak', status: 400, code: 'password-too-weak', field: 'password' },
  signup_password_personal: { text: 'Password contains user information', status: 400, code: 'password-contains-user-information', field: 'password' },
  signup_password_common: { text: 'The password is too common', status: 400, code: 'password-too-common', field: 'password' },
  signup_email_in_use: { text: 'The user already exists.', status: 400, code: 'email-in-use', field: 'email' },
  mfa_invalid_code: { text: 'The code you entered is invalid', status: 400, code: 'invalid-code' },
  mfa_invalid_recovery_code: { text: 'The code you entered is invalid', status: 400, code: 'invalid-code' },
  mfa_no_code: { text: 'Please enter a code', status: 400, code: 'no-code' },
  mfa_too_many_failures: { text: 'Too many failed codes. Wait for some minutes before retrying.', status: 429, code: 'too-many-failures' },
  mfa_not_sent: { text: "We couldn't send the code. Please try again later.", status: 502, code: 'authenticator-error' },
  mfa_no_phone: { text: 'Please enter a phone number', status: 400, code: 'no-phone' },
  mfa_invalid_phone: { text: 'Seems that your phone number is not valid. Please check and retry.', status: 400, code: 'invalid-phone' },
  mfa_no_confirmation: { text: 'Please confirm you have recorded the code', status: 400, code: 'no-confirmation' },
  mfa_push_enrollment_pending: { text: 'You must scan the QR code with the Auth0 Guardian app on your mobile device.', status: 400, code: 'enrollment-transaction-pending' },
  mfa_push_pending: { text: 'You must accept the notification via the Auth0 Guardian app on your mobile device.', status: 400, code: 'challenge-transaction-pending' },
  mfa_push_rejected: { text: 'Notification rejected', status: 400, code: 'transaction-rejected' },
  mfa_webauthn_failed: { text: 'Something went wrong. Please try again or try using another method.', status: 400, code: 'webauthn-error' },
  mfa_webauthn_not_registered: { text: 'We could not start the security key enrollment. Please try again later.', status: 400, code: 'webauthn-associate-error' },
  mfa_no_nickname: { text: 'Name is required', status: 400, code: 'no-nickname' },
  mfa_nickname_too_long: { text: 'Name is too long', status: 400, code: 'nickname-too-long' },
} as const satisfies Record<string, { text: string; status: number; code?: string; field?: Field }>;

export type Refusal = keyof typeof SCREEN_REFUSALS;

/** What a screen says when it moved on without refusing (shown with 200). */
export const SCREEN_NOTICES = {
  code_resent: 'We sent a new code. Only the newest code works.',
  // Understudy's wording: Auth0's screen shows no text after a resend.
  push_resent: 'We sent a new notification. Only the newest one counts.',
} as const;

export type Notice = keyof typeof SCREEN_NOTICES;
