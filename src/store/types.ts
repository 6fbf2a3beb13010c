import type { PersistentKeys } from './records.js';
import type { DeliveryFault, FixedCodeRule } from './dev-records.js';
import type { AuthorizationCode, LoginTicket, Message, MfaEnrolment, Organization, OrganizationInvitation, OrganizationMember, OtpChallenge, Passkey, Permission, RefreshToken, Role, Session, Transaction, User } from './records.js';

/**
 * The store's ports: one narrow interface per concern, which services take one by one (the OTP
 * service an OtpStore, the session service a SessionStore, ...). `Store` is all of them plus the
 * lifecycle, and each backend (memory, SQLite, Redis) implements it by composing one module per port.
 *
 * Methods are async (so SQLite and Redis fit behind them), atomic, and named for what the caller
 * means, e.g. `consumeAuthorizationCode` returns the code once and never again. Every backend runs
 * the contract suite in test/stores/, one describe per port. A new concern is one more port here,
 * one module per backend and one contract (as RBAC's RoleStore is).
 */

/** Logins in progress, from /authorize to /authorize/resume. */
export interface TransactionStore {
  createTransaction(txn: Transaction): Promise<void>;
  getTransaction(id: string): Promise<Transaction | undefined>;
  updateTransaction(id: string, patch: Partial<Omit<Transaction, 'id'>>): Promise<Transaction | undefined>;
  /** Removes and returns an authenticated transaction, so a second resume finds nothing. */
  finishTransaction(id: string): Promise<Transaction | undefined>;
}

/** The one live passwordless code per recipient and connection. */
export interface OtpStore {
  /** Stores the new code for its key, replacing (and so invalidating) any earlier one. */
  replaceOtpChallenge(challenge: OtpChallenge): Promise<void>;
  /** Counts one attempt before any comparison and returns the challenge as it is after counting. */
  recordOtpAttempt(key: string): Promise<OtpChallenge | undefined>;
  markOtpExhausted(key: string, id: string): Promise<void>;
  /** Deletes the challenge if it is still the one with this id; false when someone else used it first. */
  consumeOtpChallenge(key: string, id: string): Promise<boolean>;
}

/** Single-use authorization codes, from the login's response to the token exchange. */
export interface AuthorizationCodeStore {
  saveAuthorizationCode(code: AuthorizationCode): Promise<void>;
  /** Returns the code once; every later call (and any call after expiry) returns undefined. */
  consumeAuthorizationCode(code: string): Promise<AuthorizationCode | undefined>;
}

/** Login tickets of embedded login (/co/authenticate), each redeemed once at /authorize. */
export interface LoginTicketStore {
  saveLoginTicket(ticket: LoginTicket): Promise<void>;
  /** Returns the ticket once; every later call (and any call after expiry) returns undefined. */
  consumeLoginTicket(id: string): Promise<LoginTicket | undefined>;
}

/** Users, found by id or by the identifier their connection logs them in with. */
export interface UserStore {
  getUser(userId: string): Promise<User | undefined>;
  findUser(connection: string, identifier: string): Promise<User | undefined>;
  /**
   * Inserts the user unless one with the same connection + identifier exists; returns the stored one.
   * `aliases` are further identifiers findUser finds the user by (a database user's username).
   */
  insertUser(user: User, identifier: string, aliases?: string[]): Promise<User>;
  updateUser(userId: string, patch: Partial<User>): Promise<User | undefined>;
  /** Every user, in creation order (the Management API pages and filters them). */
  listUsers(): Promise<User[]>;
  /** Deletes the user with its identifier index, sessions, refresh tokens, passkeys, MFA enrolments (and their remembered-browser revocation), roles and permissions; false when unknown. */
  deleteUser(userId: string): Promise<boolean>;
}

/** WebAuthn credentials of database users. */
export interface PasskeyStore {
  /** Stores a new passkey; false (and nothing stored) when a passkey with its id exists already. */
  savePasskey(passkey: Passkey): Promise<boolean>;
  findPasskey(id: string): Promise<Passkey | undefined>;
  /** A user's passkeys, or every passkey when no user is given; oldest first. */
  listPasskeys(userId?: string): Promise<Passkey[]>;
  /** Records a use: the new signature counter and when; false when the passkey is gone. */
  updatePasskeyCounter(id: string, counter: number, lastUsedAt: string): Promise<boolean>;
  /** False when unknown. */
  deletePasskey(id: string): Promise<boolean>;
}

