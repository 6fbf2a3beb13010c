import type { PersistentKeys } from '../oauth/keys.js';
import type { FixedCodeRule } from './dev-records.js';
import type { DeliveryFault } from './dev-records.js';

/**
 * Everything Understudy remembers goes through this interface. Methods are async (so SQLite and Redis
 * stores fit behind it), atomic, and named for what the caller means, e.g. `consumeAuthorizationCode`
 * returns the code once and never again. Every implementation runs test/store/store-contract.ts.
 */

/** A login in progress: created by /authorize, finished by /authorize/resume. */
export interface Transaction {
  /** Understudy's own id: the `state` on /u/login/* URLs, never the client's state. */
  id: string;
  /** The browser that started it (the `did` cookie); screens and resume refuse other browsers. */
  deviceId: string;
  clientId: string;
  redirectUri: string;
  responseType: string;
  responseMode: 'query' | 'fragment' | 'form_post' | 'web_message';
  scope: string;
  audience: string | undefined;
  /** The client's own state, echoed back byte for byte. */
  clientState: string | undefined;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: 'S256' | 'plain' | undefined;
  maxAge: number | undefined;
  prompt: string | undefined;
  /** The connection the screens present (decided at /authorize), and the one finally used. */
  connection: string;
  loginHint: string | undefined;
  uiLocales: string | undefined;
  /** The identifier entered on login-id, normalised. */
  identifier: string | undefined;
  /** Set when the user proved who they are; /authorize/resume then issues the response. */
  authenticated: { userId: string; connection: string; authTime: number; sessionId: string } | undefined;
  /**
   * The WebAuthn challenge of the ceremony the current screen started (base64url), bound to this
   * login: a passkey answer is only checked against it. Optional, so stores that keep transactions
   * as JSON need nothing new.
   */
  webauthnChallenge?: string | undefined;
  /** The login /authorize planned: the default connection ('' for social only) and the client's social connections (login/login-plan.ts). */
  plan?: { connection: string; socials: string[] } | undefined;
  createdAt: number;
  expiresAt: number;
}

/** The one live code for a recipient on a connection (only the latest is valid). */
export interface OtpChallenge {
  /** `${connection}:${recipient}` */
  key: string;
  id: string;
  codeHash: string;
  attempts: number;
  /** Set once the attempts ran out: the code stays refused. */
  exhausted: boolean;
  expiresAt: number;
  createdAt: number;
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  redirectUri: string;
  userId: string;
  scope: string;
  audience: string | undefined;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: 'S256' | 'plain' | undefined;
  authTime: number;
  /** Whether /authorize carried max_age: the ID token then must carry auth_time. */
  maxAgeRequested: boolean;
  sessionId: string;
  expiresAt: number;
  /** False for codes from magic links: Auth0 gives those no refresh token. */
  refreshTokenAllowed?: boolean;
}

export interface Identity {
  provider: string;
  connection: string;
  user_id: string;
  isSocial: boolean;
}

/** A user, in the Management API's field names. */
export interface User {
  user_id: string;
  connection: string;
  email?: string;
  email_verified?: boolean;
  phone_number?: string;
  phone_verified?: boolean;
  name: string;
  nickname: string;
  given_name?: string;
  family_name?: string;
  picture: string;
  identities: Identity[];
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  blocked: boolean;
  created_at: string;
  updated_at: string;
  last_login?: string;
  logins_count: number;
  /** scrypt hash, database users only; never leaves the server. */
  password_hash?: string;
}

/**
 * A WebAuthn credential (passkey) of a database user, registered on the passkey-enrollment screen.
 * The id is the credential id as the browser reports it (base64url); it is unique across users.
 */
export interface Passkey {
  id: string;
  userId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The authenticator's signature counter; 0 for authenticators that do not count. */
  counter: number;
  transports: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  /** The authenticator model's AAGUID (all zeros when unknown). */
  aaguid: string;
  createdAt: string;
  lastUsedAt: string | undefined;
}

/** The SSO session behind the `auth0` cookie. */
export interface Session {
  id: string;
  userId: string;
  deviceId: string;
  authTime: number;
  /** Client ids that received tokens through this session. */
  clients: string[];
  createdAt: number;
  lastActiveAt: number;
  /** Absolute end (session_lifetime). The idle limit is checked against lastActiveAt. */
  expiresAt: number;
}

/**
 * A refresh token, stored under the SHA-256 of its value. Tokens that rotate into each other share a
 * family: reuse of a rotated token outside the leeway revokes the whole family (breach detection).
 */
export interface RefreshToken {
  tokenHash: string;
  familyId: string;
  clientId: string;
  userId: string;
  scope: string;
  audience: string | undefined;
  sessionId: string | undefined;
  createdAt: number;
  /** When this token was exchanged for a newer one (rotation); undefined while it is the newest. */
  rotatedAt: number | undefined;
  /** Absolute end of the family (token_lifetime), carried from token to token. */
  expiresAt: number;
  /** Idle end: each use pushes it out by idle_token_lifetime. */
  idleExpiresAt: number;
}

/** An email or SMS that Understudy "sent": the dev mailbox shows these instead. */
export interface Message {
  id: string;
  channel: 'email' | 'sms';
  to: string;
  from: string;
  subject: string | null;
  text: string;
  html: string | null;
  code: string | null;
  link: string | null;
  connection: string;
  client_id: string | null;
  created_at: string;
  expires_at: string;
}

export interface MessageFilter {
  to?: string | undefined;
  channel?: 'email' | 'sms' | undefined;
  /** Only messages newer than this message id. */
  after?: string | undefined;
}

