// The builders as named imports (not TypeBox's `Type` object), so the bundle keeps only those used.
import * as Type from 'typebox';
import type { Static } from 'typebox';

/**
 * The tenant file, in the key names of Auth0's Deploy CLI (tenant.yaml) and Management API, so an
 * exported tenant needs little editing. Objects are closed (`additionalProperties: false`) only so
 * that unknown keys can be listed in one warning; src/config/tenant-file.ts treats them as warnings,
 * not errors, because exports carry many keys Understudy has no use for.
 */
const Url = Type.String({ minLength: 1 });
const closed = { additionalProperties: false } as const;

const Branding = Type.Object(
  {
    logo_url: Type.Optional(Url),
    colors: Type.Optional(
      Type.Object(
        {
          primary: Type.Optional(Type.String({ pattern: '^#[0-9a-fA-F]{3,8}$' })),
          page_background: Type.Optional(Type.String({ pattern: '^#[0-9a-fA-F]{3,8}$' })),
        },
        closed,
      ),
    ),
  },
  closed,
);

const TenantSettings = Type.Object(
  {
    friendly_name: Type.Optional(Type.String()),
    picture_url: Type.Optional(Url),
    session_lifetime: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    idle_session_lifetime: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    allowed_logout_urls: Type.Optional(Type.Array(Url)),
    // The database connection of grant_type=password (Auth0's "Default Directory").
    default_directory: Type.Optional(Type.String({ minLength: 1 })),
    // The API a login gets an access token for when it names no audience.
    default_audience: Type.Optional(Type.String({ minLength: 1 })),
    branding: Type.Optional(Branding),
    enabled_locales: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$' }))),
    // Only the colours; an export's other universal_login keys are reported as ignored.
    universal_login: Type.Optional(Type.Object({ colors: Type.Optional(Branding.properties.colors) }, closed)),
    // The tenant's login route, for invitation links of a client without its own.
    default_redirection_uri: Type.Optional(Url),
    // An organization's name where its id goes (/authorize), and org_name in tokens.
    allow_organization_name_in_authentication_api: Type.Optional(Type.Boolean()),
    // Auth0's tenant flags; the one read changes /dbconnections/signup's answer for a taken email.
    flags: Type.Optional(Type.Object({ enable_public_signup_user_exists_error: Type.Optional(Type.Boolean()) })),
  },
  closed,
);

const RefreshToken = Type.Object(
  {
    rotation_type: Type.Optional(Type.Union([Type.Literal('rotating'), Type.Literal('non-rotating')])),
    expiration_type: Type.Optional(Type.Union([Type.Literal('expiring'), Type.Literal('non-expiring')])),
    leeway: Type.Optional(Type.Integer({ minimum: 0 })),
    token_lifetime: Type.Optional(Type.Integer({ minimum: 1 })),
    idle_token_lifetime: Type.Optional(Type.Integer({ minimum: 1 })),
    infinite_token_lifetime: Type.Optional(Type.Boolean()),
    infinite_idle_token_lifetime: Type.Optional(Type.Boolean()),
    // Multi-Resource Refresh Token (MRRT): the other APIs a refresh token may get access tokens for.
    policies: Type.Optional(Type.Array(Type.Object({ audience: Type.String({ minLength: 1 }), scope: Type.Array(Type.String()) }, closed))),
  },
  closed,
);

const ClientSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    client_id: Type.Optional(Type.String({ minLength: 1, pattern: '^[A-Za-z0-9._~-]+$' })),
    client_secret: Type.Optional(Type.String({ minLength: 1 })),
    description: Type.Optional(Type.String()),
    logo_uri: Type.Optional(Url),
    // A string here; tenant-file.ts checks it against Auth0's enum (APP_TYPES) and names the allowed values.
    app_type: Type.Optional(Type.String({ minLength: 1 })),
    // Auth0 keeps string values only; Actions read them as event.client.metadata.
    client_metadata: Type.Optional(Type.Record(Type.String(), Type.String())),
    callbacks: Type.Optional(Type.Array(Url)),
    allowed_logout_urls: Type.Optional(Type.Array(Url)),
    web_origins: Type.Optional(Type.Array(Url)),
    allowed_origins: Type.Optional(Type.Array(Url)),
    // Embedded login (auth0.js, Lock): /co/authenticate, and the page that runs auth0.js's crossOriginVerification().
    cross_origin_authentication: Type.Optional(Type.Boolean()),
    /** The Management API's older name for cross_origin_authentication, still in some exports. */
    cross_origin_auth: Type.Optional(Type.Boolean()),
    cross_origin_loc: Type.Optional(Url),
    grant_types: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    token_endpoint_auth_method: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('client_secret_post'), Type.Literal('client_secret_basic')]),
    ),
    jwt_configuration: Type.Optional(
      // alg: Understudy signs RS256; tenant-file.ts warns about HS256 with what it means for the app.
      Type.Object({ lifetime_in_seconds: Type.Optional(Type.Integer({ minimum: 1 })), alg: Type.Optional(Type.String({ minLength: 1 })) }, closed),
    ),
    refresh_token: Type.Optional(RefreshToken),
    // Organizations (docs/research/auth0-organizations.md §2.1).
    organization_usage: Type.Optional(Type.Union([Type.Literal('deny'), Type.Literal('allow'), Type.Literal('require')])),
    // The application's login route: where an organization's invitation links go.
    initiate_login_uri: Type.Optional(Url),
    organization_require_behavior: Type.Optional(Type.Union([Type.Literal('no_prompt'), Type.Literal('pre_login_prompt'), Type.Literal('post_login_prompt')])),
  },
  closed,
);

