import type { ChannelName } from '../otp/channel.js';
import { createLoginKit, type Admit, type LoginDeps, type ScreenOutcome, type Visit } from './login-kit.js';
import type { CHALLENGE, PageScreen } from './screens.js';
import { identifierSteps } from './steps/identifier.js';
import { passwordSteps } from './steps/passwords.js';
import { passkeySteps } from './steps/passkeys.js';
import { socialSteps } from './steps/social.js';
import { mfaSteps, type CodeForm } from './steps/mfa.js';
import { signupSteps } from './steps/signup.js';
import { organizationSteps } from './steps/organizations.js';
import type { PushState } from '../mfa/push-notifications.js';

export type { Admit, LoginContext, ScreenOutcome, Visit } from './login-kit.js';

/**
 * What each Universal Login screen does with what the user typed, without any HTTP. Every call is
 * one visit to one screen: the transaction is loaded and its screen's guard checked once, then the
 * step runs (login/steps/, one module per way of logging in). The answer is a redirect, or the
 * screen shown again with a refusal or a notice, which the routes word (login/refusals.ts) and render.
 */
export interface LoginService {
  /** A GET of a screen: its context, or where its guard sends the browser instead. */
  show(screen: PageScreen, visit: Visit): Promise<ScreenOutcome>;
  /** login-id: an identifier, a social connection, or (ACUL's passkeyLogin) a `passkey` assertion. */
  identifier(visit: Visit, form: { username?: string | undefined; connection?: string | undefined; passkey?: string | undefined }, admit: Admit): Promise<ScreenOutcome>;
  /** A passwordless challenge: the code, or a request for a new one. */
  challenge(screen: (typeof CHALLENGE)[ChannelName], visit: Visit, form: { resend: boolean; code: string }, admit: Admit): Promise<ScreenOutcome>;
  /**
   * `ip`: the caller's address, for brute-force protection (login/brute-force.ts). `emailCode`: the
   * screen's "Email me a code instead" (a database connection with email_otp).
   */
  password(visit: Visit, form: { password: string; emailCode?: boolean }, ip: string): Promise<ScreenOutcome>;
  /** Identifier + Password profile: the single-page `login` screen (or one of its social buttons). */
  login(visit: Visit, form: { username?: string | undefined; password?: string | undefined; connection?: string | undefined }, ip: string, admit: Admit): Promise<ScreenOutcome>;
  /** The passkey challenge after the identifier: an assertion from one of that user's passkeys. */
  passkey(visit: Visit, form: { passkey?: string | undefined }): Promise<ScreenOutcome>;
  /** passkey-enrollment: the new credential (JSON), or undefined to skip. */
  enrolPasskey(visit: Visit, form: { passkey: string | undefined }): Promise<ScreenOutcome>;
  /** The mock social provider: the profile typed in for the connection. */
  social(visit: Visit, form: { connection: string; email?: string | undefined; name?: string | undefined }, admit: Admit): Promise<ScreenOutcome>;
  /** The otp screens: the authenticator app's code, enrolling or answering a challenge. */
  mfaOtp(screen: 'mfa-otp-enrollment' | 'mfa-otp-challenge', visit: Visit, form: CodeForm): Promise<ScreenOutcome>;
  /** The sms and email challenges: the code sent, or `resend`. */
  mfaOob(screen: 'mfa-sms-challenge' | 'mfa-email-challenge', visit: Visit, form: CodeForm & { resend: boolean }): Promise<ScreenOutcome>;
  /** mfa-sms-enrollment: the phone number to enrol. */
  mfaPhone(visit: Visit, phone: string): Promise<ScreenOutcome>;
  mfaRecoveryCode(visit: Visit, code: string): Promise<ScreenOutcome>;
  /** The recovery code screens' "I have safely recorded this code". */
  mfaRecorded(screen: 'mfa-recovery-code-enrollment' | 'mfa-recovery-code-new-code', visit: Visit, saved: boolean): Promise<ScreenOutcome>;
  /** mfa-push-welcome's Continue: the device's enrolment begins. */
  mfaPushBegin(visit: Visit): Promise<ScreenOutcome>;
  /** mfa-push-enrollment and mfa-push-challenge: Continue once the device scanned or answered, or `resend`. */
  mfaPush(screen: 'mfa-push-enrollment' | 'mfa-push-challenge', visit: Visit, form: { resend: boolean; rememberBrowser: boolean }): Promise<ScreenOutcome>;
  /** What a push screen's polling reads; `none` when the login is not waiting on a device. */
  mfaPushStatus(screen: 'mfa-push-enrollment' | 'mfa-push-challenge', visit: Visit): Promise<PushState>;
  /** The WebAuthn screens: the credential the browser made (`passkey`), the key's `nickname`, or an assertion. */
  mfaWebAuthn(screen: 'mfa-webauthn-enrollment' | 'mfa-webauthn-nickname' | 'mfa-webauthn-challenge', visit: Visit, form: { passkey?: string | undefined; nickname?: string | undefined; rememberBrowser: boolean }): Promise<ScreenOutcome>;
  /** signup-id: the email (and username) to sign up with. */
  signupIdentify(visit: Visit, form: { email: string; username: string }): Promise<ScreenOutcome>;
  /** The organizations prompt: an organization's name before the login, or one of the user's after it. */
  selectOrganization(visit: Visit, name: string): Promise<ScreenOutcome>;
  pickOrganization(visit: Visit, organizationId: string): Promise<ScreenOutcome>;
  /** signup (Identifier + Password): email, username and password on one page. */
  signupCombined(visit: Visit, form: { email: string; username: string; password: string }): Promise<ScreenOutcome>;
  /** signup-password: the password; the user is created and logged in. */
  signupPassword(visit: Visit, password: string): Promise<ScreenOutcome>;
  /** The choice screens: a factor to be challenged with, or to enrol in. */
  mfaChoose(screen: 'mfa-login-options' | 'mfa-enroll-options', visit: Visit, factor: string | undefined): Promise<ScreenOutcome>;
}

