/**
 * A tenant's applications (clients) as Understudy runs them, and what their `app_type` means.
 */
/**
 * Every `app_type` Auth0's Management API accepts (node-auth0's `ClientAppTypeEnum`: 7.1.0's 25, plus
 * `b2b_integration` of later releases). Understudy
 * runs spa, native and non_interactive as such; every other type (regular_web, the SSO integrations such as
 * `sso_integration` or `slack`, `resource_server`…) is a confidential web application.
 */
export const APP_TYPES = [
  'native',
  'spa',
  'regular_web',
  'non_interactive',
  'resource_server',
  'express_configuration',
  'b2b_integration',
  'rms',
  'box',
  'cloudbees',
  'concur',
  'dropbox',
  'mscrm',
  'echosign',
  'egnyte',
  'newrelic',
  'office365',
  'salesforce',
  'sentry',
  'sharepoint',
  'slack',
  'springcm',
  'zendesk',
  'zoom',
  'sso_integration',
  'oag',
] as const;
export type AppType = (typeof APP_TYPES)[number];
/** How a client behaves: what its app_type means for defaults (auth method, grant types). */
export type ClientKind = 'spa' | 'native' | 'non_interactive' | 'regular_web';
export function clientKind(appType: AppType): ClientKind {
  return appType === 'spa' || appType === 'native' || appType === 'non_interactive' ? appType : 'regular_web';
}
export type TokenEndpointAuthMethod = 'none' | 'client_secret_post' | 'client_secret_basic';

export const PASSWORDLESS_OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';

export interface RefreshTokenPolicy {
  rotationType: 'rotating' | 'non-rotating';
  expirationType: 'expiring' | 'non-expiring';
  leeway: number;
  tokenLifetime: number;
  idleTokenLifetime: number;
  /**
   * Multi-Resource Refresh Token policies (`refresh_token.policies`): the other APIs a refresh token
   * of this client may get access tokens for, and the scopes allowed for each.
   */
  policies: { audience: string; scope: string[] }[];
}

export interface Client {
  name: string;
  clientId: string;
  /** Undefined for public clients (token_endpoint_auth_method none). */
  clientSecret: string | undefined;
  appType: AppType;
  callbacks: string[];
  allowedLogoutUrls: string[];
  /** Allowed Web Origins: where web_message responses (silent auth, popups) may be posted. */
  webOrigins: string[];
  /** Allowed Origins (CORS), besides the web origins and callback origins. */
  allowedOrigins: string[];
  /** Allow Cross-Origin Authentication: embedded login through /co/authenticate (off unless the tenant file turns it on). */
  crossOriginAuthentication: boolean;
  /** Cross-Origin Verification Fallback: the application's page that runs auth0.js's crossOriginVerification(). */
  crossOriginLoc: string | undefined;
  grantTypes: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  idTokenLifetime: number;
  refreshToken: RefreshTokenPolicy;
  /** client_metadata: what Actions see as event.client.metadata. */
  metadata: Record<string, string>;
  /** organization_usage: whether logins may (allow), must (require) or may not (deny) be to an organization. */
  organizationUsage: 'deny' | 'allow' | 'require';
  /** initiate_login_uri: the application's login route, where invitation links go. */
  initiateLoginUri: string | undefined;
  /** organization_require_behavior, for `require`: how a login without `organization` goes on. */
  organizationRequireBehavior: 'no_prompt' | 'pre_login_prompt' | 'post_login_prompt';
}

export function isConfidential(client: Client): boolean {
  return client.tokenEndpointAuthMethod !== 'none';
}
