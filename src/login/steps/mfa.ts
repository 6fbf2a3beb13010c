import type { MfaEnrolment, MfaFactor, TransactionMfa, User } from '../../store/records.js';
import type { MfaRefusal } from '../../mfa/mfa-service.js';
import type { PushState } from '../../mfa/push-notifications.js';
import { isWebAuthnFactor, type WebAuthnFactorName } from '../../mfa/webauthn-factor.js';
import { normalizePhoneNumber } from '../../users/normalize.js';
import type { LoginContext, LoginKit, ScreenOutcome } from '../login-kit.js';
import type { Refusal } from '../refusals.js';
import { screenUrl } from '../screens.js';
import { MFA_ENROLMENT } from '../second-factor.js';

/**
 * The second factor's screens (login/second-factor.ts sends a proven login here when it owes one):
 * enrol or answer a challenge, choose another factor, confirm a recovery code. A factor that passes
 * marks the session (later logins through it carry the factor) and, asked to, the browser; the login
 * then ends at resume, after the recovery code a first enrolment makes is shown and confirmed.
 */
export interface CodeForm {
  code: string;
  /** Auth0's "Remember this device for 30 days" checkbox: `rememberBrowser=true`. */
  rememberBrowser: boolean;
}

/** Auth0 does not document the longest key name; Understudy takes 64 characters. */
const NICKNAME_MAX = 64;

/** The WebAuthn factor a login enrols in: the one it chose, else the one its demand allows (a security key first). */
export function webauthnFactorOf(pending: TransactionMfa): WebAuthnFactorName {
  if (pending.enrolling && isWebAuthnFactor(pending.enrolling)) return pending.enrolling;
  return pending.factors?.includes('webauthn-roaming') === false && pending.factors.includes('webauthn-platform') ? 'webauthn-platform' : 'webauthn-roaming';
}

const REFUSAL: Record<MfaRefusal, Refusal> = {
  invalid_code: 'mfa_invalid_code',
  too_many_failures: 'mfa_too_many_failures',
  delivery_failed: 'mfa_not_sent',
};

