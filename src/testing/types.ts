/** The types of understudy/testing's client and page helpers. */
import type { Message as DevMessage, MfaFactor } from '../store/records.js';

export interface WaitOptions {
  to: string;
  channel?: 'email' | 'sms';
  /** Only a message newer than this one (e.g. the code of a resend). */
  after?: string;
  /** How long to wait for it; 10 s by default. */
  timeoutMs?: number;
}

export interface UnderstudyClient {
  waitForMessage(options: WaitOptions): Promise<DevMessage>;
  /** The code of the newest message, or the `verification_code` of its magic link. */
  waitForCode(options: WaitOptions): Promise<string>;
  messages(filter?: { to?: string; channel?: 'email' | 'sms' }): Promise<DevMessage[]>;
  clearMessages(): Promise<void>;
  /** Back to the tenant file: users, sessions, codes, messages, fixed codes, faults and clock. */
  reset(): Promise<void>;
  clock: {
    now(): Promise<Date>;
    advance(seconds: number): Promise<Date>;
    set(time: Date | string): Promise<Date>;
    reset(): Promise<Date>;
  };
  fixedCodes: {
    add(rule: { match: string; code: string; until?: string }): Promise<void>;
    clear(): Promise<void>;
  };
  faults: {
    add(fault: { to: string; channel?: 'email' | 'sms'; kind: 'fail' | 'delay'; delay_ms?: number; times?: number }): Promise<void>;
    clear(): Promise<void>;
  };
  /** A user's second factors (GET /_dev/api/mfa): an authenticator app's secret and current code, the recovery code. */
  mfaEnrolments(user: { email?: string; userId?: string }): Promise<DevMfaEnrolment[]>;
  /**
   * Plays the push factor's device (the Guardian app): `scan` enrols a push enrolment waiting on its QR
   * code, `approve` and `deny` answer the notification waiting. False when nothing waits.
   */
  pushDevice(authenticatorId: string, action: 'scan' | 'approve' | 'deny'): Promise<boolean>;
}

/** One enrolment as the dev API shows it (GET /_dev/api/mfa builds it: src/routes/dev-mfa.ts). */
export interface DevMfaEnrolment {
  id: string;
  user_id: string;
  email?: string | undefined;
  factor: MfaFactor;
  confirmed: boolean;
  created_at: string;
  last_auth_at?: string | undefined;
  secret?: string;
  /** The code an authenticator app shows now, on Understudy's (dev) clock. */
  current_code?: string;
  code_valid_for_seconds?: number;
  phone_number?: string;
  recovery_code?: string;
  /** push and WebAuthn: the device's or key's name. */
  name?: string;
  /** push: the notification last sent and its answer. */
  push?: { status: 'pending' | 'approved' | 'rejected' | 'expired'; expires_at: string };
}

/** The parts of a Playwright `Page` this helper uses, so Playwright stays your dependency, not ours. */
export interface PageLike {
  fill(selector: string, value: string): Promise<void>;
  click(selector: string): Promise<unknown>;
  waitForSelector(selector: string, options?: { timeout?: number }): Promise<unknown>;
}
