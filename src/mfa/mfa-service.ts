import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { MfaEnrolment, MfaFactor, User } from '../store/records.js';
import type { MfaEnrolmentStore, TransactionStore } from '../store/types.js';
import type { Tenant } from '../tenant/model.js';
import type { OtpService } from '../otp/otp-service.js';
import type { Outbox } from '../otp/outbox.js';
import { DeliveryError } from '../dev/delivery-faults.js';
import type { MfaDemand } from './mfa-demand.js';
import { base32Encode, otpauthUri, totpStep } from './totp.js';
import { MFA_CODE_LENGTH, MFA_CODE_TTL_SECONDS, mfaMessage } from './mfa-messages.js';
import { createCodeLimits, type CodeLimits } from './code-limits.js';
import { authenticatorId, emailAuthenticator, newRecoveryCode } from './authenticators.js';
import { pushNotifications, type PushNotifications } from './push-notifications.js';
import { createWebAuthnFactor, type WebAuthnFactor } from './webauthn-factor.js';

/**
 * The second factor, whoever asks for it (the Universal Login screens, the MFA API): a user's
 * factors, enrolment, sending a code, and checking one under Auth0's limits. Factors:
 * - otp: an authenticator app's TOTP, enrolled by scanning the secret (./totp.ts);
 * - sms: a code to a phone number the user enrols, sent to the dev mailbox;
 * - email: a code to the user's verified email, which counts as enrolled (Auth0 lists every verified
 *   email as an authenticator);
 * - recovery-code: one 24-character code, made with the first enrolment, replaced when used;
 * - push-notification: the Guardian app's notifications, answered by the dev plane (./push-notifications.ts);
 * - webauthn-roaming and webauthn-platform: a security key or the device's biometrics (./webauthn-factor.ts).
 */
export type MfaCheck = { ok: true; enrolment: MfaEnrolment } | { ok: false; reason: MfaRefusal };
/** `invalid_code`: wrong, expired or used; `too_many_failures`: the user's bucket of tries is empty. */
export type MfaRefusal = 'invalid_code' | 'too_many_failures' | 'delivery_failed';

export interface MfaService extends Omit<PushNotifications, 'beginPush'> {
  /** The enrolments a login with this demand can be challenged with: confirmed, of the demand's factors (a verified email included). */
  challengeable(user: User, demand: Pick<MfaDemand, 'factors'>): Promise<MfaEnrolment[]>;
  /** The factors of the demand a user can enrol in here (a recovery code comes with the first, email needs none). */
  enrollable(demand: Pick<MfaDemand, 'factors'>): MfaFactor[];
  /** Every enrolment of the user, confirmed or not, with the verified email when the email factor is on. */
  enrolments(user: User): Promise<MfaEnrolment[]>;
  /** A new, unconfirmed otp enrolment with its secret and the URI an authenticator app scans. */
  beginOtp(user: User): Promise<{ enrolment: MfaEnrolment; uri: string }>;
  /** The `otpauth://` URI of an otp enrolment, as /mfa/associate returns it (`barcode_uri`). */
  otpUri(user: User, enrolment: MfaEnrolment): string;
  /** A new, unconfirmed push enrolment and the URI its QR code carries (the Guardian app's enrolment link). */
  beginPush(user: User): Promise<{ enrolment: MfaEnrolment; uri: string }>;
  /** The enrolment URI of a push enrolment: its TOTP secret, the enrolment transaction and the tenant's address. */
  pushUri(user: User, enrolment: MfaEnrolment): string;
  /** A new, unconfirmed sms enrolment for `phoneNumber` (E.164); its first code is sent. */
  beginSms(user: User, phoneNumber: string, clientId: string | null): Promise<{ ok: true; enrolment: MfaEnrolment } | { ok: false; reason: 'delivery_failed' }>;
  /** Sends a code to an sms or email enrolment (a challenge, or a resend). */
  sendCode(enrolment: MfaEnrolment, clientId: string | null): Promise<{ ok: true } | { ok: false; reason: 'delivery_failed' }>;
  /**
   * Checks a code against an enrolment (otp: the app's code now; sms and email: the code sent). A
   * right code confirms a pending enrolment and records the use; a wrong one takes a try from the
   * user's bucket.
   */
  verify(user: User, enrolment: MfaEnrolment, code: string): Promise<MfaCheck>;
  /** The WebAuthn ceremonies' options and enrolment (webauthn-roaming, webauthn-platform). */
  readonly webauthn: Omit<WebAuthnFactor, 'authenticate' | 'rename'>;
  /** Names a WebAuthn enrolment (the key's nickname). */
  rename(enrolment: MfaEnrolment, name: string): Promise<void>;
  /** Checks a WebAuthn assertion for this login's challenge; a failure takes a try from the user's bucket. */
  verifyWebAuthn(txnId: string, user: User, field: string | undefined): Promise<MfaCheck>;
  /** Checks a recovery code; a right one is used up and replaced by the returned new one. */
  useRecoveryCode(user: User, code: string): Promise<{ ok: true; newCode: string } | { ok: false; reason: MfaRefusal }>;
  /** The user's recovery code, made now (and returned) when the tenant enabled the factor and the user has none. */
  ensureRecoveryCode(user: User): Promise<string | undefined>;
  /** A new recovery code for the user, replacing theirs or made when they have none (the Management API's regeneration). */
  regenerateRecoveryCode(user: User): Promise<string>;
  /** Deletes one enrolment of a user (the MFA API, the Management API); false when it is not theirs. */
  remove(user: User, id: string): Promise<boolean>;
}

