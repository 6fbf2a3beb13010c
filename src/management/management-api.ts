import type { ResourceServer, Tenant } from '../tenant/model.js';

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
