import { connectionId, type Client, type Connection } from '../tenant/model.js';
import type { Organization, User } from '../store/records.js';

/**
 * The `event` objects Auth0 documents for each trigger (post-login v3, credentials-exchange v2,
 * pre- and post-user-registration v2), filled with Understudy's real values. Field names follow
 * Auth0's Actions type definitions (docs/research/auth0-actions-rbac.md §1, §6, §7).
 */

/** What the HTTP layer knows of the request that led to the login. */
export interface RequestFacts {
  ip: string;
  hostname: string;
  method: string;
  userAgent: string | undefined;
  language: string | undefined;
  query: Record<string, unknown>;
  /** Filled only for token-endpoint exchanges, as Auth0 does. */
  body?: Record<string, unknown>;
}

/** What the authorization request asked for; absent fields are left out of event.transaction. */
export interface TransactionFacts {
  id?: string;
  protocol: string;
  requestedScopes: string[];
  redirectUri?: string;
  responseMode?: string;
  responseType?: string[];
  state?: string;
  prompt?: string[];
  uiLocales?: string[];
  acrValues?: string[];
  loginHint?: string;
}

export interface PostLoginFacts {
  user: User;
  client: Client;
  connection: Connection | undefined;
  request: RequestFacts;
  transaction: TransactionFacts;
  /** Names of the user's roles (RBAC). */
  roles: string[];
  /** How the user proved who they are in this login: `email`, `sms`, `pwd`, `passkey`, `federated`, … */
  authenticationMethods: { name: string; timestamp: string }[];
  audience: string | undefined;
  sessionId: string | undefined;
  /** The organization the login is to (event.organization). */
  organization?: Organization | undefined;
}

export interface TenantFacts {
  tenantId: string;
}

const connectionOf = (connection: Connection | undefined, fallbackName: string): Record<string, unknown> => ({
  id: connectionId(connection?.name ?? fallbackName),
  name: connection?.name ?? fallbackName,
  strategy: connection?.strategy ?? fallbackName,
  metadata: {},
});

/** event.organization: Auth0's {id, name, display_name, metadata} (docs/research/auth0-organizations.md §7.1). */
const organizationOf = (organization: Organization): Record<string, unknown> => ({
  id: organization.id,
  name: organization.name,
  display_name: organization.display_name ?? organization.name,
  metadata: organization.metadata ?? {},
});

const clientOf = (client: Client): Record<string, unknown> => ({ client_id: client.clientId, name: client.name, metadata: client.metadata });

function requestOf(request: RequestFacts): Record<string, unknown> {
  return {
    ip: request.ip,
    hostname: request.hostname,
    method: request.method,
    query: request.query,
    body: request.body ?? {},
    geoip: {},
    ...(request.userAgent ? { user_agent: request.userAgent } : {}),
    ...(request.language ? { language: request.language } : {}),
  };
}

function transactionOf(t: TransactionFacts): Record<string, unknown> {
  const out: Record<string, unknown> = { protocol: t.protocol, requested_scopes: t.requestedScopes, metadata: {} };
  if (t.id) out.id = t.id;
  if (t.redirectUri) out.redirect_uri = t.redirectUri;
  if (t.responseMode) out.response_mode = t.responseMode;
  if (t.responseType) out.response_type = t.responseType;
  if (t.state) out.state = t.state;
  out.prompt = t.prompt ?? [];
  out.ui_locales = t.uiLocales ?? [];
  out.acr_values = t.acrValues ?? [];
  if (t.uiLocales?.[0]) out.locale = t.uiLocales[0];
  if (t.loginHint) out.login_hint = t.loginHint;
  return out;
}

/** The user as Actions see it: the profile without Understudy's own fields (no password hash, no logins_count). */
export function userOf(user: User): Record<string, unknown> {
  const { password_hash: _hash, password_history: _history, logins_count: _count, blocked: _blocked, connection: _connection, ...profile } = user;
  return {
    ...profile,
    email_verified: user.email_verified ?? false,
    identities: user.identities.map((identity) => ({ ...identity, isSocial: identity.isSocial ?? false })),
  };
}

