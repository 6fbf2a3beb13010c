import { afterEach, beforeEach } from 'vitest';
import { createManualClock, type ManualClock } from '../../../src/clock.js';
import type { AuthorizationCode, Message, MfaEnrolment, OtpChallenge, Passkey, Permission, RefreshToken, Role, Session, Transaction, User } from '../../../src/store/records.js';
import type { Store } from '../../../src/store/types.js';

/**
 * The contract suite's fixtures: a fresh store of one backend on a manual clock for every test, and
 * builders for each record, dated by that clock. A store must read time only from the clock it is
 * given, so expiry is tested by moving the clock.
 */
export const T0 = Date.parse('2026-03-01T10:00:00Z');
export const MINUTE = 60_000;

/** A way of opening an empty store; ./backends.ts has memory, SQLite and Redis. */
export interface StoreBackend {
  name: string;
  open(clock: ManualClock): Promise<Store> | Store;
}

export interface StoreUnderTest {
  /** The store of the running test (set before each test, closed after). */
  store: Store;
  clock: ManualClock;
  records: RecordBuilders;
}

/** One port's contract: its cases, written against whichever backend `subject` opens. */
export interface PortContract {
  /** The port's interface in src/store/types.ts. */
  port: string;
  concern: string;
  cases(subject: StoreUnderTest): void;
}

/** Opens a fresh store before each test of the enclosing describe and closes it after. */
export function useStore(backend: StoreBackend): StoreUnderTest {
  const subject = { records: recordBuilders(() => subject.clock.now()) } as StoreUnderTest;
  beforeEach(async () => {
    subject.clock = createManualClock(T0);
    subject.store = await backend.open(subject.clock);
  });
  afterEach(async () => {
    await subject.store.close();
  });
  return subject;
}

export type RecordBuilders = ReturnType<typeof recordBuilders>;

/** An otp enrolment, pending, of the first fixture user (the durability and replica tests use it too). */
export const mfaEnrolment = (overrides: Partial<MfaEnrolment> = {}): MfaEnrolment => ({
  id: 'totp|dev_AAAAAAAAAAAAAAAA',
  userId: 'auth0|aaaaaaaaaaaaaaaaaaaaaaaa',
  factor: 'otp',
  confirmed: false,
  secret: 'JBSWY3DPEHPK3PXP',
  createdAt: '2026-03-01T10:00:00.000Z',
  lastAuthAt: undefined,
  ...overrides,
});

