/**
 * The tenant as Understudy uses it at run time: clients, connections, APIs and seed users, already
 * validated and with every default filled in. Built once at start-up from the tenant file (or the
 * embedded default tenant) by src/config/tenant-file.ts.
 */
import type { TenantActions } from './action-model.js';
import type { MfaFactor, Permission } from '../store/records.js';

export { APP_TYPES, clientKind, isConfidential, PASSWORDLESS_OTP_GRANT, type AppType, type Client, type ClientKind, type RefreshTokenPolicy, type TokenEndpointAuthMethod } from './clients.js';
import type { Client } from './clients.js';

export type Strategy = 'email' | 'sms' | 'auth0' | string;

/** The id the Management API and Actions give a connection: Understudy's connections are named, so it derives from the name. */
export const connectionId = (name: string): string => `con_${name}`;

export interface Connection {
  name: string;
  strategy: Strategy;
  kind: 'passwordless' | 'database' | 'social';
  /** Client ids of the clients that may use this connection. */
  enabledClients: Set<string>;
  otp: { length: number; timeStepSeconds: number };
  disableSignup: boolean;
  /** The connection's own passwordless messages (options.email, options.template), when it has them. */
  messageTemplates: MessageTemplates | undefined;
  /** Database connections: Auth0's brute-force protection (options.brute_force_protection, on by default). */
  bruteForceProtection: boolean;
  /** Label on the social button, e.g. "Google". */
  displayName: string;
  /** Database connections: how users may log in (options.authentication_methods): a password, and one-time codes by email or SMS. */
  authenticationMethods: { password: boolean; emailOtp: boolean; phoneOtp: boolean };
  /** Database connections: the password policy sign-up and password changes check (options.passwordPolicy and friends). */
  passwordPolicy: PasswordPolicySettings;
  /** Database connections: users have a username too (options.requires_username), within these lengths. */
  username: { required: boolean; minLength: number; maxLength: number };
  /**
   * Enterprise strategies (samlp, waad, okta…): the email domains home-realm discovery sends to it
   * (options.domain_aliases, and tenant_domain), and whether it is a button on the login screen.
   * Undefined for every other connection.
   */
  enterprise: { domains: string[]; showAsButton: boolean } | undefined;
}

/**
 * One of the tenant's email templates (Auth0's Branding > Email Templates; the Deploy CLI's
 * emails/<template>.json): whether it is sent, its link's lifetime and result URL, and the tenant's own
 * `from`, `subject` and Liquid `body` where it has them (otp/email-templates.ts renders them; Understudy's
 * words stand in for what it leaves empty).
 */
export interface EmailTemplate {
  enabled: boolean;
  lifetimeSeconds: number;
  resultUrl: string | undefined;
  /** includeEmailInRedirect: the result URL also gets the user's `email`. */
  includeEmailInRedirect: boolean;
  /** The tenant's own texts, one MessageTemplates object per template so that each parses once. */
  own: MessageTemplates | undefined;
}

/** The account emails Understudy sends, by Auth0's template names. */
export const ACCOUNT_EMAILS = ['verify_email', 'reset_email', 'welcome_email', 'mfa_oob_code', 'user_invitation'] as const;
export type AccountEmailName = (typeof ACCOUNT_EMAILS)[number];

/**
 * The tenant's account emails: verify_email (sent on sign-up unless the tenant turned it off),
 * reset_email, welcome_email (Auth0's default: off) and mfa_oob_code, with the email provider's
 * `default_from_address` as the sender of a template that names none.
 */
export interface TenantEmails {
  defaultFrom: string | undefined;
  templates: Record<AccountEmailName, EmailTemplate>;
}

/** Auth0's password strength levels (options.passwordPolicy). */
export type PasswordStrength = 'none' | 'low' | 'fair' | 'good' | 'excellent';

/** A database connection's password policy, as users/password-policy.ts checks it. */
export interface PasswordPolicySettings {
  strength: PasswordStrength;
  /** password_complexity_options.min_length, which replaces the level's own minimum. */
  minLength: number | undefined;
  /** password_no_personal_info.enable. */
  noPersonalInfo: boolean;
  /** password_dictionary: on with the tenant's own words, besides the 10,000 most common passwords. */
  dictionary: { words: string[] } | undefined;
  /** password_history.size when it is on (the current password and those before it), else 0. */
  historySize: number;
}