export function createLoginService(deps: LoginDeps): LoginService {
  const kit = createLoginKit(deps);
  const { submit, keepTyped, typedUsername } = kit;
  const social = socialSteps(kit);
  const identifier = identifierSteps(kit, social.toProvider);
  const passwords = passwordSteps(kit, social.toProvider);
  const passkeys = passkeySteps(kit);
  const mfa = mfaSteps(kit);
  const signup = signupSteps(kit);
  const organizations = organizationSteps(kit);

  return {
    async show(screen, visit) {
      const entered = await kit.enter(screen, visit, 'show');
      return 'txn' in entered ? { kind: 'show', ctx: entered } : entered;
    },

    identifier: (visit, form, admit) =>
      submit('identifier', visit, async (ctx) => {
        if (form.passkey !== undefined) return passkeys.login(ctx, form.passkey, false);
        return keepTyped(typedUsername(ctx, form.username), await identifier.identify(ctx, form, admit));
      }),

    challenge: (screen, visit, form, admit) => submit(screen, visit, (ctx) => identifier.challenge(ctx, form, admit)),

    password: (visit, form, ip) => submit('password', visit, (ctx) => (form.emailCode ? identifier.emailCodeInstead(ctx) : passwords.password(ctx, form.password, ip))),

    login: (visit, form, ip, admit) =>
      submit('login', visit, async (ctx) => keepTyped(typedUsername(ctx, form.username), await passwords.onePage(ctx, form, ip, admit))),

    passkey: (visit, form) => submit('passkey', visit, (ctx) => passkeys.login(ctx, form.passkey, true)),

    enrolPasskey: (visit, form) => submit('passkey-enrollment', visit, (ctx) => passkeys.enrol(ctx, form.passkey)),

    social: (visit, form, admit) =>
      submit('social', visit, async (ctx) => keepTyped({ email: form.email, name: form.name }, await social.fromProvider(ctx, form, admit))),

    mfaOtp: (screen, visit, form) => submit(screen, visit, (ctx) => mfa.otp(ctx, form)),
    mfaOob: (screen, visit, form) => submit(screen, visit, (ctx) => mfa.oob(ctx, screen === 'mfa-sms-challenge' ? 'sms' : 'email', form)),
    mfaPhone: (visit, phone) => submit('mfa-sms-enrollment', visit, (ctx) => mfa.enrolPhone(ctx, phone)),
    mfaRecoveryCode: (visit, code) => submit('mfa-recovery-code-challenge', visit, (ctx) => mfa.recoveryCode(ctx, code)),
    mfaRecorded: (screen, visit, saved) => submit(screen, visit, (ctx) => mfa.confirmRecoveryCode(ctx, saved)),
    mfaPushBegin: (visit) => submit('mfa-push-welcome', visit, (ctx) => mfa.beginPush(ctx)),
    mfaPush: (screen, visit, form) => submit(screen, visit, (ctx) => (screen === 'mfa-push-enrollment' ? mfa.pushEnrolled(ctx, form) : mfa.pushAnswered(ctx, form))),
    async mfaPushStatus(screen, visit) {
      const entered = await kit.enter(screen, visit, 'show');
      return 'txn' in entered ? mfa.pushStatus(entered, screen === 'mfa-push-enrollment') : 'none';
    },
    mfaWebAuthn: (screen, visit, form) =>
      submit(screen, visit, (ctx) =>
        screen === 'mfa-webauthn-enrollment'
          ? mfa.webauthnEnrol(ctx, form.passkey)
          : screen === 'mfa-webauthn-nickname'
            ? mfa.webauthnNickname(ctx, form.nickname ?? '')
            : mfa.webauthnAnswer(ctx, form.passkey, form.rememberBrowser),
      ),
    signupIdentify: (visit, form) => submit('signup-id', visit, (ctx) => signup.identify(ctx, form)),
    signupPassword: (visit, password) => submit('signup-password', visit, (ctx) => signup.password(ctx, password)),
    signupCombined: (visit, form) => submit('signup', visit, (ctx) => signup.combined(ctx, form)),
    selectOrganization: (visit, name) => submit('organization-selection', visit, (ctx) => organizations.select(ctx, name)),
    pickOrganization: (visit, organizationId) => submit('organization-picker', visit, (ctx) => organizations.pick(ctx, organizationId)),
    mfaChoose: (screen, visit, factor) => submit(screen, visit, (ctx) => mfa.choose(ctx, factor, screen === 'mfa-enroll-options')),
  };
}
