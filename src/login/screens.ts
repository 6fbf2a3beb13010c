import type { Transaction } from '../store/records.js';
import type { Connection } from '../tenant/model.js';
import { channelOf, type ChannelName } from '../otp/channel.js';
import { E164 } from '../users/normalize.js';

/**
 * The Universal Login screens as one table: each screen's path (Auth0's, where Auth0 documents one),
 * the view it renders and its guard, the rule that sends a request for it somewhere else. Every URL
 * of the login flow is made here by screenUrl(); the `state` on it is the login transaction.
 */
export type LoginView =
  | 'login'
  | 'login-id'
  | 'login-password'
  | 'login-passwordless-email-code'
  | 'login-passwordless-sms-otp'
  | 'social-consent'
  | 'login-passkey'
  | 'passkey-enrollment'
  | 'signup'
  | 'signup-id'
  | 'signup-password'
  | 'organization-selection'
  | 'organization-picker'
  | 'mfa-begin-enroll-options'
  | 'mfa-login-options'
  | 'mfa-otp-enrollment-qr'
  | 'mfa-otp-challenge'
  | 'mfa-sms-enrollment'
  | 'mfa-sms-challenge'
  | 'mfa-email-challenge'
  | 'mfa-push-welcome'
  | 'mfa-push-enrollment-qr'
  | 'mfa-push-challenge-push'
  | 'mfa-webauthn-enrollment'
  | 'mfa-webauthn-change-key-nickname'
  | 'mfa-webauthn-challenge'
  | 'mfa-recovery-code-enrollment'
  | 'mfa-recovery-code-challenge'
  | 'mfa-recovery-code-challenge-new-code';

export type Screen =
  | 'identifier'
  | 'email-challenge'
  | 'sms-challenge'
  | 'password'
  | 'login'
  | 'passkey'
  | 'passkey-enrollment'
  | 'social'
  | 'signup'
  | 'signup-id'
  | 'organization-selection'
  | 'organization-picker'
  | 'signup-password'
  | MfaScreen
  | 'resume';

/** The second factor's screens, after the login proved the user and before resume (login/second-factor.ts). */
export type MfaScreen =
  | 'mfa-enroll-options'
  | 'mfa-login-options'
  | 'mfa-otp-enrollment'
  | 'mfa-otp-challenge'
  | 'mfa-sms-enrollment'
  | 'mfa-sms-challenge'
  | 'mfa-email-challenge'
  | 'mfa-push-welcome'
  | 'mfa-push-enrollment'
  | 'mfa-push-challenge'
  | 'mfa-webauthn-enrollment'
  | 'mfa-webauthn-nickname'
  | 'mfa-webauthn-challenge'
  | 'mfa-recovery-code-enrollment'
  | 'mfa-recovery-code-challenge'
  | 'mfa-recovery-code-new-code';
/** The screens that render a page (every one but resume). */
export type PageScreen = Exclude<Screen, 'resume'>;

/** The Authentication Profile, as the guards need it. */
export interface LoginProfile {
  identifierFirst: boolean;
  /** Identifier First + Biometrics: passkeys. */
  biometrics: boolean;
}

/** `show`: a GET of the screen; `submit`: a POST to it. A few guards differ between the two. */
export type Intent = 'show' | 'submit';

export interface GuardInput {
  txn: Transaction;
  intent: Intent;
  profile: LoginProfile;
  /** The transaction's connection. */
  connection: Connection | undefined;
}

type Guard = (input: GuardInput) => Screen | undefined;

// A finished step never runs twice: a repeated POST (double click, back button) goes on to resume,
// which issues the response only once.
const done: Guard = ({ txn }) => (txn.authenticated ? 'resume' : undefined);
// The Identifier + Password profile has one login page; Identifier First has the steps.
const onePageProfile: Guard = ({ profile }) => (profile.identifierFirst ? undefined : 'login');
const stepsProfile: Guard = ({ profile }) => (profile.identifierFirst ? 'identifier' : undefined);
const biometricsProfile: Guard = ({ profile }) => (profile.biometrics ? undefined : 'identifier');
const needsIdentifier: Guard = ({ txn }) => (txn.identifier ? undefined : 'identifier');
const first = (...guards: Guard[]): Guard => (input) => {
  for (const guard of guards) {
    const next = guard(input);
    if (next) return next;
  }
  return undefined;
};

// A second factor's screens belong to a proven login that still owes one; once it passed, a new
// recovery code is shown (and confirmed) before resume.
const mfaPending: Guard = ({ txn }) => (!txn.authenticated || !txn.mfa ? 'identifier' : txn.mfa.passedAt !== undefined ? (txn.mfa.recoveryCode ? 'mfa-recovery-code-enrollment' : 'resume') : undefined);
const mfaPassedWithNewCode: Guard = ({ txn }) => (!txn.authenticated || !txn.mfa ? 'identifier' : txn.mfa.passedAt === undefined ? 'mfa-login-options' : txn.mfa.recoveryCode ? undefined : 'resume');

