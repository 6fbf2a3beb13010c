import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { MfaEnrolment, PendingPush, User } from '../store/records.js';
import type { MfaEnrolmentStore } from '../store/types.js';
import { authenticatorId } from './authenticators.js';

/**
 * The push-notification factor (Auth0 Guardian) without a phone. Auth0's flow is: the user scans a
 * QR code with the Guardian app, which enrols the device; each challenge then sends the device a
 * notification, and the login waits until the user approves or denies it there.
 *
 * Here the dev plane plays the app: `scan` enrols the device of a pending enrolment, `answer`
 * approves or denies the notification it holds. The enrolment record keeps the one notification in
 * flight and its answer (every replica reads it from the store), and the screen or the MFA API's
 * polling reads `state`. (The Guardian app also shows one-time codes, the "Manually Enter Code" link;
 * Understudy's push device has none.)
 */
export type PushState = 'none' | 'pending' | 'approved' | 'rejected' | 'expired';

/** How long a notification waits for its answer (Auth0's push transactions last 5 minutes). */
export const PUSH_TTL_SECONDS = 300;
/** The device name the dev plane enrols when it scans a code and is given none. */
export const DEV_DEVICE_NAME = 'Understudy Guardian (dev)';

export interface PushNotifications {
  /** A new, unconfirmed push enrolment; `uri` is what its QR code carries. */
  beginPush(user: User, uriFor: (enrolment: MfaEnrolment) => string): Promise<{ enrolment: MfaEnrolment; uri: string }>;
  /** Sends a notification to an enrolled device, replacing any earlier one still waiting. */
  sendPush(enrolment: MfaEnrolment): Promise<PendingPush>;
  /** Where the enrolment's notification stands now (`pushId`: only that notification counts). */
  pushState(enrolment: MfaEnrolment, pushId?: string): PushState;
  /** Spends an approved notification: true once, for the login it approved. */
  usePush(enrolment: MfaEnrolment, pushId?: string): Promise<boolean>;
  /** The dev plane as the device: enrols a pending push enrolment (the QR code scanned). False when there is none. */
  scanPush(enrolmentId: string, deviceName?: string): Promise<boolean>;
  /** The dev plane as the device: approves or denies the notification waiting. False when none waits. */
  answerPush(enrolmentId: string, approve: boolean): Promise<boolean>;
}

/** Where an enrolment's notification stands at `nowMs` (`pushId`: only that notification counts). */
export function pushStateOf(enrolment: MfaEnrolment, nowMs: number, pushId?: string): PushState {
  const push = enrolment.push;
  if (!push || (pushId !== undefined && push.id !== pushId)) return 'none';
  if (push.status === 'pending' && push.expiresAt <= nowMs) return 'expired';
  return push.status;
}

export function pushNotifications(deps: { store: MfaEnrolmentStore; clock: Clock; random: Random }): PushNotifications {
  const { store, clock, random } = deps;
  const now = (): string => new Date(clock.now()).toISOString();

  const pushState = (enrolment: MfaEnrolment, pushId?: string): PushState => pushStateOf(enrolment, clock.now(), pushId);

  return {
    pushState,

    async beginPush(user, uriFor) {
      const enrolment: MfaEnrolment = { id: authenticatorId('push-notification', random), userId: user.user_id, factor: 'push-notification', confirmed: false, createdAt: now() };
      await store.saveEnrolment(enrolment);
      return { enrolment, uri: uriFor(enrolment) };
    },

    async sendPush(enrolment) {
      const push: PendingPush = { id: random.token(12), status: 'pending', expiresAt: clock.now() + PUSH_TTL_SECONDS * 1000 };
      await store.updateEnrolment({ ...enrolment, push });
      return push;
    },

    async usePush(enrolment, pushId) {
      const stored = await store.findEnrolment(enrolment.id);
      if (!stored || pushState(stored, pushId) !== 'approved') return false;
      return store.updateEnrolment({ ...stored, push: undefined, lastAuthAt: now() });
    },

    async scanPush(enrolmentId, deviceName) {
      const stored = await store.findEnrolment(enrolmentId);
      if (stored?.factor !== 'push-notification' || stored.confirmed) return false;
      return store.updateEnrolment({ ...stored, confirmed: true, name: deviceName?.trim() || DEV_DEVICE_NAME });
    },

    async answerPush(enrolmentId, approve) {
      const stored = await store.findEnrolment(enrolmentId);
      if (!stored || pushState(stored) !== 'pending') return false;
      return store.updateEnrolment({ ...stored, push: { ...stored.push!, status: approve ? 'approved' : 'rejected' } });
    },
  };
}