/** Users' second-factor enrolments (MfaEnrolment), and when each user's remembered browsers were last revoked. */
export interface MfaEnrolmentStore {
  /** Stores a new enrolment; false (and nothing stored) when one with its id exists already. */
  saveEnrolment(enrolment: MfaEnrolment): Promise<boolean>;
  findEnrolment(id: string): Promise<MfaEnrolment | undefined>;
  /** A user's enrolments, or every enrolment when no user is given; oldest first. */
  listEnrolments(userId?: string): Promise<MfaEnrolment[]>;
  /** Replaces the stored enrolment of the same id and user (confirmed, a new recovery code, the last use); false when it is gone. */
  updateEnrolment(enrolment: MfaEnrolment): Promise<boolean>;
  /** False when unknown. */
  deleteEnrolment(id: string): Promise<boolean>;
  /**
   * Forgets every browser the user asked to be remembered on (the `auth0-mf` cookie): cookies issued
   * before `at` (ms) no longer skip the challenge. The Management API's invalidate-remember-browser.
   */
  revokeRememberedBrowsers(userId: string, at: number): Promise<void>;
  /** When the user's remembered browsers were last revoked (ms), or undefined when never. */
  rememberedBrowsersRevokedAt(userId: string): Promise<number | undefined>;
}

/**
 * RBAC: roles and the permissions they hold, which users hold which roles, and permissions given to
 * users directly. A permission is held once: adding it again changes nothing. Whether a user or an
 * API exists is the caller's to check; a role that does not exist is never assigned.
 */
export interface RoleStore {
  /** Inserts the role unless one with its name or its id exists; returns the stored one and whether this call created it. */
  createRole(role: Role): Promise<{ role: Role; created: boolean }>;
  getRole(id: string): Promise<Role | undefined>;
  /** Every role, sorted by name (as Auth0 lists them). */
  listRoles(): Promise<Role[]>;
  /** Undefined when unknown; `name_taken`, with nothing changed, when another role has the new name. */
  updateRole(id: string, patch: { name?: string; description?: string }): Promise<Role | 'name_taken' | undefined>;
  /** Deletes the role with its permissions and assignments; false when unknown. */
  deleteRole(id: string): Promise<boolean>;
  /** Adds the permissions the role lacks, in order; false when the role is unknown. */
  addRolePermissions(roleId: string, permissions: Permission[]): Promise<boolean>;
  /** False when the role is unknown. */
  removeRolePermissions(roleId: string, permissions: Permission[]): Promise<boolean>;
  /** In the order they were added; empty for an unknown role. */
  listRolePermissions(roleId: string): Promise<Permission[]>;
  /** Gives the user the roles they lack, skipping ids of roles that do not exist. */
  assignRoles(userId: string, roleIds: string[]): Promise<void>;
  unassignRoles(userId: string, roleIds: string[]): Promise<void>;
  /** The user's roles, sorted by name. */
  listUserRoles(userId: string): Promise<Role[]>;
  /** Ids of the role's users, in the order they were given it. */
  listRoleUsers(roleId: string): Promise<string[]>;
  addUserPermissions(userId: string, permissions: Permission[]): Promise<void>;
  removeUserPermissions(userId: string, permissions: Permission[]): Promise<void>;
  /** The permissions given to the user directly (not through roles), in the order they were added. */
  listUserPermissions(userId: string): Promise<Permission[]>;
}

/**
 * Organizations, their members and the roles members hold in them. Names are unique; memberships
 * and member roles keep the order they were given; deleting an organization or removing a member
 * takes their member roles along. Member roles may be given before membership (Auth0 allows it).
 */