export function createMfaService(deps: {
  tenant: Tenant;
  store: MfaEnrolmentStore & TransactionStore;
  otp: OtpService;
  outbox: Outbox;
  clock: Clock;
  random: Random;
  /** The tenant's address, which a push enrolment's QR code gives the Guardian app (`base_url`). */
  issuer: string;
  limits?: CodeLimits;
}): MfaService {
  const { tenant, store, otp, outbox, clock, random } = deps;
  const push = pushNotifications({ store, clock, random });
  const webauthn = createWebAuthnFactor({ tenant, store, clock, random, issuer: deps.issuer });
  const limits = deps.limits ?? createCodeLimits(clock);
  const now = (): string => new Date(clock.now()).toISOString();
  const enabled = (factor: MfaFactor): boolean => tenant.mfa.factors.includes(factor);

  async function enrolments(user: User): Promise<MfaEnrolment[]> {
    const stored = await store.listEnrolments(user.user_id);
    const email = enabled('email') ? emailAuthenticator(user) : undefined;
    return email ? [...stored, email] : stored;
  }

  /** The one-time-code key of an sms or email enrolment: its address, so fixed codes for it apply. */
  const codeKey = (enrolment: MfaEnrolment): { connection: string; recipient: string } => ({
    connection: `guardian-${enrolment.factor}`,
    recipient: enrolment.factor === 'sms' ? enrolment.phoneNumber ?? '' : enrolment.email ?? '',
  });

  async function sendCode(enrolment: MfaEnrolment, clientId: string | null): Promise<{ ok: true } | { ok: false; reason: 'delivery_failed' }> {
    const key = codeKey(enrolment);
    const issued = await otp.issue({ ...key, length: MFA_CODE_LENGTH, ttlSeconds: MFA_CODE_TTL_SECONDS });
    try {
      const channel = enrolment.factor === 'sms' ? 'sms' : 'email';
      await outbox.send(mfaMessage(tenant, { channel, to: key.recipient, code: issued.code, enrolling: !enrolment.confirmed, clientId, expiresAt: issued.expiresAt }));
      return { ok: true };
    } catch (err) {
      if (!(err instanceof DeliveryError)) throw err;
      return { ok: false, reason: 'delivery_failed' };
    }
  }

  async function codeIsRight(enrolment: MfaEnrolment, code: string): Promise<{ right: boolean; step?: number }> {
    if (enrolment.factor === 'otp') {
      const step = enrolment.secret ? totpStep(enrolment.secret, code.trim(), clock.now()) : undefined;
      // A code passes once: a step at or before the last one used is a replay.
      if (step === undefined || (enrolment.lastStep !== undefined && step <= enrolment.lastStep)) return { right: false };
      return { right: true, step };
    }
    if (enrolment.factor === 'sms' || enrolment.factor === 'email') return { right: (await otp.verify({ ...codeKey(enrolment), code })).ok };
    return { right: false };
  }

  // Auth0 labels the account with the user's email (the tenant's name is the issuer).
  const otpUri = (user: User, enrolment: MfaEnrolment): string =>
    otpauthUri(enrolment.secret ?? '', tenant.friendlyName, user.email ?? user.phone_number ?? user.username ?? user.user_id);

  // Auth0's push enrolment URI names the enrolment transaction and the tenant's Guardian address, no secret.
  const pushUri = (user: User, enrolment: MfaEnrolment): string => {
    const label = `${encodeURIComponent(tenant.friendlyName)}:${encodeURIComponent(user.email ?? user.phone_number ?? user.username ?? user.user_id)}`;
    const transaction = enrolment.id.split('|dev_')[1] ?? enrolment.id;
    return `otpauth://totp/${label}?enrollment_tx_id=${encodeURIComponent(transaction)}&base_url=${encodeURIComponent(deps.issuer)}`;
  };

  async function ensureRecoveryCode(user: User): Promise<string | undefined> {
    if (!enabled('recovery-code')) return undefined;
    if ((await store.listEnrolments(user.user_id)).some((e) => e.factor === 'recovery-code')) return undefined;
    const code = newRecoveryCode(random);
    await store.saveEnrolment({ id: authenticatorId('recovery-code', random), userId: user.user_id, factor: 'recovery-code', confirmed: true, recoveryCode: code, createdAt: now() });
    return code;
  }

  return {
    enrolments,

    async challengeable(user, demand) {
      return (await enrolments(user)).filter((e) => e.confirmed && e.factor !== 'recovery-code' && demand.factors.includes(e.factor));
    },

    enrollable: (demand) => demand.factors.filter((factor) => factor !== 'email' && factor !== 'recovery-code' && factor !== 'duo'),

    async beginOtp(user) {
      const secret = base32Encode(Buffer.from(random.hex(20), 'hex'));
      const enrolment: MfaEnrolment = { id: authenticatorId('otp', random), userId: user.user_id, factor: 'otp', confirmed: false, secret, createdAt: now() };
      await store.saveEnrolment(enrolment);
      return { enrolment, uri: otpUri(user, enrolment) };
    },

    otpUri,
    pushUri,
    ...push,
    beginPush: (user) => push.beginPush(user, (enrolment) => pushUri(user, enrolment)),

    async beginSms(user, phoneNumber, clientId) {
      const enrolment: MfaEnrolment = { id: authenticatorId('sms', random), userId: user.user_id, factor: 'sms', confirmed: false, phoneNumber, createdAt: now() };
      await store.saveEnrolment(enrolment);
      const sent = await sendCode(enrolment, clientId);
      return sent.ok ? { ok: true, enrolment } : sent;
    },

    sendCode,

    async verify(user, enrolment, code) {
      if (!limits.hasTry(user.user_id)) return { ok: false, reason: 'too_many_failures' };
      const { right, step } = await codeIsRight(enrolment, code);
      if (!right) {
        limits.takeTry(user.user_id);
        return { ok: false, reason: 'invalid_code' };
      }
      const used: MfaEnrolment = { ...enrolment, confirmed: true, lastAuthAt: now(), ...(step !== undefined ? { lastStep: step } : {}) };
      // The verified email is no stored enrolment (./authenticators.ts): there is nothing to record.
      if (enrolment.factor !== 'email') await store.updateEnrolment(used);
      return { ok: true, enrolment: used };
    },

    webauthn,
    rename: (enrolment, name) => webauthn.rename(enrolment, name),

    async verifyWebAuthn(txnId, user, field) {
      if (!limits.hasTry(user.user_id)) return { ok: false, reason: 'too_many_failures' };
      const enrolment = await webauthn.authenticate(txnId, user, field);
      if (enrolment) return { ok: true, enrolment };
      limits.takeTry(user.user_id);
      return { ok: false, reason: 'invalid_code' };
    },

    async useRecoveryCode(user, code) {
      if (!limits.hasTry(user.user_id)) return { ok: false, reason: 'too_many_failures' };
      const recovery = (await store.listEnrolments(user.user_id)).find((e) => e.factor === 'recovery-code');
      const typed = code.replace(/\s/g, '').toUpperCase();
      if (!recovery?.recoveryCode || recovery.recoveryCode !== typed) {
        limits.takeTry(user.user_id);
        return { ok: false, reason: 'invalid_code' };
      }
      const newCode = newRecoveryCode(random);
      await store.updateEnrolment({ ...recovery, recoveryCode: newCode, lastAuthAt: now() });
      return { ok: true, newCode };
    },

    ensureRecoveryCode,

    async regenerateRecoveryCode(user) {
      const code = newRecoveryCode(random);
      const current = (await store.listEnrolments(user.user_id)).find((e) => e.factor === 'recovery-code');
      if (current) await store.updateEnrolment({ ...current, recoveryCode: code });
      else await store.saveEnrolment({ id: authenticatorId('recovery-code', random), userId: user.user_id, factor: 'recovery-code', confirmed: true, recoveryCode: code, createdAt: now() });
      return code;
    },

    async remove(user, id) {
      const enrolment = await store.findEnrolment(id);
      if (!enrolment || enrolment.userId !== user.user_id) return false;
      return store.deleteEnrolment(id);
    },
  };
}
