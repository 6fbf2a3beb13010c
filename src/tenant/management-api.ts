import type { ResourceServer, Tenant } from './model.js';

/**
 * The Management API v2 as an API of the tenant: audience `<issuer>api/v2/`, reachable with
 * client_credentials by clients that hold a client grant for it. An exported tenant names its own
 * Auth0 domain in such grants, so any grant whose audience path is `/api/v2/` counts.
 */
export const MANAGEMENT_SCOPES = [
  'read:users', 'create:users', 'update:users', 'delete:users', 'read:users_app_metadata', 'update:users_app_metadata',
  'create:users_app_metadata', 'read:clients', 'read:client_keys', 'read:connections',
  'read:authentication_methods', 'delete:authentication_methods',
  'read:roles', 'create:roles', 'update:roles', 'delete:roles', 'read:role_members', 'create:role_members', 'delete:role_members',
  'read:resource_servers',
  'read:guardian_factors', 'update:guardian_factors', 'read:mfa_policies', 'update:mfa_policies', 'read:guardian_enrollments', 'delete:guardian_enrollments',
  'create:user_tickets',
  'read:organizations', 'read:organizations_summary', 'create:organizations', 'update:organizations', 'delete:organizations',
  'read:organization_connections', 'create:organization_connections', 'update:organization_connections', 'delete:organization_connections',
  'read:organization_members', 'create:organization_members', 'delete:organization_members',
  'read:organization_member_roles', 'create:organization_member_roles', 'delete:organization_member_roles',
  'read:organization_invitations', 'create:organization_invitations', 'delete:organization_invitations',
];

export const managementAudience = (issuer: string): string => `${issuer}api/v2/`;

export function isManagementGrantAudience(audience: string): boolean {
  try {
    return new URL(audience).pathname === '/api/v2/';
  } catch {
    return false;
  }
}

/** The tenant with the Management API among its APIs (unless the file already defines it). */
export function withManagementApi(tenant: Tenant, issuer: string): Tenant {
  const identifier = managementAudience(issuer);
  if (tenant.resourceServers.some((r) => r.identifier === identifier)) return tenant;
  const api: ResourceServer = {
    identifier, name: 'Auth0 Management API', scopes: MANAGEMENT_SCOPES, scopeDescriptions: {}, tokenLifetime: 86400, enforcePolicies: false, tokenDialect: 'access_token', allowOfflineAccess: true,
  };
  return { ...tenant, resourceServers: [...tenant.resourceServers, api] };
}

/**
 * Who a Management API token speaks for, and what each route lets it do. The trust boundary of the
 * Management API is stated here, once:
 *
 * - An administrator's token is a client_credentials token (`gty: client-credentials`, `sub`
 *   `<client_id>@clients`) of a client that holds a client grant for the Management API. Its scopes
 *   count only as far as that grant still gives them.
 * - Any other token was issued to a user (a login, the OTP grant, a refresh). As in Auth0, it carries
 *   only the `*:current_user*` scopes and reaches only the user's own record.
 */
export const CURRENT_USER_SCOPES: readonly string[] = [
  'read:current_user',
  'update:current_user_identities',
  'create:current_user_metadata',
  'update:current_user_metadata',
  'delete:current_user_metadata',
  'create:current_user_device_credentials',
  'delete:current_user_device_credentials',
  'delete:current_user',
];
