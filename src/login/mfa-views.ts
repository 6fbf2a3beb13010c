import { createRequire } from 'node:module';
import type { MfaEnrolment, MfaFactor, User } from '../store/records.js';
import type { MfaService } from '../mfa/mfa-service.js';
import { maskedName } from '../mfa/authenticators.js';
import type { LoginContext } from './login-kit.js';
import type { PasskeyService } from './passkeys.js';
import type { AuthorizationService } from './authorization-service.js';
import { PUSH_STATUS_PATH, screenUrl, type MfaScreen } from './screens.js';
import { webauthnFactorOf } from './steps/mfa.js';

/**
 * What the second factor's screens show (their view models): the QR code and secret of an otp
 * enrolment, where a code went, the recovery code to record, the factors to choose from. The QR code
 * is an SVG drawn here by the `qrcode` package: nothing leaves the server for it.
 */
type Data = Record<string, unknown>;
type QrCode = typeof import('qrcode');
const requireHere = createRequire(import.meta.url);
// The QR library loads with the first otp enrolment, not at start-up.
let qr: QrCode | undefined;

/** The push factor's app, as Auth0's screens name it (`${appName}`) when the tenant names no app of its own. */
export const GUARDIAN_APP_NAME = 'Auth0 Guardian';

/** Auth0's names of the factors on its choice screens (authenticatorNames*). */
export const FACTOR_NAMES: Partial<Record<MfaFactor, string>> = {
  'push-notification': `Notification via ${GUARDIAN_APP_NAME} app`,
  otp: 'Google Authenticator or similar',
  sms: 'SMS',
  email: 'Email',
  'webauthn-roaming': 'Security Key',
  'webauthn-platform': 'Fingerprint or Face Recognition',
  'recovery-code': 'Recovery code',
};

