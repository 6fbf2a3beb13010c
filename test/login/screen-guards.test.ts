import { describe, expect, it } from 'vitest';
import type { Transaction } from '../../src/store/records.js';
import type { Connection } from '../../src/tenant/model.js';
import { nextStep, screenUrl, type GuardInput, type LoginProfile } from '../../src/login/screens.js';

/**
 * The login screens' navigation as the pure function it is (src/login/screens.ts): where a GET or a
 * POST of each screen goes instead, for each profile and state of the transaction. The HTTP tests
 * walk the same rules through the routes.
 */
const connection = (name: string, strategy: string, kind: Connection['kind']): Connection => ({
  name,
  strategy,
  kind,
  enabledClients: new Set(['app']),
  otp: { length: 6, timeStepSeconds: 300 },
  disableSignup: false,
  messageTemplates: undefined,
  bruteForceProtection: true,
  passwordPolicy: { strength: 'none', minLength: undefined, noPersonalInfo: false, dictionary: undefined, historySize: 0 },
  authenticationMethods: { password: true, emailOtp: false, phoneOtp: false },
  displayName: name,
  username: { required: false, minLength: 1, maxLength: 15 },
  enterprise: undefined,
});
const EMAIL = connection('email', 'email', 'passwordless');
const SMS = connection('sms', 'sms', 'passwordless');
const DB = connection('Username-Password-Authentication', 'auth0', 'database');
const IDENTIFIER_FIRST: LoginProfile = { identifierFirst: true, biometrics: false };
const ONE_PAGE: LoginProfile = { identifierFirst: false, biometrics: false };
const BIOMETRICS: LoginProfile = { identifierFirst: true, biometrics: true };

function input(overrides: Partial<Transaction>, rest: Partial<Omit<GuardInput, 'txn'>> = {}): GuardInput {
  const txn = { id: 't1', connection: 'email', identifier: undefined, authenticated: undefined, ...overrides } as Transaction;
  return { txn, intent: 'show', profile: IDENTIFIER_FIRST, connection: EMAIL, ...rest };
}
const authenticated = { userId: 'email|1', connection: 'email', authTime: 1, sessionId: 's1' };

describe('nextStep', () => {
  it('sends a finished login to resume from every step it may not repeat', () => {
    for (const screen of ['email-challenge', 'sms-challenge', 'login', 'passkey', 'social'] as const) {
      const profile = screen === 'login' ? ONE_PAGE : BIOMETRICS;
      expect(nextStep(screen, input({ authenticated, identifier: 'a@example.com' }, { profile })), screen).toBe('resume');
    }
    // login-id and the password step only refuse a repeated POST; their GET shows the page.
    expect(nextStep('identifier', input({ authenticated }))).toBeUndefined();
    expect(nextStep('identifier', input({ authenticated }, { intent: 'submit' }))).toBe('resume');
    expect(nextStep('password', input({ authenticated, identifier: 'a@example.com' }, { connection: DB }))).toBe('resume');
  });

  it('keeps each profile on its own screens', () => {
    expect(nextStep('identifier', input({}, { profile: ONE_PAGE }))).toBe('login');
    expect(nextStep('password', input({ identifier: 'a@example.com' }, { profile: ONE_PAGE, intent: 'submit' }))).toBe('login');
    expect(nextStep('login', input({}))).toBe('identifier');
    expect(nextStep('passkey', input({ identifier: 'a@example.com' }))).toBe('identifier');
    expect(nextStep('passkey-enrollment', input({ authenticated }))).toBe('resume');
    expect(nextStep('passkey-enrollment', input({ authenticated }, { profile: BIOMETRICS }))).toBeUndefined();
    expect(nextStep('passkey-enrollment', input({}, { profile: BIOMETRICS }))).toBe('identifier');
  });

  it("shows a challenge only for the transaction's own channel, once an identifier was sent", () => {
    expect(nextStep('email-challenge', input({ identifier: 'a@example.com' }))).toBeUndefined();
    expect(nextStep('sms-challenge', input({ identifier: 'a@example.com' }))).toBe('email-challenge');
    expect(nextStep('email-challenge', input({ identifier: '+15551234567', connection: 'sms' }, { connection: SMS }))).toBe('sms-challenge');
    expect(nextStep('email-challenge', input({}))).toBe('identifier');
    expect(nextStep('email-challenge', input({ identifier: 'a@example.com' }, { connection: DB }))).toBe('identifier');
  });

  it('asks for the identifier before the password', () => {
    expect(nextStep('password', input({}, { connection: DB }))).toBe('identifier');
    expect(nextStep('password', input({ identifier: 'a@example.com' }, { connection: DB }))).toBeUndefined();
  });
});

describe('screenUrl', () => {
  it("puts the transaction in `state` and the social screen's connection after it", () => {
    expect(screenUrl('identifier', { id: 'a b' })).toBe('/u/login/identifier?state=a%20b');
    expect(screenUrl('social', { id: 't1' }, { connection: 'google-oauth2' })).toBe('/u/login/social?state=t1&connection=google-oauth2');
    expect(screenUrl('resume', { id: 't1' })).toBe('/authorize/resume?state=t1');
  });
});