export function mfaSteps(kit: LoginKit) {
  const { deps, go, refuse } = kit;
  const { mfa, secondFactor, sessions, passkeys, authorization } = deps;

  /** The proven user of this login and what it owes; undefined when either is gone. */
  async function owing(ctx: LoginContext): Promise<{ user: User; pending: TransactionMfa } | undefined> {
    const user = ctx.txn.authenticated ? await passkeys.user(ctx.txn.authenticated.userId) : undefined;
    return user && ctx.txn.mfa ? { user, pending: ctx.txn.mfa } : undefined;
  }

  /** The enrolment this login is working with (the one challenged or being set up), if it is the user's. */
  async function current(ctx: LoginContext, user: User, factor: MfaFactor): Promise<MfaEnrolment | undefined> {
    const id = ctx.txn.mfa?.enrolmentId;
    return (await mfa.enrolments(user)).find((e) => e.id === id && e.factor === factor);
  }

  /** The factor passed: the session keeps it, a first enrolment's recovery code is shown, then resume. */
  async function passed(ctx: LoginContext, user: User, pending: TransactionMfa, outcome: { recoveryCode?: string | undefined; replaced?: boolean; rememberBrowser: boolean }): Promise<ScreenOutcome> {
    const passedAt = await sessions.passedMfa(ctx.txn.authenticated!.sessionId);
    await authorization.updateMfa(ctx.txn, { ...pending, passedAt, ...(outcome.recoveryCode ? { recoveryCode: outcome.recoveryCode } : {}) });
    const next = outcome.recoveryCode ? (outcome.replaced ? 'mfa-recovery-code-new-code' : 'mfa-recovery-code-enrollment') : 'resume';
    const remember = outcome.rememberBrowser && pending.allowRememberBrowser;
    return { kind: 'redirect', location: screenUrl(next, ctx.txn), ...(remember ? { rememberBrowser: user.user_id } : {}) };
  }

  /** Checks a code against the factor this login works with, enrolling it when it is new. */
  async function answer(ctx: LoginContext, factor: MfaFactor, form: CodeForm): Promise<ScreenOutcome> {
    const found = await owing(ctx);
    if (!found) return go(screenUrl('identifier', ctx.txn));
    const enrolment = await current(ctx, found.user, factor);
    if (!enrolment) return go(screenUrl('mfa-login-options', ctx.txn));
    if (!form.code.trim()) return refuse(ctx, 'mfa_no_code');
    const checked = await mfa.verify(found.user, enrolment, form.code);
    if (!checked.ok) return refuse(ctx, REFUSAL[checked.reason]);
    const recoveryCode = enrolment.confirmed ? undefined : await mfa.ensureRecoveryCode(found.user);
    return passed(ctx, found.user, found.pending, { recoveryCode, rememberBrowser: form.rememberBrowser });
  }

  return {
    otp: (ctx: LoginContext, form: CodeForm) => answer(ctx, 'otp', form),

    /** sms and email challenges: a code, or `resend` for a new one. */
    async oob(ctx: LoginContext, factor: 'sms' | 'email', form: CodeForm & { resend: boolean }): Promise<ScreenOutcome> {
      if (!form.resend) return answer(ctx, factor, form);
      const found = await owing(ctx);
      const enrolment = found && (await current(ctx, found.user, factor));
      if (!enrolment) return go(screenUrl('mfa-login-options', ctx.txn));
      const sent = await mfa.sendCode(enrolment, ctx.txn.clientId);
      return sent.ok ? { kind: 'show', ctx, notice: 'code_resent' } : refuse(ctx, 'mfa_not_sent');
    },

    /** mfa-sms-enrollment: the phone number to enrol; its first code is sent. */
    async enrolPhone(ctx: LoginContext, phone: string): Promise<ScreenOutcome> {
      const found = await owing(ctx);
      if (!found) return go(screenUrl('identifier', ctx.txn));
      const number = normalizePhoneNumber(phone);
      if (!number) return kit.keepTyped({ phone }, refuse(ctx, phone.trim() ? 'mfa_invalid_phone' : 'mfa_no_phone'));
      const begun = await mfa.beginSms(found.user, number, ctx.txn.clientId);
      if (!begun.ok) return refuse(ctx, 'mfa_not_sent');
      await authorization.updateMfa(ctx.txn, { ...found.pending, enrolmentId: begun.enrolment.id });
      return go(screenUrl('mfa-sms-challenge', ctx.txn));
    },

    /** mfa-push-welcome: Continue (`action=enroll`) begins the device's enrolment, whose QR code shows next. */
    async beginPush(ctx: LoginContext): Promise<ScreenOutcome> {
      const found = await owing(ctx);
      if (!found) return go(screenUrl('identifier', ctx.txn));
      const { enrolment } = await mfa.beginPush(found.user);
      await authorization.updateMfa(ctx.txn, { ...found.pending, enrolmentId: enrolment.id });
      return go(screenUrl('mfa-push-enrollment', ctx.txn));
    },

    /** mfa-push-enrollment: Continue once the device scanned the code (the page posts by itself when its polling sees it). */
    async pushEnrolled(ctx: LoginContext, form: { rememberBrowser: boolean }): Promise<ScreenOutcome> {
      const found = await owing(ctx);
      if (!found) return go(screenUrl('identifier', ctx.txn));
      const enrolment = await current(ctx, found.user, 'push-notification');
      if (!enrolment) return go(screenUrl('mfa-push-welcome', ctx.txn));
      if (!enrolment.confirmed) return refuse(ctx, 'mfa_push_enrollment_pending');
      const recoveryCode = await mfa.ensureRecoveryCode(found.user);
      return passed(ctx, found.user, found.pending, { recoveryCode, rememberBrowser: form.rememberBrowser });
    },

    /** mfa-push-challenge: Continue once the device answered (the page posts by itself then), or `resend`. */
    async pushAnswered(ctx: LoginContext, form: { resend: boolean; rememberBrowser: boolean }): Promise<ScreenOutcome> {
      const found = await owing(ctx);
      if (!found) return go(screenUrl('identifier', ctx.txn));
      const enrolment = await current(ctx, found.user, 'push-notification');
      if (!enrolment?.confirmed) return go(screenUrl('mfa-login-options', ctx.txn));
      if (form.resend) {
        await mfa.sendPush(enrolment);
        return { kind: 'show', ctx, notice: 'push_resent' };
      }
      const state = mfa.pushState(enrolment);
      if (state === 'rejected') return refuse(ctx, 'mfa_push_rejected');
      if (state !== 'approved' || !(await mfa.usePush(enrolment))) return refuse(ctx, 'mfa_push_pending');
      return passed(ctx, found.user, found.pending, { rememberBrowser: form.rememberBrowser });
    },

    /** What the push screens poll: on enrolment, `approved` once the device scanned the code; on a challenge, the notification's state. */
    async pushStatus(ctx: LoginContext, enrolling: boolean): Promise<PushState> {
      const found = await owing(ctx);
      const enrolment = found && (await current(ctx, found.user, 'push-notification'));
      if (!enrolment) return 'none';
      if (enrolling) return enrolment.confirmed ? 'approved' : 'pending';
      return mfa.pushState(enrolment);
    },

    /** mfa-webauthn-enrollment: the credential the browser created (`passkey`), enrolled; its name is asked next. */
    async webauthnEnrol(ctx: LoginContext, field: string | undefined): Promise<ScreenOutcome> {
      const found = await owing(ctx);
      if (!found) return go(screenUrl('identifier', ctx.txn));
      const enrolment = await mfa.webauthn.register(ctx.txn.id, found.user, webauthnFactorOf(found.pending), field);
      if (!enrolment) return refuse(ctx, 'mfa_webauthn_not_registered');
      await authorization.updateMfa(ctx.txn, { ...found.pending, enrolmentId: enrolment.id });
      return go(screenUrl('mfa-webauthn-nickname', ctx.txn));
    },

    /** mfa-webauthn-change-key-nickname: the new key's name; the factor has passed, so the login goes on. */
    async webauthnNickname(ctx: LoginContext, nickname: string): Promise<ScreenOutcome> {
      const found = await owing(ctx);
      if (!found) return go(screenUrl('identifier', ctx.txn));
      const enrolment = (await mfa.enrolments(found.user)).find((e) => e.id === ctx.txn.mfa?.enrolmentId && isWebAuthnFactor(e.factor));
      if (!enrolment) return go(screenUrl('mfa-webauthn-enrollment', ctx.txn));
      const name = nickname.trim();
      if (!name) return refuse(ctx, 'mfa_no_nickname');
      if (name.length > NICKNAME_MAX) return kit.keepTyped({ nickname }, refuse(ctx, 'mfa_nickname_too_long'));
      await mfa.rename(enrolment, name);
      const recoveryCode = await mfa.ensureRecoveryCode(found.user);
      return passed(ctx, found.user, found.pending, { recoveryCode, rememberBrowser: false });
    },

    /** mfa-webauthn-challenge: an assertion from one of the user's keys (`passkey`). */
    async webauthnAnswer(ctx: LoginContext, field: string | undefined, rememberBrowser: boolean): Promise<ScreenOutcome> {
      const found = await owing(ctx);
      if (!found) return go(screenUrl('identifier', ctx.txn));
      const checked = await mfa.verifyWebAuthn(ctx.txn.id, found.user, field);
      if (!checked.ok) return refuse(ctx, checked.reason === 'too_many_failures' ? 'mfa_too_many_failures' : 'mfa_webauthn_failed');
      return passed(ctx, found.user, found.pending, { rememberBrowser });
    },

    /** mfa-recovery-code-challenge: a right code passes and is replaced by a new one, shown next. */
    async recoveryCode(ctx: LoginContext, code: string): Promise<ScreenOutcome> {
      const found = await owing(ctx);
      if (!found) return go(screenUrl('identifier', ctx.txn));
      if (!code.trim()) return refuse(ctx, 'mfa_no_code');
      const used = await mfa.useRecoveryCode(found.user, code);
      if (!used.ok) return refuse(ctx, used.reason === 'invalid_code' ? 'mfa_invalid_recovery_code' : REFUSAL[used.reason]);
      return passed(ctx, found.user, found.pending, { recoveryCode: used.newCode, replaced: true, rememberBrowser: false });
    },

    /** The recovery code screens: "I have safely recorded this code" (`saved=on`) lets the login end. */
    async confirmRecoveryCode(ctx: LoginContext, saved: boolean): Promise<ScreenOutcome> {
      const pending = ctx.txn.mfa;
      if (!pending) return go(screenUrl('identifier', ctx.txn));
      if (!saved) return refuse(ctx, 'mfa_no_confirmation');
      await authorization.updateMfa(ctx.txn, { ...pending, recoveryCode: undefined });
      return go(screenUrl('resume', ctx.txn));
    },

    /** mfa-login-options and mfa-begin-enroll-options: `action=<factor>`. */
    async choose(ctx: LoginContext, factor: string | undefined, enrol: boolean): Promise<ScreenOutcome> {
      const found = await owing(ctx);
      if (!found) return go(screenUrl('identifier', ctx.txn));
      const factors = found.pending.factors ?? [];
      if (!enrol) {
        if (factor === 'recovery-code' && (await mfa.enrolments(found.user)).some((e) => e.factor === 'recovery-code')) return go(screenUrl('mfa-recovery-code-challenge', ctx.txn));
        const enrolment = (await mfa.challengeable(found.user, { factors })).find((e) => e.factor === factor);
        if (enrolment) return go(await secondFactor.challenge(ctx.txn, enrolment, ctx.txn.clientId));
      }
      const screen = factor ? MFA_ENROLMENT[factor as MfaFactor] : undefined;
      if (screen && mfa.enrollable({ factors }).includes(factor as MfaFactor)) {
        await authorization.updateMfa(ctx.txn, { ...found.pending, enrolling: factor as MfaFactor });
        return go(screenUrl(screen, ctx.txn));
      }
      return { kind: 'show', ctx };
    },
  };
}

export type MfaSteps = ReturnType<typeof mfaSteps>;