/**
 * Deploy CLI's organizations (organizations/<name>.json, or `organizations:`), with `members`, which
 * exports do not carry, as Understudy's own key: who belongs, by email, and their roles there.
 */
const OrganizationSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9_-]{1,50}$' }),
    id: Type.Optional(Type.String({ pattern: '^org_[A-Za-z0-9]{1,32}$' })),
    display_name: Type.Optional(Type.String({ maxLength: 255 })),
    branding: Type.Optional(
      Type.Object(
        {
          logo_url: Type.Optional(Url),
          colors: Type.Optional(Type.Object({ primary: Type.String({ pattern: '^#[0-9A-Fa-f]{3,8}$' }), page_background: Type.String({ pattern: '^#[0-9A-Fa-f]{3,8}$' }) }, closed)),
        },
        closed,
      ),
    ),
    metadata: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 255 }))),
    connections: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1 })),
            connection_id: Type.Optional(Type.String({ minLength: 1 })),
            assign_membership_on_login: Type.Optional(Type.Boolean()),
            show_as_button: Type.Optional(Type.Boolean()),
            is_signup_enabled: Type.Optional(Type.Boolean()),
          },
          closed,
        ),
      ),
    ),
    members: Type.Optional(Type.Array(Type.Object({ email: Type.String({ minLength: 3 }), connection: Type.Optional(Type.String({ minLength: 1 })), roles: Type.Optional(Type.Array(Type.String({ minLength: 1 }))) }, closed))),
    // The client grants assigned to it, by client (name or id), as the Deploy CLI writes them.
    client_grants: Type.Optional(Type.Array(Type.Object({ client_id: Type.String({ minLength: 1 }), audience: Type.Optional(Type.String({ minLength: 1 })) }))),
  },
  closed,
);

const ConnectionSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    strategy: Type.String({ minLength: 1 }),
    display_name: Type.Optional(Type.String()),
    enabled_clients: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    // Checked against the strategy's own keys (config/connection-options-schema.ts) once the strategy is known.
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    // Enterprise connections: a button on the login screen (Auth0's default), besides home-realm discovery.
    show_as_button: Type.Optional(Type.Boolean()),
  },
  closed,
);

const ResourceServerSchema = Type.Object(
  {
    identifier: Type.String({ minLength: 1 }),
    name: Type.Optional(Type.String()),
    scopes: Type.Optional(
      Type.Array(Type.Object({ value: Type.String({ minLength: 1 }), description: Type.Optional(Type.String()) }, closed)),
    ),
    token_lifetime: Type.Optional(Type.Integer({ minimum: 1, maximum: 2592000 })),
    // RS256 only; tenant-file.ts warns about HS256 and PS256 with what it means.
    signing_alg: Type.Optional(Type.String({ minLength: 1 })),
    // false: no refresh token for this API, and offline_access is dropped from its tokens.
    allow_offline_access: Type.Optional(Type.Boolean()),
    enforce_policies: Type.Optional(Type.Boolean()),
    // The _authz dialects add the `permissions` claim; the rfc9068 ones are accepted and read as their plain twins.
    token_dialect: Type.Optional(
      Type.Union([Type.Literal('access_token'), Type.Literal('access_token_authz'), Type.Literal('rfc9068_profile'), Type.Literal('rfc9068_profile_authz')]),
    ),
  },
  closed,
);

const Metadata = Type.Record(Type.String(), Type.Unknown());

