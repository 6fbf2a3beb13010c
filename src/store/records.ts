import type { JWK } from 'jose';

/**
 * The domain records: what Understudy remembers, as plain data (a login in progress, an OTP
 * challenge, a code, a user, a passkey, an SSO session, a refresh token, a dev mailbox message, an
 * RBAC role and permission).
 * Every layer passes these around; the ports that keep them are in ./types.ts. This module imports
 * nothing, so anything may depend on it.
 */

/** A login in progress: created by /authorize, finished by /authorize/resume. */
export interface Transaction {
  /** Understudy's own id: the `state` on Universal Login screen URLs, never the client's state. */
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
  /** acr_values as the application sent it (space-separated). */
  acrValues?: string | undefined;
  /** The second factor this login must pass before resume issues the response (src/mfa/). */
  mfa?: TransactionMfa | undefined;
  createdAt: number;
  expiresAt: number;
}

/** What the post-login Actions change on the tokens (oauth/finish-login.ts TokenChanges), as stores keep it. */
export interface StoredTokenChanges {
  idTokenClaims: Record<string, unknown>;
  accessTokenClaims: Record<string, unknown>;
  addScopes: string[];
  removeScopes: string[];
}

/**
 * A login's second factor. Auth0 asks for it at the end of the login, after the post-login Actions
 * (which can ask for it), so what they decided waits here until the factor passes.
 */
export interface TransactionMfa {
  /** Whether "Remember this device for 30 days" is offered (the policy, or an Action's allowRememberBrowser). */
  allowRememberBrowser: boolean;
  /** The factors an Action limited the login to (challengeWith, enrollWith…); undefined: any the tenant enabled. */
  factors?: MfaFactor[] | undefined;
  /** true when only enrolment was asked for (enrollWith…): a user with a factor still enrols a new one. */
  enrolOnly?: boolean | undefined;
  /** acr_values asked for multi-factor: the ID token gets `acr`. */
  acrRequested?: boolean | undefined;
  /** The post-login Actions' token changes, applied when resume issues the response. */
  changes: StoredTokenChanges;
  /** The enrolment this login is setting up (an otp secret shown until its first code, a phone number). */
  enrolmentId?: string | undefined;
  /** The recovery code made with this login's first enrolment, shown once and confirmed before resume. */
  recoveryCode?: string | undefined;
  /** Set when the factor passed (seconds): resume issues the response. */
  passedAt?: number | undefined;
  /** The user asked this browser to be remembered. */
  rememberBrowser?: boolean | undefined;
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
  /** What the tenant's post-login Actions changed on the tokens this code will get (oauth/finish-login.ts). */
  tokenChanges?: StoredTokenChanges;
  /** The ID token's amr and acr, when the login passed a second factor. */
  authentication?: { amr: string[]; acr?: string | undefined } | undefined;
  /** When the login's session passed a second factor (seconds), for the refresh tokens the code gets. */
  mfaAt?: number | undefined;
}

/** What an /authorize request asked for, as a login keeps it until it is answered. */
export type AuthorizationRequestRecord = Pick<
  Transaction,
  'clientId' | 'redirectUri' | 'responseType' | 'responseMode' | 'scope' | 'audience' | 'clientState' | 'nonce' | 'codeChallenge' | 'codeChallengeMethod' | 'maxAge' | 'prompt' | 'uiLocales' | 'loginHint' | 'acrValues'
>;

/**
 * A login proven at /co/authenticate (embedded login: auth0.js, Lock), handed to the browser as its
 * `login_ticket` and redeemed once at /authorize. It is bound to the SSO session /co/authenticate
 * opened and, through `verifierHash`, to the `co_verifier` the SDK kept, which the cross-origin
 * verification page brings back when the browser did not keep the session cookie.
 */
export interface LoginTicket {
  id: string;
  clientId: string;
  userId: string;
  connection: string;
  /** When the code was verified (seconds). */
  authTime: number;
  sessionId: string;
  /** The `co_id` the SDK keys its verifier by. */
  coId: string;
  /** SHA-256 of the `co_verifier`, base64url. */
  verifierHash: string;
  expiresAt: number;
  /** Set while the verification page runs: the /authorize request it will answer, and the browser (`did`) that sent it. */
  awaiting?: { deviceId: string; request: AuthorizationRequestRecord } | undefined;
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
  /** Database connections with requires_username: a second identifier the user logs in with. */
  username?: string;
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

/** The second factors Auth0's Guardian offers, by the names its factors and Actions use. */
export type MfaFactor = 'otp' | 'sms' | 'email' | 'recovery-code' | 'push-notification' | 'webauthn-roaming' | 'webauthn-platform' | 'duo';

/**
 * A user's enrolment in a second factor (Auth0's Guardian enrolment, the MFA API's authenticator).
 * One record per factor a user set up; a recovery code is an enrolment of its own, as in Auth0.
 */
export interface MfaEnrolment {
  /** `<kind>|dev_<16 alphanumerics>`, Auth0's authenticator ids: totp|…, sms|…, email|…, push|…, recovery-code|…, webauthn-…|…. */
  id: string;
  userId: string;
  factor: MfaFactor;
  /** False until the user proved the factor once (Auth0's `pending` enrolment, an MFA API authenticator with `active: false`). */
  confirmed: boolean;
  /** otp and push: the TOTP secret, base32 (push keeps one as its manual-code fallback). */
  secret?: string | undefined;
  /** otp: the time step of the last code accepted, so that code cannot pass again. */
  lastStep?: number | undefined;
  /** sms: the phone number, E.164. */
  phoneNumber?: string | undefined;
  /** email: the address codes go to. */
  email?: string | undefined;
  /** recovery-code: the code, kept readable so the dev plane can show it (a tenant keeps its hash). */
  recoveryCode?: string | undefined;
  /** push and WebAuthn: the device or key's name. */
  name?: string | undefined;
  createdAt: string;
  /** The last time the factor passed a challenge. */
  lastAuthAt?: string | undefined;
}

/** An RBAC role (Auth0's `rol_` + 16 alphanumerics); its permissions and members are kept beside it. */
export interface Role {
  id: string;
  name: string;
  description: string | undefined;
}

/** One scope of one API, held by a role or given to a user directly. */
export interface Permission {
  resourceServerIdentifier: string;
  permissionName: string;
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
  /** When the session passed a second factor (seconds): later logins through it carry amr ["mfa"] and skip the challenge. */
  mfaAt?: number | undefined;
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
  /** When the login behind the family passed a second factor (seconds): post-login sees `mfa` on every refresh. */
  mfaAt?: number | undefined;
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

/** The keys that outlive a process: the RS256 signing key (a JWK) and the master secret other keys derive from. */
export interface PersistentKeys {
  signingJwk: JWK;
  masterSecret: Buffer;
}