export function postLoginEvent(facts: PostLoginFacts, tenant: TenantFacts, secrets: Record<string, string>): Record<string, unknown> {
  return {
    user: userOf(facts.user),
    client: clientOf(facts.client),
    connection: connectionOf(facts.connection, facts.user.connection),
    request: requestOf(facts.request),
    transaction: transactionOf(facts.transaction),
    authorization: { roles: facts.roles },
    authentication: { methods: facts.authenticationMethods },
    ...(facts.audience ? { resource_server: { identifier: facts.audience } } : {}),
    ...(facts.sessionId ? { session: { id: facts.sessionId } } : {}),
    ...(facts.organization ? { organization: organizationOf(facts.organization) } : {}),
    stats: { logins_count: facts.user.logins_count },
    tenant: { id: tenant.tenantId },
    secrets,
  };
}

export interface CredentialsExchangeFacts {
  client: Client;
  audience: string;
  scopes: string[];
  request: RequestFacts;
  /** The organization the token names (event.organization). */
  organization?: Organization | undefined;
}

export function credentialsExchangeEvent(facts: CredentialsExchangeFacts, tenant: TenantFacts, secrets: Record<string, string>): Record<string, unknown> {
  return {
    client: clientOf(facts.client),
    resource_server: { identifier: facts.audience },
    request: requestOf(facts.request),
    transaction: { requested_scopes: facts.scopes },
    accessToken: { scope: facts.scopes, customClaims: {} },
    ...(facts.organization ? { organization: organizationOf(facts.organization) } : {}),
    tenant: { id: tenant.tenantId },
    secrets,
  };
}

export interface RegistrationFacts {
  /** The profile about to be created (pre-) or just created (post-). */
  user: Partial<User>;
  connection: Connection | undefined;
  connectionName: string;
  client: Client | undefined;
  request: RequestFacts | undefined;
  transaction: TransactionFacts | undefined;
}

/** A password just changed (the reset screen, or the Management API). */
export interface PasswordChangeFacts {
  user: User;
  connection: Connection | undefined;
  connectionName: string;
  request: RequestFacts | undefined;
}

/**
 * post-change-password's event: Auth0 gives the user only these fields, no metadata
 * (docs/research/auth0-email-templates.md §3).
 */
export function passwordChangeEvent(facts: PasswordChangeFacts, tenant: TenantFacts, secrets: Record<string, string>, changedAt: string): Record<string, unknown> {
  const { user } = facts;
  return {
    user: {
      user_id: user.user_id,
      ...(user.email !== undefined ? { email: user.email, email_verified: user.email_verified === true } : {}),
      ...(user.username !== undefined ? { username: user.username } : {}),
      ...(user.phone_number !== undefined ? { phone_number: user.phone_number, phone_verified: user.phone_verified === true } : {}),
      last_password_reset: changedAt,
    },
    connection: connectionOf(facts.connection, facts.connectionName),
    ...(facts.request ? { request: requestOf(facts.request) } : {}),
    tenant: { id: tenant.tenantId },
    secrets,
  };
}

export function registrationEvent(facts: RegistrationFacts, tenant: TenantFacts, secrets: Record<string, string>, stage: 'pre' | 'post'): Record<string, unknown> {
  const { password_hash: _hash, password_history: _history, logins_count: _count, blocked: _blocked, connection: _connection, identities: _identities, ...profile } = facts.user;
  return {
    user: { app_metadata: {}, user_metadata: {}, ...profile },
    connection: connectionOf(facts.connection, facts.connectionName),
    // post-user-registration has no client (Auth0's v2 event).
    ...(stage === 'pre' && facts.client ? { client: clientOf(facts.client) } : {}),
    ...(facts.request ? { request: requestOf(facts.request) } : {}),
    ...(facts.transaction ? { transaction: transactionOf(facts.transaction) } : {}),
    tenant: { id: tenant.tenantId },
    secrets,
  };
}
