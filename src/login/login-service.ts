import type { Eta } from 'eta';
import type { Session, Transaction, User } from '../store/records.js';
import { findClient, findConnection, type Connection, type Tenant } from '../tenant/model.js';
import { enabledConnections } from '../tenant/connection-rules.js';
import { normalizeEmail, normalizeIdentifier } from '../otp/identifiers.js';
import type { OtpService, OtpVerification } from '../otp/otp-service.js';
import type { Outbox } from '../otp/outbox.js';
import { composeMessage } from '../otp/message-templates.js';
import { BLOCKED_SCREEN_TEXT, type BruteForceGuard } from './brute-force.js';
import { DeliveryError } from '../dev/delivery-faults.js';
import type { UserService } from '../users/user-service.js';
import type { AuthorizationService } from './authorization-service.js';
import { PASSKEY_TEXT, type PasskeyService } from './passkeys.js';

/**
 * What each Universal Login screen does with what the user typed, without any HTTP: the routes turn
 * a ScreenOutcome into a redirect or into the same screen shown again with its error.
 */
export type ScreenOutcome =
  | { kind: 'redirect'; location: string; session?: Session }
  | { kind: 'retry'; error: string; status: number; notice?: undefined }
  | { kind: 'notice'; notice: string };

export const SCREEN_TEXT = {
  invalidEmail: 'Email is not valid.',
  invalidPhone: 'Phone number is not valid.',
  wrongCode: 'The code you entered is invalid',
  expiredCode: 'The code you entered has expired. Select Resend to get a new one.',
  tooManyAttempts: "You've reached the maximum number of attempts. Please try to login again.",
  signupDisabled: 'Sign ups are not allowed for this connection.',
  blocked: 'Your account has been blocked. Contact the administrator of this application.',
  wrongPassword: 'Wrong email or password',
  codeResent: 'We sent a new code. Only the newest code works.',
  emailNotSent: "We couldn't send the email. Please try again.",
  smsNotSent: "We couldn't send the text message. Please try again.",
  unknownConnection: 'That sign-in option is not available for this application.',
  // Understudy's wording; Auth0's text for this case is not documented.
  tooManyRequests: 'Too many requests from here or for this address. Wait a while, then try again.',
} as const;

export interface LoginService {
  submitIdentifier(txn: Transaction, form: { username?: string | undefined; connection?: string | undefined }): Promise<ScreenOutcome>;
  resendCode(txn: Transaction): Promise<ScreenOutcome>;
  submitCode(txn: Transaction, code: string): Promise<ScreenOutcome>;
  /** `ip`: the caller's address, for brute-force protection (login/brute-force.ts). */
  submitPassword(txn: Transaction, password: string, ip: string): Promise<ScreenOutcome>;
  submitSocial(txn: Transaction, connectionName: string, profile: { email?: string | undefined; name?: string | undefined }): Promise<ScreenOutcome>;
  /** Identifier + Password profile: the single-page `login` screen. */
  submitLogin(txn: Transaction, form: { username?: string | undefined; password?: string | undefined }, ip: string): Promise<ScreenOutcome>;
  /**
   * A `passkey` assertion (JSON), from login-id (any of the tenant's passkeys) or from the passkey
   * challenge after the identifier (`forIdentifier`: only that user's passkeys).
   */
  submitPasskey(txn: Transaction, field: string | undefined, forIdentifier: boolean): Promise<ScreenOutcome>;
  /** passkey-enrollment: the `passkey` field (JSON of the new credential), or undefined to skip. */
  enrolPasskey(txn: Transaction, field: string | undefined): Promise<ScreenOutcome>;
}

export function challengePath(connection: Connection, txnId: string): string {
  const screen = connection.strategy === 'sms' ? 'passwordless-sms-challenge' : 'passwordless-email-challenge';
  return `/u/login/${screen}?state=${encodeURIComponent(txnId)}`;
}

/** Auth0's passkey-enrollment prompt, offered after a password login with Identifier First + Biometrics. */
export const PASSKEY_ENROLLMENT_PATH = '/u/passkey-enrollment';
/** The passkey challenge after the identifier of a user with a passkey (Understudy's path; Auth0's is not documented). */
export const PASSKEY_CHALLENGE_PATH = '/u/login/passkey';

