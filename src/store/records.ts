import type { JWK } from 'jose';
import type { TransactionMfa } from './authenticator-records.js';
import type { StoredTokenChanges } from './token-changes.js';
export type { MfaEnrolment, MfaFactor, Passkey, PendingPush, TransactionMfa } from './authenticator-records.js';
export type { StoredTokenChanges } from './token-changes.js';

/**
 * The domain records: what Understudy remembers, as plain data (a login in progress, an OTP
 * challenge, a code, a user, a passkey, an SSO session, a refresh token, a dev mailbox message, an
 * RBAC role and permission; passkeys and second factors in ./authenticator-records.ts). Every layer passes these around; the
 * ports that keep them are in ./types.ts. It imports only its sibling record modules, so anything may depend on it.
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
  /** The organization the login is to (/authorize's `organization`); its tokens carry org_id. */
  organization?: OrganizationRef | undefined;
  /** The ticket of the organization invitation the login accepts when it ends. */
  invitation?: string | undefined;
  /** Sign-up on the login screens: the username typed on signup-id, where the connection has usernames (the email is `identifier`). */
  signupUsername?: string | undefined;
  /** False when the login's code may not get a refresh token (a magic link's, sent on to a second factor). */
  refreshTokenAllowed?: false | undefined;
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
  /** What the tenant's post-login Actions changed on the tokens this code will get (oauth/finish-login.ts). */
  tokenChanges?: StoredTokenChanges;
  /** The ID token's amr and acr, when the login passed a second factor. */
  authentication?: { amr: string[]; acr?: string | undefined } | undefined;
  /** When the login's session passed a second factor (seconds), for the refresh tokens the code gets. */
  mfaAt?: number | undefined;
  /** The organization the login was to. */
  organization?: OrganizationRef | undefined;
}

/** What an /authorize request asked for, as a login keeps it until it is answered. */
export type AuthorizationRequestRecord = Pick<
  Transaction,
  'clientId' | 'redirectUri' | 'responseType' | 'responseMode' | 'scope' | 'audience' | 'clientState' | 'nonce' | 'codeChallenge' | 'codeChallengeMethod' | 'maxAge' | 'prompt' | 'uiLocales' | 'loginHint' | 'acrValues' | 'organization' | 'invitation'
>;

/** The organization a login, a code or a refresh token is bound to: what its tokens carry (org_id, org_name). */
export interface OrganizationRef {
  id: string;
  name: string;
}

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
  /** The hashes of earlier passwords, newest first, for password_history; never leaves the server. */
  password_history?: string[];
}

/**
 * An organization (Auth0's `org_` + 16 alphanumerics) with the connections enabled for it, by name
 * (the Management API shows their `con_` ids). Members and their roles are kept beside it.
 */
export interface Organization {
  id: string;
  /** Unique: lower-case letters, digits, `_` and `-`, 1 to 50 characters. */
  name: string;
  display_name?: string | undefined;
  branding?: { logo_url?: string | undefined; colors?: { primary: string; page_background: string } | undefined } | undefined;
  metadata?: Record<string, string> | undefined;
  enabled_connections: OrganizationConnection[];
  /** Client ids whose client grants are assigned to it, for machine-to-machine tokens that name it. */
  client_grants?: string[] | undefined;
  created_at: string;
}

export interface OrganizationConnection {
  connection: string;
  assign_membership_on_login: boolean;
  show_as_button: boolean;
  is_signup_enabled: boolean;
}

/**
 * An invitation to an organization (Auth0's `uinv_` id and a 32-character ticket): the link it mails
 * logs the invitee in (or signs them up) and makes them a member with its roles, once, before it expires.
 */
export interface OrganizationInvitation {
  id: string;
  organization_id: string;
  ticket_id: string;
  inviter: { name: string };
  invitee: { email: string };
  client_id: string;
  connection_id?: string | undefined;
  app_metadata?: Record<string, unknown> | undefined;
  user_metadata?: Record<string, unknown> | undefined;
  roles?: string[] | undefined;
  invitation_url: string;
  created_at: string;
  expires_at: string;
}

/** A user's membership of an organization, with the roles they hold in it (role ids, in the order given). */
export interface OrganizationMember {
  organizationId: string;
  userId: string;
  roleIds: string[];
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
  /** The organization the family belongs to: a refresh keeps it (Auth0 binds refresh tokens to their organization). */
  organization?: OrganizationRef | undefined;
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