/** Sign-up belongs to a database connection open to it, before the login proved anyone. */
const signupOpen: Guard = ({ connection }) => (connection?.kind === 'database' && !connection.disableSignup ? undefined : 'identifier');
// Sign-up as the profile has it: one page (Identifier + Password), or signup-id then signup-password.
const signupOnePage: Guard = ({ profile }) => (profile.identifierFirst ? 'signup-id' : undefined);
const signupSteps: Guard = ({ profile }) => (profile.identifierFirst ? undefined : 'signup');

/** The challenge belongs to the connection the identifier was sent on; anything else goes back to login-id. */
const challengeGuard = (channel: ChannelName): Guard => ({ txn, connection }) => {
  // A database connection takes its codes on the passwordless challenges too: email_otp's by email, phone_otp's by SMS.
  const phone = E164.test(txn.identifier ?? '');
  const own =
    connection?.kind === 'passwordless' ? CHALLENGE[channelOf(connection).name]
    : connection?.kind === 'database' && (phone ? connection.authenticationMethods.phoneOtp : connection.authenticationMethods.emailOtp) ? CHALLENGE[phone ? 'sms' : 'email']
    : undefined;
  if (txn.identifier && own === CHALLENGE[channel]) return undefined;
  return txn.identifier && own ? own : 'identifier';
};

const SCREENS: { [S in Screen]: { path: string; view: S extends PageScreen ? LoginView : undefined; guard: Guard } } = {
  // Shown again after a finished step (the guard is only on its POST).
  identifier: {
    path: '/u/login/identifier',
    view: 'login-id',
    guard: (input) => (input.intent === 'show' ? onePageProfile : first(done, onePageProfile))(input),
  },
  'email-challenge': { path: '/u/login/passwordless-email-challenge', view: 'login-passwordless-email-code', guard: first(done, challengeGuard('email')) },
  'sms-challenge': { path: '/u/login/passwordless-sms-challenge', view: 'login-passwordless-sms-otp', guard: first(done, challengeGuard('sms')) },
  password: {
    path: '/u/login/password',
    view: 'login-password',
    guard: (input) => (input.intent === 'show' ? first(onePageProfile, needsIdentifier, done) : first(done, onePageProfile))(input),
  },
  // Identifier + Password profile: identifier and password on one page.
  login: { path: '/u/login', view: 'login', guard: first(stepsProfile, done) },
  // The passkey challenge after the identifier of a user with a passkey (Understudy's path; Auth0's is not documented).
  passkey: { path: '/u/login/passkey', view: 'login-passkey', guard: first(done, biometricsProfile, needsIdentifier) },
  // Auth0's passkey-enrollment prompt, after a password login with Identifier First + Biometrics: its
  // transaction is already authenticated, and it ends (created or skipped) at resume.
  'passkey-enrollment': {
    path: '/u/passkey-enrollment',
    view: 'passkey-enrollment',
    guard: ({ txn, profile }) => (txn.authenticated && profile.biometrics ? undefined : txn.authenticated ? 'resume' : 'identifier'),
  },
  // Sign-up on the database connection (Auth0's signup-id and signup-password prompts).
  // Organizations' prompts: which organization, before the login (pre_login_prompt) or after it (post_login_prompt).
  'organization-selection': { path: '/u/organization-selection', view: 'organization-selection', guard: first(done, ({ txn }) => (txn.organization ? 'identifier' : undefined)) },
  'organization-picker': { path: '/u/organization-picker', view: 'organization-picker', guard: ({ txn }) => (!txn.authenticated ? 'identifier' : txn.organization ? 'resume' : undefined) },
  signup: { path: '/u/signup', view: 'signup', guard: first(done, signupOpen, signupOnePage) },
  'signup-id': { path: '/u/signup/identifier', view: 'signup-id', guard: first(done, signupOpen, signupSteps) },
  'signup-password': { path: '/u/signup/password', view: 'signup-password', guard: first(done, signupOpen, signupSteps, ({ txn }) => (txn.identifier ? undefined : 'signup-id')) },
  // The mock social provider's consent page.
  social: { path: '/u/login/social', view: 'social-consent', guard: done },
  // The second factor, at Auth0's paths (docs/research/auth0-mfa.md §3.1); the views are Auth0's screen names.
  'mfa-enroll-options': { path: '/u/mfa-begin-enroll-options', view: 'mfa-begin-enroll-options', guard: mfaPending },
  'mfa-login-options': { path: '/u/mfa-login-options', view: 'mfa-login-options', guard: mfaPending },
  'mfa-otp-enrollment': { path: '/u/mfa-otp-enrollment', view: 'mfa-otp-enrollment-qr', guard: mfaPending },
  'mfa-otp-challenge': { path: '/u/mfa-otp-challenge', view: 'mfa-otp-challenge', guard: mfaPending },
  'mfa-sms-enrollment': { path: '/u/mfa-sms-enrollment', view: 'mfa-sms-enrollment', guard: mfaPending },
  'mfa-sms-challenge': { path: '/u/mfa-sms-challenge', view: 'mfa-sms-challenge', guard: mfaPending },
  'mfa-email-challenge': { path: '/u/mfa-email-challenge', view: 'mfa-email-challenge', guard: mfaPending },
  // Auth0 shows the welcome and the QR code at /u/mfa-push-enrollment; here each has a path of its own.
  'mfa-push-welcome': { path: '/u/mfa-push-welcome', view: 'mfa-push-welcome', guard: mfaPending },
  'mfa-push-enrollment': { path: '/u/mfa-push-enrollment', view: 'mfa-push-enrollment-qr', guard: mfaPending },
  'mfa-push-challenge': { path: '/u/mfa-push-challenge', view: 'mfa-push-challenge-push', guard: mfaPending },
  // A security key (webauthn-roaming) or the device's biometrics (webauthn-platform): one screen each for both.
  'mfa-webauthn-enrollment': { path: '/u/mfa-webauthn-enrollment', view: 'mfa-webauthn-enrollment', guard: mfaPending },
  'mfa-webauthn-nickname': { path: '/u/mfa-webauthn-change-key-nickname', view: 'mfa-webauthn-change-key-nickname', guard: mfaPending },
  'mfa-webauthn-challenge': { path: '/u/mfa-webauthn-challenge', view: 'mfa-webauthn-challenge', guard: mfaPending },
  'mfa-recovery-code-challenge': { path: '/u/mfa-recovery-code-challenge', view: 'mfa-recovery-code-challenge', guard: mfaPending },
  // Shown once the factor passed: the first enrolment's recovery code, or the one replacing a used code.
  'mfa-recovery-code-enrollment': { path: '/u/mfa-recovery-code-enrollment', view: 'mfa-recovery-code-enrollment', guard: mfaPassedWithNewCode },
  'mfa-recovery-code-new-code': { path: '/u/mfa-recovery-code-challenge-new-code', view: 'mfa-recovery-code-challenge-new-code', guard: mfaPassedWithNewCode },
  // Not a screen: where an authenticated login gets its response, once.
  resume: { path: '/authorize/resume', view: undefined, guard: () => undefined },
};