export function createLoginService(deps: {
  tenant: Tenant;
  eta: Eta;
  otp: OtpService;
  outbox: Outbox;
  users: UserService;
  authorization: AuthorizationService;
  passkeys: PasskeyService;
  bruteForce: BruteForceGuard;
}): LoginService {
  const { tenant, eta, otp, outbox, users, authorization, passkeys, bruteForce } = deps;
  const biometrics = tenant.prompts.webauthnPlatformFirstFactor;
  const retry = (error: string, status = 400): ScreenOutcome => ({ kind: 'retry', error, status });
  const state = (txn: Transaction): string => encodeURIComponent(txn.id);

  /** Sends a new code; a delivery failure becomes the screen's error instead of a crash. */
  async function trySendCode(txn: Transaction, connection: Connection, recipient: string): Promise<ScreenOutcome | undefined> {
    try {
      await sendCode(txn, connection, recipient);
      return undefined;
    } catch (err) {
      if (!(err instanceof DeliveryError)) throw err;
      return retry(err.channel === 'sms' ? SCREEN_TEXT.smsNotSent : SCREEN_TEXT.emailNotSent, 502);
    }
  }

  async function sendCode(txn: Transaction, connection: Connection, recipient: string): Promise<void> {
    const issued = await otp.issue({
      connection: connection.name,
      recipient,
      length: connection.otp.length,
      ttlSeconds: connection.otp.timeStepSeconds,
    });
    const client = findClient(tenant, txn.clientId);
    await outbox.send(composeMessage(eta, { tenant, client, connection, to: recipient, code: issued.code, link: null, expiresAt: issued.expiresAt }));
  }

  /** `offerPasskey`: a password login with Identifier First + Biometrics goes by passkey-enrollment when the user has none. */
  async function finish(txn: Transaction, user: User, offerPasskey = false): Promise<ScreenOutcome> {
    if (user.blocked) return retry(SCREEN_TEXT.blocked, 401);
    await users.recordLogin(user.user_id);
    const session = await authorization.authenticate(txn, user);
    const enrol = offerPasskey && biometrics && !(await passkeys.hasPasskey(user.user_id));
    return { kind: 'redirect', location: enrol ? `${PASSKEY_ENROLLMENT_PATH}?state=${state(txn)}` : `/authorize/resume?state=${state(txn)}`, session };
  }

  const connectionOf = (txn: Transaction): Connection | undefined => findConnection(tenant, txn.connection);

  /** A password check behind brute-force protection: blocked identifiers are refused before the password is looked at. */
  async function checkPassword(connection: Connection, email: string, password: string, ip: string): Promise<{ ok: true; user: User } | { ok: false; outcome: ScreenOutcome }> {
    const guarded = connection.bruteForceProtection;
    if (guarded && bruteForce.isBlocked(connection.name, email, ip)) return { ok: false, outcome: retry(BLOCKED_SCREEN_TEXT, 429) };
    const user = await users.checkPassword(connection, email, password);
    if (user) {
      if (guarded) bruteForce.recordSuccess(connection.name, email, ip);
      return { ok: true, user };
    }
    if (!guarded) return { ok: false, outcome: retry(SCREEN_TEXT.wrongPassword) };
    // The failure that reaches the threshold is still answered as a wrong password; the block shows from the next attempt on.
    bruteForce.recordFailure(connection.name, email, ip);
    return { ok: false, outcome: retry(SCREEN_TEXT.wrongPassword) };
  }

  const verificationError: Record<Exclude<OtpVerification, { ok: true }>['reason'], string> = {
    wrong_code: SCREEN_TEXT.wrongCode,
    no_code: SCREEN_TEXT.wrongCode,
    expired: SCREEN_TEXT.expiredCode,
    too_many_attempts: SCREEN_TEXT.tooManyAttempts,
  };

  return {
    async submitIdentifier(txn, form) {
      const client = findClient(tenant, txn.clientId);
      if (form.connection) {
        const social = client && enabledConnections(tenant, client).find((c) => c.name === form.connection && c.kind === 'social');
        if (!social) return retry(SCREEN_TEXT.unknownConnection);
        return { kind: 'redirect', location: `/u/login/social?state=${state(txn)}&connection=${encodeURIComponent(social.name)}` };
      }
      const connection = connectionOf(txn);
      if (!connection) return retry(SCREEN_TEXT.unknownConnection);
      const input = form.username ?? '';

      if (connection.kind === 'database') {
        const email = normalizeEmail(input);
        if (!email) return retry(SCREEN_TEXT.invalidEmail);
        await authorization.remember(txn, email);
        const withPasskey = biometrics && (await passkeys.userWithPasskey(connection.name, email));
        return { kind: 'redirect', location: `${withPasskey ? PASSKEY_CHALLENGE_PATH : '/u/login/password'}?state=${state(txn)}` };
      }

      const strategy = connection.strategy === 'sms' ? 'sms' : 'email';
      const recipient = normalizeIdentifier(strategy, input, 'US');
      if (!recipient) return retry(strategy === 'sms' ? SCREEN_TEXT.invalidPhone : SCREEN_TEXT.invalidEmail);
      const existing = await users.findPasswordlessUser(connection, recipient);
      if (!existing && connection.disableSignup) return retry(SCREEN_TEXT.signupDisabled);
      if (existing?.blocked) return retry(SCREEN_TEXT.blocked, 401);
      const failed = await trySendCode(txn, connection, recipient);
      if (failed) return failed;
      await authorization.remember(txn, recipient);
      return { kind: 'redirect', location: challengePath(connection, txn.id) };
    },

    async resendCode(txn) {
      const connection = connectionOf(txn);
      if (!connection || !txn.identifier) return retry(SCREEN_TEXT.wrongCode);
      return (await trySendCode(txn, connection, txn.identifier)) ?? { kind: 'notice', notice: SCREEN_TEXT.codeResent };
    },

    async submitCode(txn, code) {
      const connection = connectionOf(txn);
      if (!connection || !txn.identifier) return retry(SCREEN_TEXT.wrongCode);
      const result = await otp.verify({ connection: connection.name, recipient: txn.identifier, code });
      if (!result.ok) return retry(verificationError[result.reason], result.reason === 'too_many_attempts' ? 429 : 400);
      const user = await users.passwordlessUser(connection, txn.identifier);
      if (!user) return retry(SCREEN_TEXT.signupDisabled);
      return finish(txn, user);
    },

    async submitPassword(txn, password, ip) {
      const connection = connectionOf(txn);
      if (!connection || connection.kind !== 'database' || !txn.identifier) return retry(SCREEN_TEXT.wrongPassword);
      const user = await checkPassword(connection, txn.identifier, password, ip);
      if (!user.ok) return user.outcome;
      return finish(txn, user.user, true);
    },

    async submitLogin(txn, form, ip) {
      const connection = connectionOf(txn);
      if (!connection || connection.kind !== 'database') return retry(SCREEN_TEXT.unknownConnection);
      const email = normalizeEmail(form.username ?? '');
      if (!email) return retry(SCREEN_TEXT.invalidEmail);
      await authorization.remember(txn, email);
      const user = await checkPassword(connection, email, form.password ?? '', ip);
      if (!user.ok) return user.outcome;
      return finish(txn, user.user);
    },

    async submitPasskey(txn, field, forIdentifier) {
      const connection = connectionOf(txn);
      if (!biometrics || !connection || connection.kind !== 'database') return retry(SCREEN_TEXT.unknownConnection);
      let owner: User | undefined;
      if (forIdentifier) {
        owner = txn.identifier ? await passkeys.userWithPasskey(connection.name, txn.identifier) : undefined;
        if (!owner) return retry(PASSKEY_TEXT.unknown);
      }
      const result = await passkeys.authenticate(txn, field, owner?.user_id);
      if (!result.ok) return retry(result.error);
      const user = owner ?? (await passkeys.user(result.userId));
      // A passkey of another connection's user (or of a deleted user) does not log in here.
      if (!user || user.connection !== connection.name) return retry(PASSKEY_TEXT.unknown);
      if (!owner && user.email) await authorization.remember(txn, user.email);
      return finish(txn, user);
    },

    async enrolPasskey(txn, field) {
      const resume = { kind: 'redirect', location: `/authorize/resume?state=${state(txn)}` } as const;
      const user = txn.authenticated && (await passkeys.user(txn.authenticated.userId));
      if (!user || field === undefined) return resume;
      const result = await passkeys.register(txn, user, field);
      return result.ok ? resume : retry(result.error);
    },

    async submitSocial(txn, connectionName, profile) {
      const client = findClient(tenant, txn.clientId);
      const connection = client && enabledConnections(tenant, client).find((c) => c.name === connectionName && c.kind === 'social');
      if (!connection) return retry(SCREEN_TEXT.unknownConnection);
      const email = normalizeEmail(profile.email ?? '');
      if (!email) return retry(SCREEN_TEXT.invalidEmail);
      const user = await users.socialUser(connection, { email, name: profile.name?.trim() || undefined });
      await authorization.remember(txn, email, connection.name);
      return finish({ ...txn, connection: connection.name }, user);
    },
  };
}
