import { defaultTenant } from '../../src/config/default-tenant.js';

/**
 * The tenant the RBAC tests write: an orders API that enforces RBAC and adds the permissions claim,
 * an Admin role with all its scopes and a Reader role with one, a user given Admin by the tenant
 * file and one given nothing, and administrators' clients with narrower Management API grants.
 */
export const ORDERS = 'https://orders.example.com';
export const JANE = 'email|0a0a0a0a0a0a0a0a0a0a0a0a';
export const BOB = 'email|0b0b0b0b0b0b0b0b0b0b0b0b';

export const rbacTenant = (api: Record<string, unknown> = {}, janeRoles = ['Admin']) => ({
  ...defaultTenant,
  clients: [
    ...(defaultTenant.clients ?? []),
    { name: 'Role Reader', client_id: 'role-reader', client_secret: 'role-reader-secret', app_type: 'non_interactive' },
    { name: 'Orders Backend', client_id: 'orders-backend', client_secret: 'orders-backend-secret', app_type: 'non_interactive' },
  ],
  clientGrants: [
    ...(defaultTenant.clientGrants ?? []),
    { client_id: 'role-reader', audience: 'https://acme.eu.auth0.com/api/v2/', scope: ['read:roles'] },
    { client_id: 'orders-backend', audience: ORDERS, scope: ['read:orders'] },
  ],
  resourceServers: [
    {
      identifier: ORDERS,
      name: 'Orders API',
      scopes: [{ value: 'read:orders', description: 'Read orders' }, { value: 'write:orders', description: 'Write orders' }, { value: 'delete:orders' }],
      enforce_policies: true,
      token_dialect: 'access_token_authz',
      ...api,
    },
  ],
  roles: [
    {
      name: 'Admin',
      description: 'Everything on orders',
      permissions: ['read:orders', 'write:orders', 'delete:orders'].map((permission_name) => ({ permission_name, resource_server_identifier: ORDERS })),
    },
    { name: 'Reader', permissions: [{ permission_name: 'read:orders', resource_server_identifier: ORDERS }] },
  ],
  users: [
    { connection: 'email', email: 'jane@example.com', user_id: JANE, roles: janeRoles },
    { connection: 'email', email: 'bob@example.com', user_id: BOB },
  ],
});