/** A passwordless connection's message templates, as the tenant file gives them (otp/tenant-templates.ts renders them). */
export interface MessageTemplates {
  email?: { from?: string; subject?: string; body?: string; syntax?: string };
  sms?: { text: string; syntax: 'liquid' | 'md_with_macros'; from?: string };
}

export type CustomText = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

/** Auth0's access token formats; the `_authz` ones add a `permissions` claim. */
export const TOKEN_DIALECTS = ['access_token', 'access_token_authz', 'rfc9068_profile', 'rfc9068_profile_authz'] as const;
export type TokenDialect = (typeof TOKEN_DIALECTS)[number];

export interface ResourceServer {
  identifier: string;
  name: string;
  scopes: string[];
  /** Each scope's description, where the file gives one (the Management API shows them). */
  scopeDescriptions: Record<string, string>;
  tokenLifetime: number;
  /** RBAC: a user's token gets only the requested scopes the user holds a permission for. */
  enforcePolicies: boolean;
  tokenDialect: TokenDialect;
  /** allow_offline_access: false means no refresh token, and no offline_access scope, for this API. */
  allowOfflineAccess: boolean;
}

/** RBAC "Add Permissions in the Access Token": the `permissions` claim, with the user's permissions for the API. */
export function addsPermissionsClaim(api: ResourceServer): boolean {
  return api.tokenDialect === 'access_token_authz' || api.tokenDialect === 'rfc9068_profile_authz';
}

/** A role of the tenant file (Deploy CLI's `roles`), created in the store at start-up. */
export interface TenantRole {
  /** The export's id when it has one, else one derived from the name, so it is the same on every start. */
  id: string;
  name: string;
  description: string | undefined;
  permissions: Permission[];
}

/** A tenant file's organization, put in the store at start-up (organizations/organizations-service.ts). */
export interface SeedOrganization {
  id: string;
  name: string;
  displayName: string | undefined;
  branding: { logo_url?: string | undefined; colors?: { primary: string; page_background: string } | undefined } | undefined;
  metadata: Record<string, string> | undefined;
  connections: { connection: string; assign_membership_on_login: boolean; show_as_button: boolean; is_signup_enabled: boolean }[];
  /** By email (on `connection`, else any connection with it), with the names of their roles there. */
  members: { email: string; connection: string | undefined; roles: string[] }[];
  /** Client ids whose client grants are assigned to it (machine-to-machine tokens for it). */
  clientGrants: string[];
}

export interface SeedUser {
  connection: string;
  userId: string | undefined;
  email: string | undefined;
  /** Database connections with requires_username. */
  username: string | undefined;
  phoneNumber: string | undefined;
  name: string | undefined;
  nickname: string | undefined;
  givenName: string | undefined;
  familyName: string | undefined;
  picture: string | undefined;
  password: string | undefined;
  emailVerified: boolean | undefined;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  blocked: boolean;
  /** Names of tenant roles the user is given when seeded. */
  roles: string[];
}

export interface Branding {
  logoUrl: string | undefined;
  primaryColor: string;
  pageBackground: string;
}

export interface ClientGrant {
  clientId: string;
  audience: string;
  scopes: string[];
  /** organization_usage: whether its tokens may (allow), must (require) or may not (deny) name an organization. */
  organizationUsage: 'deny' | 'allow' | 'require';
  /** allow_any_organization: any organization, not only those it is assigned to. */
  allowAnyOrganization: boolean;
}

export interface ClaimRule {
  name: string;
  /** `app_metadata.roles`-style path into the user, or undefined for a constant `value`. */
  from: string | undefined;
  value: unknown;
  /** Client ids; empty means every client. */
  clients: string[];
  /** API identifiers whose access tokens get the claim; empty means every access token. */
  audiences: string[];
  tokens: ('id_token' | 'access_token')[];
}