export function createMfaViews(deps: { mfa: MfaService; passkeys: Pick<PasskeyService, 'user'>; authorization: Pick<AuthorizationService, 'updateMfa'>; devRoutes: boolean }) {
  const { mfa, passkeys, authorization } = deps;

  async function userOf(ctx: LoginContext): Promise<User | undefined> {
    return ctx.txn.authenticated ? passkeys.user(ctx.txn.authenticated.userId) : undefined;
  }

  const current = async (ctx: LoginContext, user: User): Promise<MfaEnrolment | undefined> =>
    (await mfa.enrolments(user)).find((e) => e.id === ctx.txn.mfa?.enrolmentId);

  /** What every challenge shows: remember-me when offered, and the way to another factor when there is one. */
  async function challenge(ctx: LoginContext, user: User, extra: Data = {}): Promise<Data> {
    const factors = ctx.txn.mfa?.factors ?? [];
    const usable = await mfa.challengeable(user, { factors });
    const hasRecovery = factors.includes('recovery-code') && (await mfa.enrolments(user)).some((e) => e.factor === 'recovery-code');
    return {
      showRememberDevice: ctx.txn.mfa?.allowRememberBrowser === true,
      otherMethodsHref: usable.length + (hasRecovery ? 1 : 0) > 1 ? screenUrl('mfa-login-options', ctx.txn) : undefined,
      ...extra,
    };
  }

  const models: { [S in MfaScreen]: (ctx: LoginContext, user: User) => Promise<Data | string> } = {
    async 'mfa-enroll-options'(ctx) {
      const factors = mfa.enrollable({ factors: ctx.txn.mfa?.factors ?? [] });
      return { choices: factors.map((factor) => ({ factor, name: FACTOR_NAMES[factor] ?? factor })) };
    },
    async 'mfa-login-options'(ctx, user) {
      const factors = ctx.txn.mfa?.factors ?? [];
      const enrolled = new Set((await mfa.challengeable(user, { factors })).map((e) => e.factor));
      if (factors.includes('recovery-code') && (await mfa.enrolments(user)).some((e) => e.factor === 'recovery-code')) enrolled.add('recovery-code');
      // With nothing enrolled, the choice is what to enrol in.
      if (!enrolled.size) return screenUrl('mfa-enroll-options', ctx.txn);
      return { choices: [...enrolled].map((factor) => ({ factor, name: FACTOR_NAMES[factor] ?? factor })) };
    },
    async 'mfa-otp-enrollment'(ctx, user) {
      // The secret is made when the screen is first shown, and shown again until its first code passes.
      let enrolment = await current(ctx, user);
      let uri: string;
      if (enrolment?.factor === 'otp' && !enrolment.confirmed && enrolment.secret) {
        uri = mfa.otpUri(user, enrolment);
      } else {
        ({ enrolment, uri } = await mfa.beginOtp(user));
        await authorization.updateMfa(ctx.txn, { ...ctx.txn.mfa!, enrolmentId: enrolment.id });
      }
      qr ??= requireHere('qrcode') as QrCode;
      const qrSvg = await qr.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      return { secret: enrolment.secret, otpauthUri: uri, qrSvg, otherMethodsHref: mfa.enrollable({ factors: ctx.txn.mfa?.factors ?? [] }).length > 1 ? screenUrl('mfa-enroll-options', ctx.txn) : undefined };
    },
    'mfa-otp-challenge': (ctx, user) => challenge(ctx, user),
    async 'mfa-sms-enrollment'(ctx) {
      return { otherMethodsHref: mfa.enrollable({ factors: ctx.txn.mfa?.factors ?? [] }).length > 1 ? screenUrl('mfa-enroll-options', ctx.txn) : undefined };
    },
    async 'mfa-sms-challenge'(ctx, user) {
      const enrolment = await current(ctx, user);
      if (enrolment?.factor !== 'sms') return screenUrl('mfa-login-options', ctx.txn);
      return challenge(ctx, user, { sentTo: maskedName(enrolment), mailboxHref: mailbox(enrolment.phoneNumber), enrolling: !enrolment.confirmed });
    },
    async 'mfa-email-challenge'(ctx, user) {
      const enrolment = await current(ctx, user);
      if (enrolment?.factor !== 'email') return screenUrl('mfa-login-options', ctx.txn);
      return challenge(ctx, user, { sentTo: enrolment.email, mailboxHref: mailbox(enrolment.email) });
    },
    async 'mfa-push-welcome'(ctx) {
      return { guardianApp: GUARDIAN_APP_NAME, otherMethodsHref: mfa.enrollable({ factors: ctx.txn.mfa?.factors ?? [] }).length > 1 ? screenUrl('mfa-enroll-options', ctx.txn) : undefined };
    },
    async 'mfa-push-enrollment'(ctx, user) {
      // The device is enrolled from the welcome screen's Continue; without an enrolment in progress, back there.
      const enrolment = await current(ctx, user);
      if (enrolment?.factor !== 'push-notification') return screenUrl('mfa-push-welcome', ctx.txn);
      qr ??= requireHere('qrcode') as QrCode;
      const uri = mfa.pushUri(user, enrolment);
      const qrSvg = await qr.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      return {
        guardianApp: GUARDIAN_APP_NAME,
        qrSvg,
        enrolmentUri: uri,
        pollHref: pushStatusUrl(ctx, 'enrollment'),
        mailboxHref: devDevice(),
        otherMethodsHref: mfa.enrollable({ factors: ctx.txn.mfa?.factors ?? [] }).length > 1 ? screenUrl('mfa-enroll-options', ctx.txn) : undefined,
      };
    },
    async 'mfa-push-challenge'(ctx, user) {
      const enrolment = await current(ctx, user);
      if (enrolment?.factor !== 'push-notification') return screenUrl('mfa-login-options', ctx.txn);
      return challenge(ctx, user, { guardianApp: GUARDIAN_APP_NAME, deviceName: enrolment.name, pollHref: pushStatusUrl(ctx, 'challenge'), mailboxHref: devDevice() });
    },
    async 'mfa-webauthn-enrollment'(ctx, user) {
      const factor = webauthnFactorOf(ctx.txn.mfa!);
      const options = await mfa.webauthn.registrationOptions(ctx.txn.id, user, factor);
      return { platform: factor === 'webauthn-platform', webauthnOptions: JSON.stringify(options), otherMethodsHref: mfa.enrollable({ factors: ctx.txn.mfa?.factors ?? [] }).length > 1 ? screenUrl('mfa-enroll-options', ctx.txn) : undefined };
    },
    async 'mfa-webauthn-nickname'(ctx, user) {
      const enrolment = await current(ctx, user);
      if (!enrolment || (enrolment.factor !== 'webauthn-roaming' && enrolment.factor !== 'webauthn-platform')) return screenUrl('mfa-webauthn-enrollment', ctx.txn);
      const platform = enrolment.factor === 'webauthn-platform';
      const userName = user.name ?? user.email ?? user.user_id;
      return { platform, nickname: platform ? `${userName}'s device` : `${userName}'s key` };
    },
    async 'mfa-webauthn-challenge'(ctx, user) {
      const enrolment = await current(ctx, user);
      if (enrolment?.factor !== 'webauthn-roaming' && enrolment?.factor !== 'webauthn-platform') return screenUrl('mfa-login-options', ctx.txn);
      const options = await mfa.webauthn.authenticationOptions(ctx.txn.id, user, [enrolment.factor]);
      return challenge(ctx, user, { platform: enrolment.factor === 'webauthn-platform', keyName: enrolment.name, webauthnOptions: JSON.stringify(options) });
    },
    'mfa-recovery-code-challenge': (ctx, user) => challenge(ctx, user),
    async 'mfa-recovery-code-enrollment'(ctx) {
      return ctx.txn.mfa?.recoveryCode ? { recoveryCode: ctx.txn.mfa.recoveryCode } : screenUrl('resume', ctx.txn);
    },
    async 'mfa-recovery-code-new-code'(ctx) {
      return ctx.txn.mfa?.recoveryCode ? { recoveryCode: ctx.txn.mfa.recoveryCode } : screenUrl('resume', ctx.txn);
    },
  };

  const pushStatusUrl = (ctx: LoginContext, screen: 'enrollment' | 'challenge'): string => `${PUSH_STATUS_PATH}?state=${encodeURIComponent(ctx.txn.id)}&screen=${screen}`;
  // The push factor's device is played by the dev mailbox page's "Second factors" panel.
  const devDevice = (): string | undefined => (deps.devRoutes ? '/_dev/mailbox#second-factors' : undefined);

  const mailbox = (to: string | undefined): string | undefined => (deps.devRoutes && to ? `/_dev/mailbox?to=${encodeURIComponent(to)}` : undefined);

  return async (screen: MfaScreen, ctx: LoginContext): Promise<Data | string> => {
    const user = await userOf(ctx);
    if (!user) return screenUrl('identifier', ctx.txn);
    return models[screen](ctx, user);
  };
}