function recordBuilders(now: () => number) {
  const transaction = (overrides: Partial<Transaction> = {}): Transaction => ({
    id: 'txn_1',
    deviceId: 'device_1',
    clientId: 'client_1',
    redirectUri: 'http://localhost:3000/callback',
    responseType: 'code',
    responseMode: 'query',
    scope: 'openid profile',
    audience: undefined,
    clientState: 'client-state',
    nonce: 'n-0S6_WzA2Mj',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
    maxAge: undefined,
    prompt: undefined,
    connection: 'email',
    loginHint: undefined,
    uiLocales: undefined,
    identifier: undefined,
    authenticated: undefined,
    createdAt: now(),
    expiresAt: now() + 30 * MINUTE,
    ...overrides,
  });

  const authenticated = (sessionId = 'sess_1'): NonNullable<Transaction['authenticated']> => ({
    userId: 'email|0123456789abcdef01234567',
    connection: 'email',
    authTime: Math.floor(now() / 1000),
    sessionId,
  });

  const challenge = (overrides: Partial<OtpChallenge> = {}): OtpChallenge => ({
    key: 'email:jane@example.com',
    id: 'otp_1',
    codeHash: 'hash-of-code-1',
    attempts: 0,
    exhausted: false,
    createdAt: now(),
    expiresAt: now() + 3 * MINUTE,
    ...overrides,
  });

  const authCode = (overrides: Partial<AuthorizationCode> = {}): AuthorizationCode => ({
    code: 'code_1',
    clientId: 'client_1',
    redirectUri: 'http://localhost:3000/callback',
    userId: 'email|0123456789abcdef01234567',
    scope: 'openid profile email',
    audience: undefined,
    nonce: 'nonce-1',
    codeChallenge: 'challenge',
    codeChallengeMethod: 'S256',
    authTime: Math.floor(now() / 1000),
    maxAgeRequested: false,
    sessionId: 'sess_1',
    expiresAt: now() + MINUTE,
    ...overrides,
  });

  const user = (overrides: Partial<User> = {}): User => ({
    user_id: 'email|0123456789abcdef01234567',
    connection: 'email',
    email: 'jane@example.com',
    email_verified: true,
    name: 'jane@example.com',
    nickname: 'jane',
    picture: 'https://cdn.example/avatar/ja.png',
    identities: [{ provider: 'email', connection: 'email', user_id: '0123456789abcdef01234567', isSocial: false }],
    app_metadata: { plan: 'free' },
    user_metadata: { theme: 'dark' },
    blocked: false,
    created_at: new Date(now()).toISOString(),
    updated_at: new Date(now()).toISOString(),
    logins_count: 0,
    ...overrides,
  });

  const session = (overrides: Partial<Session> = {}): Session => ({
    id: 'sess_1',
    userId: 'email|0123456789abcdef01234567',
    deviceId: 'device_1',
    authTime: Math.floor(now() / 1000),
    clients: ['client_1'],
    createdAt: now(),
    lastActiveAt: now(),
    expiresAt: now() + 72 * 60 * MINUTE,
    ...overrides,
  });

  const refreshToken = (overrides: Partial<RefreshToken> = {}): RefreshToken => ({
    tokenHash: 'rt_hash_1',
    familyId: 'family_1',
    clientId: 'client_1',
    userId: 'email|0123456789abcdef01234567',
    scope: 'openid profile offline_access',
    audience: undefined,
    sessionId: 'sess_1',
    createdAt: now(),
    rotatedAt: undefined,
    expiresAt: now() + 30 * 24 * 60 * MINUTE,
    idleExpiresAt: now() + 15 * 24 * 60 * MINUTE,
    ...overrides,
  });

  // Ids sort in arrival order, as the outbox makes them.
  let messageSeq = 0;
  const message = (overrides: Partial<Message> = {}): Message => {
    messageSeq++;
    return {
      id: `msg_${String(messageSeq).padStart(6, '0')}`,
      channel: 'email',
      to: 'jane@example.com',
      from: 'App <no-reply@understudy.local>',
      subject: 'Welcome to App',
      text: `Your verification code is: ${String(messageSeq).padStart(6, '0')}`,
      html: '<p>code</p>',
      code: String(messageSeq).padStart(6, '0'),
      link: null,
      connection: 'email',
      client_id: 'client_1',
      created_at: new Date(now()).toISOString(),
      expires_at: new Date(now() + 3 * MINUTE).toISOString(),
      ...overrides,
    };
  };

  const passkey = (overrides: Partial<Passkey> = {}): Passkey => ({
    id: 'cred_1',
    userId: 'auth0|aaaaaaaaaaaaaaaaaaaaaaaa',
    publicKey: 'pQECAyYgASFYIK',
    counter: 0,
    transports: ['internal'],
    deviceType: 'singleDevice',
    backedUp: false,
    aaguid: '00000000-0000-0000-0000-000000000000',
    createdAt: '2026-03-01T10:00:00.000Z',
    lastUsedAt: undefined,
    ...overrides,
  });

  const role = (overrides: Partial<Role> = {}): Role => ({ id: 'rol_AAAAAAAAAAAAAAAA', name: 'Admin', description: 'Administrators', ...overrides });

  const permission = (permissionName: string, resourceServerIdentifier = 'https://api.example.com'): Permission => ({ resourceServerIdentifier, permissionName });

  return { transaction, authenticated, challenge, authCode, user, session, refreshToken, message, passkey, mfaEnrolment, role, permission };
}