export interface OrganizationStore {
  /** Inserts it unless its id or name is taken (`name_taken`). */
  createOrganization(organization: Organization): Promise<Organization | 'name_taken'>;
  getOrganization(id: string): Promise<Organization | undefined>;
  findOrganizationByName(name: string): Promise<Organization | undefined>;
  /** In creation order. */
  listOrganizations(): Promise<Organization[]>;
  /** Replaces the stored record of its id: undefined when unknown, `name_taken` (nothing changed) when another has its name. */
  updateOrganization(organization: Organization): Promise<Organization | 'name_taken' | undefined>;
  /** Deletes it with its memberships, member roles and invitations; false when unknown. */
  deleteOrganization(id: string): Promise<boolean>;
  /** Adds the users who are not members yet, in order. */
  addOrganizationMembers(organizationId: string, userIds: string[]): Promise<void>;
  /** Removes the memberships and the roles held through them. */
  removeOrganizationMembers(organizationId: string, userIds: string[]): Promise<void>;
  /** Members in the order they joined, each with their role ids. */
  listOrganizationMembers(organizationId: string): Promise<OrganizationMember[]>;
  /** The membership, or undefined for a non-member (roles given before membership do not make one). */
  getOrganizationMember(organizationId: string, userId: string): Promise<OrganizationMember | undefined>;
  /** Ids of the organizations the user is a member of, in the order they joined. */
  listUserOrganizations(userId: string): Promise<string[]>;
  assignOrganizationMemberRoles(organizationId: string, userId: string, roleIds: string[]): Promise<void>;
  unassignOrganizationMemberRoles(organizationId: string, userId: string, roleIds: string[]): Promise<void>;
  /** Role ids the user holds in the organization, member or not yet. */
  listOrganizationMemberRoles(organizationId: string, userId: string): Promise<string[]>;
  saveInvitation(invitation: OrganizationInvitation): Promise<void>;
  getInvitation(organizationId: string, id: string): Promise<OrganizationInvitation | undefined>;
  findInvitationByTicket(ticketId: string): Promise<OrganizationInvitation | undefined>;
  /** The organization's invitations, newest first (Auth0's default sort, created_at:-1). */
  listInvitations(organizationId: string): Promise<OrganizationInvitation[]>;
  deleteInvitation(organizationId: string, id: string): Promise<boolean>;
  /** Removes the invitation of this ticket and returns it: of two concurrent acceptances, one gets it. */
  takeInvitation(ticketId: string): Promise<OrganizationInvitation | undefined>;
}

/** The SSO sessions behind the `auth0` cookie. */
export interface SessionStore {
  createSession(session: Session): Promise<void>;
  /** Every live session, oldest first (snapshots export them). */
  listSessions(): Promise<Session[]>;
  getSession(id: string): Promise<Session | undefined>;
  updateSession(id: string, patch: Partial<Omit<Session, 'id'>>): Promise<Session | undefined>;
  deleteSession(id: string): Promise<void>;
}

/** Refresh tokens by hash, in rotation families. */
export interface RefreshTokenStore {
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
}

export interface MessageFilter {
  to?: string | undefined;
  channel?: 'email' | 'sms' | undefined;
  /** Only messages newer than this message id. */
  after?: string | undefined;
  /** At most this many (the newest), where the caller needs no more: the latest message, say. */
  limit?: number | undefined;
}

/** The dev mailbox the outbox writes to, bounded to the newest messages. */
export interface MessageStore {
  appendMessage(message: Message): Promise<void>;
  /** Newest first. */
  listMessages(filter: MessageFilter): Promise<Message[]>;
  clearMessages(): Promise<void>;
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

/** Present on stores that several processes share (Redis): the state the replicas hold in common. */
export interface SharedStateStore {
  shared?: SharedState;
}

/** The signing key and master secret, kept by stores that outlive the process. */
export interface KeyStore {
  /**
   * Keeps the first keys any process offered and returns the kept ones, so every process (and every
   * restart) signs with the same key and derives the same cookie and code keys. Stores that do not
   * outlive the process leave it out, and the data folder's keys are used as they are.
   */
  adoptKeys?(offered: PersistentKeys): Promise<PersistentKeys>;
}

export interface StoreLifecycle {
  /** Forgets everything (users, roles, passkeys, MFA enrolments, sessions, codes, tokens, messages): back to an empty store. */
  reset(): Promise<void>;
  close(): Promise<void>;
  /**
   * Throws StoreUnavailableError (store-errors.ts) when the store's server cannot be reached (/readyz asks it).
   * In-process stores leave it out: they are always there.
   */
  ping?(): Promise<void>;
}

/** Everything Understudy remembers: every port, as one backend implements them. */
export interface Store
  extends TransactionStore,
    OtpStore,
    AuthorizationCodeStore,
    LoginTicketStore,
    UserStore,
    RoleStore,
    OrganizationStore,
    PasskeyStore,
    MfaEnrolmentStore,
    SessionStore,
    RefreshTokenStore,
    MessageStore,
    SharedStateStore,
    KeyStore,
    StoreLifecycle {}