export interface Tenant {
  friendlyName: string;
  branding: Branding;
  /** tenant.enabled_locales: the languages the screens may speak (English when none is given). */
  enabledLocales: string[];
  /** prompts.customText: `<language>.<prompt>.<screen>.<key>` → text (login/screen-texts.ts). */
  customText: CustomText;
  /** Hours, as Auth0's tenant settings. */
  sessionLifetimeHours: number;
  idleSessionLifetimeHours: number;
  /** Where /v2/logout may return to when no client_id is given. */
  allowedLogoutUrls: string[];
  /** tenant.default_directory: the connection grant_type=password logs in to. */
  defaultDirectory?: string | undefined;
  /** tenant.default_audience: the API a login that names no audience gets its access token for. */
  defaultAudience?: string | undefined;
  clients: Client[];
  /** In creation order: the order decides which passwordless connection Universal Login presents. */
  connections: Connection[];
  resourceServers: ResourceServer[];
  /** RBAC roles with their permissions (src/rbac/). */
  roles: TenantRole[];
  users: SeedUser[];
  clientGrants: ClientGrant[];
  claims: ClaimRule[];
  /** The export's Actions bound to the triggers Understudy runs (src/actions/). */
  actions: TenantActions;
  dev: { fixedCodes: { match: string; code: string; until: string | undefined }[] };
  /**
   * The Authentication Profile (Auth0's prompt settings): Identifier First (default), Identifier +
   * Password (identifierFirst false) or Identifier First + Biometrics (webauthnPlatformFirstFactor).
   */
  prompts: { identifierFirst: boolean; webauthnPlatformFirstFactor: boolean };
  /** Per-endpoint request limits (src/config/rate-limit-settings.ts); undefined means Auth0's defaults. */
  rateLimits?: RateLimits;
  /** Guardian: the second factors and when a login must use one (src/mfa/). */
  mfa: TenantMfa;
  /** The tenant file's organizations, seeded into the store (the Management API changes them at run time). */
  organizations: SeedOrganization[];
  /** tenant.default_redirection_uri: the login route of invitation links for a client without initiate_login_uri. */
  defaultRedirectionUri: string | undefined;
  /** tenant.allow_organization_name_in_authentication_api: `organization=<name>` at /authorize, and org_name in tokens. */
  organizationNames: boolean;
  /** tenant.flags.enable_public_signup_user_exists_error: sign-up says `user_exists` instead of Auth0's generic `invalid_signup`. */
  signupSaysUserExists: boolean;
  /** The account emails, as the tenant's emailTemplates and emailProvider set them (config/tenant-emails.ts). */
  emails: TenantEmails;
}

/** The tenant's Guardian settings, as the Management API's /guardian endpoints change them at run time. */
export interface TenantMfa {
  /** The enabled factors, in Auth0's order (GET /api/v2/guardian/factors). */
  factors: MfaFactor[];
  /**
   * guardianPolicies: 'all-applications' asks every login for a second factor; 'confidence-score'
   * (Adaptive MFA) is reported and not emulated; undefined asks only when an Action or acr_values does.
   */
  policy: 'all-applications' | 'confidence-score' | undefined;
  /** The SMS factor's messages (Liquid with `{{code}}`): guardianFactorTemplates, or Auth0's defaults. */
  smsTemplates: { enrollment: string; verification: string };
}

/** At most `max` requests per `windowSeconds`, counted in fixed windows. */
export interface RateLimit {
  max: number;
  windowSeconds: number;
}

/** Each limit, or false where it is off. */
export interface RateLimits {
  passwordlessStart: RateLimit | false;
  loginIdentifier: RateLimit | false;
  oauthToken: RateLimit | false;
  userinfo: RateLimit | false;
  authorize: RateLimit | false;
}

export function findClient(tenant: Tenant, clientId: string | undefined): Client | undefined {
  if (!clientId) return undefined;
  return tenant.clients.find((c) => c.clientId === clientId);
}

export function findConnection(tenant: Tenant, name: string | undefined): Connection | undefined {
  if (!name) return undefined;
  return tenant.connections.find((c) => c.name === name);
}

/**
 * The audience a request is for: the one it names, else the tenant's default_audience (Auth0: "Setting
 * the Default Audience is equivalent to appending this audience to every authorization request").
 */
export function requestedAudience(tenant: Tenant, named: string | undefined): string | undefined {
  return named ?? tenant.defaultAudience;
}

export function findResourceServer(tenant: Tenant, identifier: string | undefined): ResourceServer | undefined {
  if (!identifier) return undefined;
  return tenant.resourceServers.find((r) => r.identifier === identifier);
}
