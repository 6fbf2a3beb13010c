import type { MfaEnrolment, MfaFactor, Transaction, TransactionMfa, User } from '../store/records.js';
import type { TransactionStore } from '../store/types.js';
import type { Tenant } from '../tenant/model.js';
import type { FinishedLogin } from '../oauth/finish-login.js';
import { mfaDemand, type MfaDemand } from '../mfa/mfa-demand.js';
import type { MfaService } from '../mfa/mfa-service.js';
import { screenUrl, type Screen } from './screens.js';

/**
 * Where a login meets its second factor: at its end, after the post-login Actions (which may ask for
 * one), as in Auth0. The gate decides whether this login needs one that the session or a remembered
 * browser has not already given, keeps the demand and the Actions' result on the transaction, and
 * names the first MFA screen: a challenge with the user's factor, or an enrolment.
 */
export type GateOutcome =
  | { kind: 'pass'; mfa: boolean }
  | { kind: 'ask'; location: string }
  | { kind: 'refuse'; description: string };

/** The challenge screen of each factor a user can be challenged with. */
export const MFA_CHALLENGE: Partial<Record<MfaFactor, Screen>> = {
  otp: 'mfa-otp-challenge',
  sms: 'mfa-sms-challenge',
  email: 'mfa-email-challenge',
  'push-notification': 'mfa-push-challenge',
  'webauthn-roaming': 'mfa-webauthn-challenge',
  'webauthn-platform': 'mfa-webauthn-challenge',
  'recovery-code': 'mfa-recovery-code-challenge',
};
/** The enrolment screen of each factor a user can enrol in here. */
export const MFA_ENROLMENT: Partial<Record<MfaFactor, Screen>> = {
  otp: 'mfa-otp-enrollment',
  sms: 'mfa-sms-enrollment',
  'push-notification': 'mfa-push-welcome',
  'webauthn-roaming': 'mfa-webauthn-enrollment',
  'webauthn-platform': 'mfa-webauthn-enrollment',
};

/** Auth0's log text when an Action asks for factors the tenant has not set up (tenant log `mfar`). */
const FACTORS_NOT_SET_UP = 'An MFA challenge is used in a PostLogin action but the requested factors are not properly set up';

export interface SecondFactorGate {
  /**
   * After the Actions: `pass` when the login may end now (`mfa`: it passed a factor, now or earlier in
   * the session), else where the browser goes. `mfaAt`: when the session passed one; `remembered`:
   * the browser carries a valid remember-me cookie for this user.
   */
  check(txn: Transaction, user: User, finished: Extract<FinishedLogin, { ok: true }>, facts: { mfaAt: number | undefined; remembered: boolean }): Promise<GateOutcome>;
  /** Whether a login that finished its Actions still owes a second factor (the session and a remembered browser counted). */
  owed(acrValues: string | undefined, finished: Extract<FinishedLogin, { ok: true }>, facts: { mfaAt: number | undefined; remembered: boolean }): boolean;
  /** The screen that challenges `enrolment`, its code sent first for sms and email, its notification for push. */
  challenge(txn: Transaction, enrolment: MfaEnrolment, clientId: string | null): Promise<string>;
  /** The first screen for a demand: the user's most recently used factor, else an enrolment. */
  firstScreen(txn: Transaction, user: User, demand: Pick<MfaDemand, 'factors' | 'enrolOnly'>): Promise<string | undefined>;
}

export function createSecondFactorGate(deps: { tenant: Tenant; mfa: MfaService; store: TransactionStore }): SecondFactorGate {
  const { tenant, mfa, store } = deps;

  async function challenge(txn: Transaction, enrolment: MfaEnrolment, clientId: string | null): Promise<string> {
    await store.updateTransaction(txn.id, { mfa: { ...txn.mfa!, enrolmentId: enrolment.id } });
    // A code that cannot be sent is said on the screen, which offers a resend.
    if (enrolment.factor === 'sms' || enrolment.factor === 'email') await mfa.sendCode(enrolment, clientId);
    if (enrolment.factor === 'push-notification') await mfa.sendPush(enrolment);
    return screenUrl(MFA_CHALLENGE[enrolment.factor]!, txn);
  }

  async function firstScreen(txn: Transaction, user: User, demand: Pick<MfaDemand, 'factors' | 'enrolOnly'>): Promise<string | undefined> {
    const challengeable = demand.enrolOnly ? [] : await mfa.challengeable(user, demand);
    if (challengeable.length) {
      const latest = [...challengeable].sort((a, b) => (b.lastAuthAt ?? '').localeCompare(a.lastAuthAt ?? ''))[0]!;
      return challenge(txn, latest, txn.clientId);
    }
    const enrollable = mfa.enrollable(demand);
    if (enrollable.length > 1) return screenUrl('mfa-enroll-options', txn);
    if (enrollable.length === 1) {
      await store.updateTransaction(txn.id, { mfa: { ...txn.mfa!, enrolling: enrollable[0] } });
      return screenUrl(MFA_ENROLMENT[enrollable[0]!]!, txn);
    }
    return undefined;
  }

  // A session that passed a factor, or a remembered browser where the demand allows it, has given it.
  const given = (demand: MfaDemand, facts: { mfaAt: number | undefined; remembered: boolean }): boolean =>
    !demand.enrolOnly && (facts.mfaAt !== undefined || (demand.allowRememberBrowser && facts.remembered));

  return {
    challenge,
    firstScreen,

    owed(acrValues, finished, facts) {
      const demand = mfaDemand(tenant.mfa, { acrValues, action: finished.mfa });
      return demand !== undefined && !given(demand, facts);
    },

    async check(txn, user, finished, facts) {
      if (txn.mfa?.passedAt !== undefined) return { kind: 'pass', mfa: true };
      const demand = mfaDemand(tenant.mfa, { acrValues: txn.acrValues, action: finished.mfa });
      if (!demand) return { kind: 'pass', mfa: false };
      if (!demand.factors.length) return { kind: 'refuse', description: FACTORS_NOT_SET_UP };
      if (given(demand, facts)) return { kind: 'pass', mfa: facts.mfaAt !== undefined };
      const pending: TransactionMfa = {
        allowRememberBrowser: demand.allowRememberBrowser,
        factors: demand.factors,
        ...(demand.enrolOnly ? { enrolOnly: true } : {}),
        ...(demand.acrRequested ? { acrRequested: true } : {}),
        changes: finished.changes,
      };
      await store.updateTransaction(txn.id, { mfa: pending });
      const location = await firstScreen({ ...txn, mfa: pending }, user, demand);
      return location ? { kind: 'ask', location } : { kind: 'refuse', description: FACTORS_NOT_SET_UP };
    },
  };
}