export interface Store {
  createTransaction(txn: Transaction): Promise<void>;
  getTransaction(id: string): Promise<Transaction | undefined>;
  updateTransaction(id: string, patch: Partial<Omit<Transaction, 'id'>>): Promise<Transaction | undefined>;
  /** Removes and returns an authenticated transaction, so a second resume finds nothing. */
  finishTransaction(id: string): Promise<Transaction | undefined>;

  /** Stores the new code for its key, replacing (and so invalidating) any earlier one. */
  replaceOtpChallenge(challenge: OtpChallenge): Promise<void>;
  /** Counts one attempt before any comparison and returns the challenge as it is after counting. */
  recordOtpAttempt(key: string): Promise<OtpChallenge | undefined>;
  markOtpExhausted(key: string, id: string): Promise<void>;
  /** Deletes the challenge if it is still the one with this id; false when someone else used it first. */
  consumeOtpChallenge(key: string, id: string): Promise<boolean>;

  saveAuthorizationCode(code: AuthorizationCode): Promise<void>;
  /** Returns the code once; every later call (and any call after expiry) returns undefined. */
  consumeAuthorizationCode(code: string): Promise<AuthorizationCode | undefined>;

  getUser(userId: string): Promise<User | undefined>;
  findUser(connection: string, identifier: string): Promise<User | undefined>;
  /** Inserts the user unless one with the same connection + identifier exists; returns the stored one. */
  insertUser(user: User, identifier: string): Promise<User>;
  updateUser(userId: string, patch: Partial<User>): Promise<User | undefined>;
  /** Every user, in creation order (the Management API pages and filters them). */
  listUsers(): Promise<User[]>;
  /** Deletes the user with its identifier index, sessions, refresh tokens and passkeys; false when unknown. */
  deleteUser(userId: string): Promise<boolean>;

  /** Stores a new passkey; false (and nothing stored) when a passkey with its id exists already. */
  savePasskey(passkey: Passkey): Promise<boolean>;
  findPasskey(id: string): Promise<Passkey | undefined>;
  /** A user's passkeys, or every passkey when no user is given; oldest first. */
  listPasskeys(userId?: string): Promise<Passkey[]>;
  /** Records a use: the new signature counter and when; false when the passkey is gone. */
  updatePasskeyCounter(id: string, counter: number, lastUsedAt: string): Promise<boolean>;
  /** False when unknown. */
  deletePasskey(id: string): Promise<boolean>;

  saveRefreshToken(token: RefreshToken): Promise<void>;
  getRefreshToken(tokenHash: string): Promise<RefreshToken | undefined>;
  /**
   * Marks a token as rotated at `now` and returns it as it was before, so of two concurrent
   * exchanges exactly one sees `rotatedAt` undefined.
   */
  markRefreshTokenRotated(tokenHash: string, now: number): Promise<RefreshToken | undefined>;
  touchRefreshToken(tokenHash: string, idleExpiresAt: number): Promise<void>;
  /** Deletes every token of the family. */
  revokeRefreshTokenFamily(familyId: string): Promise<void>;
  /** Deletes every refresh token of a user, or of a user for one client. */
  revokeRefreshTokensOf(userId: string, clientId?: string): Promise<void>;

  createSession(session: Session): Promise<void>;
  /** Every live session, oldest first (snapshots export them). */
  listSessions(): Promise<Session[]>;
  getSession(id: string): Promise<Session | undefined>;
  updateSession(id: string, patch: Partial<Omit<Session, 'id'>>): Promise<Session | undefined>;
  deleteSession(id: string): Promise<void>;

  appendMessage(message: Message): Promise<void>;
  /** Newest first. */
  listMessages(filter: MessageFilter): Promise<Message[]>;
  clearMessages(): Promise<void>;

  /** Forgets everything (users, passkeys, sessions, codes, tokens, messages): back to an empty store. */
  reset(): Promise<void>;
  close(): Promise<void>;

  /**
   * Throws StoreUnavailableError (store-errors.ts) when the store's server cannot be reached (/readyz asks it).
   * In-process stores leave it out: they are always there.
   */
  ping?(): Promise<void>;
  /**
   * Keeps the first keys any process offered and returns the kept ones, so every process (and every
   * restart) signs with the same key and derives the same cookie and code keys. Stores that do not
   * outlive the process leave it out, and the data folder's keys are used as they are.
   */
  adoptKeys?(offered: PersistentKeys): Promise<PersistentKeys>;
  /** Present on stores that several processes share (Redis): the state the replicas hold in common. */
  shared?: SharedState;
}

/**
 * The run-time test controls and live notifications that replicas must share: the dev clock's
 * offset, fixed codes added at run time, delivery faults, and message arrivals (pub/sub).
 */
export interface SharedState {
  clockOffset(): Promise<number>;
  setClockOffset(ms: number): Promise<void>;
  /** Adds to the offset in one step and returns the new one. */
  addClockOffset(ms: number): Promise<number>;
  /** Rules added at run time, in order; `cleared` drops the tenant file's rules. */
  fixedCodeRules(): Promise<{ cleared: boolean; added: FixedCodeRule[] }>;
  addFixedCodeRule(rule: FixedCodeRule): Promise<void>;
  /** Forgets the added rules; `cleared` says whether the tenant file's rules are dropped too. */
  resetFixedCodeRules(cleared: boolean): Promise<void>;
  addFault(fault: DeliveryFault): Promise<void>;
  /** The first fault for this send, counted down in one step (as DeliveryFaults.take). */
  takeFault(to: string, channel: 'email' | 'sms'): Promise<DeliveryFault | undefined>;
  listFaults(): Promise<DeliveryFault[]>;
  resetFaults(): Promise<void>;
  /** Calls the listener for every message any process appends (pub/sub); returns the unsubscribe. */
  onMessage(listener: (message: Message) => void): () => void;
}

