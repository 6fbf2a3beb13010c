/**
 * What a connection's `strategy` makes of it, in Auth0's own grouping (the Management API's strategy
 * list, node-auth0's `ConnectionStrategyEnum`; the dashboard's Database, Passwordless, Social and
 * Enterprise pages). Each group reads its own `options`: an `email` key is the passwordless email on
 * strategy `email` and the "request the email attribute" switch on `google-oauth2`.
 */
export type StrategyGroup = 'email' | 'sms' | 'database' | 'social' | 'enterprise';

/**
 * Enterprise strategies (Auth0's "Enterprise connections": AD/LDAP, ADFS, Microsoft Entra ID, Google
 * Workspace, OIDC, Okta, PingFederate, SAML, IP address, and the legacy Office 365 and SharePoint
 * apps). They take part in home-realm discovery through `domain_aliases`.
 */
export const ENTERPRISE_STRATEGIES: ReadonlySet<string> = new Set([
  'ad',
  'adfs',
  'auth0-adldap',
  'auth0-oidc',
  'google-apps',
  'ip',
  'office365',
  'oidc',
  'okta',
  'pingfederate',
  'samlp',
  'sharepoint',
  'waad',
]);

export function strategyGroup(strategy: string): StrategyGroup {
  if (strategy === 'email' || strategy === 'sms') return strategy;
  if (strategy === 'auth0') return 'database';
  return ENTERPRISE_STRATEGIES.has(strategy) ? 'enterprise' : 'social';
}