const UserSchema = Type.Object(
  {
    connection: Type.String({ minLength: 1 }),
    user_id: Type.Optional(Type.String({ minLength: 1 })),
    email: Type.Optional(Type.String({ minLength: 3 })),
    email_verified: Type.Optional(Type.Boolean()),
    // Database connections with requires_username.
    username: Type.Optional(Type.String({ minLength: 1 })),
    phone_number: Type.Optional(Type.String({ minLength: 2 })),
    name: Type.Optional(Type.String()),
    nickname: Type.Optional(Type.String()),
    given_name: Type.Optional(Type.String()),
    family_name: Type.Optional(Type.String()),
    picture: Type.Optional(Url),
    password: Type.Optional(Type.String({ minLength: 1 })),
    blocked: Type.Optional(Type.Boolean()),
    app_metadata: Type.Optional(Metadata),
    user_metadata: Type.Optional(Metadata),
    // Understudy's own key: names of the tenant's roles the user holds (exports carry no assignments).
    roles: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  },
  closed,
);

/** Deploy CLI's `roles:` (roles/<name>.json in a directory export); `id` only when exported with identifiers. */
const RoleSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_]+$' })),
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    permissions: Type.Optional(
      Type.Array(Type.Object({ permission_name: Type.String({ minLength: 1 }), resource_server_identifier: Type.String({ minLength: 1 }) }, closed)),
    ),
  },
  closed,
);

/**
 * Deploy CLI's `prompts:` (the body of PATCH /api/v2/prompts): the Authentication Profile.
 * Identifier + Password is identifier_first false; Identifier First + Biometrics adds
 * webauthn_platform_first_factor. Other keys of an export (universal_login_experience, customText…)
 * are reported as ignored.
 */
const Prompts = Type.Object(
  {
    identifier_first: Type.Optional(Type.Boolean()),
    webauthn_platform_first_factor: Type.Optional(Type.Boolean()),
    // <language>.<prompt>.<screen>.<key>: text; the screens Understudy renders use their part of it.
    customText: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()))))),
  },
  closed,
);

const FixedCode = Type.Object(
  {
    match: Type.String({ minLength: 1 }),
    code: Type.String({ pattern: '^[0-9]{4,12}$' }),
    until: Type.Optional(Type.String({ minLength: 1 })),
  },
  closed,
);

const Dev = Type.Object({ fixed_codes: Type.Optional(Type.Array(FixedCode)) }, closed);

/** Deploy CLI's guardianFactors (guardian/factors/<name>.json): which second factors the tenant turned on. */
const GuardianFactor = Type.Object(
  {
    name: Type.Union(['sms', 'push-notification', 'otp', 'email', 'duo', 'webauthn-roaming', 'webauthn-platform', 'recovery-code'].map((name) => Type.Literal(name))),
    enabled: Type.Boolean(),
    // Read-only in Auth0 (GET /api/v2/guardian/factors); the Deploy CLI drops it, older exports keep it.
    trial_expired: Type.Optional(Type.Boolean()),
  },
  closed,
);

/** Deploy CLI's guardianPolicies (guardian/policies.json): when a login must use a second factor. */
const GuardianPolicies = Type.Object(
  { policies: Type.Array(Type.Union([Type.Literal('all-applications'), Type.Literal('confidence-score')]), { maxItems: 1 }) },
  closed,
);

/** Deploy CLI's guardianFactorTemplates: the SMS factor's messages (Liquid, `{{code}}`). */
const GuardianFactorTemplate = Type.Object(
  { name: Type.String({ minLength: 1 }), enrollment_message: Type.Optional(Type.String()), verification_message: Type.Optional(Type.String()) },
  closed,
);

/** Deploy CLI's clientGrants: which client may get client_credentials tokens for which API and scopes. */
const ClientGrantSchema = Type.Object(
  {
    client_id: Type.String({ minLength: 1 }),
    audience: Type.String({ minLength: 1 }),
    scope: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    // Organizations for machine-to-machine tokens (docs/research/auth0-organizations.md §7.2).
    organization_usage: Type.Optional(Type.Union([Type.Literal('deny'), Type.Literal('allow'), Type.Literal('require')])),
    allow_any_organization: Type.Optional(Type.Boolean()),
  },
  closed,
);

/** Custom claims, the usual job of an Auth0 Action: from user metadata or a constant. */
const ClaimSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    from: Type.Optional(Type.String({ pattern: '^(app_metadata|user_metadata)(\\.[^.]+)*$' })),
    value: Type.Optional(Type.Unknown()),
    clients: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    audiences: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    tokens: Type.Optional(Type.Array(Type.Union([Type.Literal('id_token'), Type.Literal('access_token')]))),
  },
  closed,
);