/**
 * Not a screen: what the push screens poll, with the login's `state`, until the device answered
 * (`{"status":"pending"|"approved"|"rejected"|…}`); the page then posts its form.
 */
export const PUSH_STATUS_PATH = '/u/mfa-push-status';

/**
 * Not in the login's screen table: the reset-password request ("Forgot password?" on the password
 * screen, with the login's `state`), whose pages routes/reset-password.ts serves.
 */
export const RESET_REQUEST_PATH = '/u/reset-password/request';

/** The challenge screen of each channel. */
export const CHALLENGE = { email: 'email-challenge', sms: 'sms-challenge' } as const satisfies Record<ChannelName, Screen>;

export const screenPath = (screen: Screen): string => SCREENS[screen].path;
export const isMfaScreen = (screen: Screen): screen is MfaScreen => screen.startsWith('mfa-');
const SCREEN_PATHS = new Set([...Object.values(SCREENS).map((s) => s.path), PUSH_STATUS_PATH, RESET_REQUEST_PATH]);
/** Whether a path (or a path with a query) is one of the login screens or the resume step, whose `state` names a transaction. */
export const isScreenPath = (path: string): boolean => SCREEN_PATHS.has(path.split('?')[0]!);
export const screenView = (screen: PageScreen): LoginView => SCREENS[screen].view;

/** The URL of a screen for this login; the social screen also names its connection. */
export function screenUrl(screen: Screen, txn: Pick<Transaction, 'id'>, query: { connection?: string } = {}): string {
  const connection = query.connection === undefined ? '' : `&connection=${encodeURIComponent(query.connection)}`;
  return `${SCREENS[screen].path}?state=${encodeURIComponent(txn.id)}${connection}`;
}

/** Where a request for `screen` goes instead, or undefined when the screen may be shown or submitted. Pure. */
export function nextStep(screen: Screen, input: GuardInput): Screen | undefined {
  return SCREENS[screen].guard(input);
}