/**
 * Deploy CLI's `actions:` (actions/<name>.json in a directory export). `code` is a path, relative to
 * the export's root (directory) or to the YAML file's folder; config/tenant-read.ts reads it in and
 * records where it came from in `code_file`. Secrets come without values from an export: the overlay
 * or keyword mappings supply them.
 */
const ActionSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    code: Type.Optional(Type.String()),
    code_file: Type.Optional(Type.String()),
    runtime: Type.Optional(Type.String()),
    status: Type.Optional(Type.String()),
    deployed: Type.Optional(Type.Boolean()),
    dependencies: Type.Optional(Type.Array(Type.Object({ name: Type.String({ minLength: 1 }), version: Type.Optional(Type.String()), registry_url: Type.Optional(Type.String()) }, closed))),
    secrets: Type.Optional(Type.Array(Type.Object({ name: Type.String({ minLength: 1 }), value: Type.Optional(Type.String()), updated_at: Type.Optional(Type.String()) }, closed))),
    supported_triggers: Type.Optional(Type.Array(Type.Object({ id: Type.String({ minLength: 1 }), version: Type.Optional(Type.String()), url: Type.Optional(Type.String()) }, closed))),
  },
  closed,
);

/** Deploy CLI's `triggers:` (triggers/triggers.json): per trigger id, the bound actions in the order they run. */
const TriggersSchema = Type.Record(
  Type.String(),
  Type.Array(Type.Object({ action_name: Type.String({ minLength: 1 }), display_name: Type.Optional(Type.String()) }, closed)),
);

export const TenantFileSchema = Type.Object(
  {
    tenant: Type.Optional(TenantSettings),
    branding: Type.Optional(Branding),
    clients: Type.Optional(Type.Array(ClientSchema)),
    connections: Type.Optional(Type.Array(ConnectionSchema)),
    // Deploy CLI exports list database connections apart from the others.
    databases: Type.Optional(Type.Array(Type.Object({ ...ConnectionSchema.properties, strategy: Type.Optional(Type.Literal('auth0')) }, closed))),
    resourceServers: Type.Optional(Type.Array(ResourceServerSchema)),
    users: Type.Optional(Type.Array(UserSchema)),
    roles: Type.Optional(Type.Array(RoleSchema)),
    clientGrants: Type.Optional(Type.Array(ClientGrantSchema)),
    claims: Type.Optional(Type.Array(ClaimSchema)),
    actions: Type.Optional(Type.Array(ActionSchema)),
    triggers: Type.Optional(TriggersSchema),
    dev: Type.Optional(Dev),
    prompts: Type.Optional(Prompts),
    organizations: Type.Optional(Type.Array(OrganizationSchema)),
    guardianFactors: Type.Optional(Type.Array(GuardianFactor)),
    guardianPolicies: Type.Optional(GuardianPolicies),
    guardianFactorTemplates: Type.Optional(Type.Array(GuardianFactorTemplate)),
    // Deploy CLI's emails/<template>.json (config/tenant-emails.ts): the switch, the links' lifetime and
    // result URL, and the tenant's Liquid from, subject and body (read in from its .html file).
    emailTemplates: Type.Optional(Type.Array(Type.Object({
      template: Type.Optional(Type.String()),
      enabled: Type.Optional(Type.Boolean()),
      urlLifetimeInSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
      resultUrl: Type.Optional(Type.String()),
      includeEmailInRedirect: Type.Optional(Type.Boolean()),
      syntax: Type.Optional(Type.String()),
      from: Type.Optional(Type.String()),
      subject: Type.Optional(Type.String()),
      body: Type.Optional(Type.String()),
    }))),
    // Deploy CLI's emails/provider.json: only the sender is read; the credentials are never used.
    emailProvider: Type.Optional(Type.Object({ default_from_address: Type.Optional(Type.String()) })),
    // Understudy's own key, checked by src/config/rate-limit-settings.ts (a union here would blur its errors).
    rate_limits: Type.Optional(Type.Unknown()),
    // A process setting, not part of the tenant: src/server.ts reads it (src/config/store-setting.ts
    // checks it) before the store opens; buildTenant leaves it alone.
    store: Type.Optional(Type.Unknown()),
  },
  closed,
);

export type TenantFile = Static<typeof TenantFileSchema>;
export type ClientEntry = Static<typeof ClientSchema>;
export type ConnectionEntry = Static<typeof ConnectionSchema>;
export type ActionEntry = Static<typeof ActionSchema>;
export type ResourceServerEntry = Static<typeof ResourceServerSchema>;
export type RoleEntry = Static<typeof RoleSchema>;
