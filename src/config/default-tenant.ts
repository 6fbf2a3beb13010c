import type { TenantFile } from './tenant-schema.js';

/** The tenant served when no tenant file is given: everything a local app needs to log in at once. */
const appUrls = {
  callbacks: ['http://localhost:3000', 'http://localhost:3000/callback'],
  allowed_logout_urls: ['http://localhost:3000'],
  web_origins: ['http://localhost:3000'],
};

export const defaultTenant: TenantFile = {
  tenant: { friendly_name: 'Understudy' },
  clients: [
    {
      name: 'Understudy SPA',
      client_id: 'understudy-spa',
      app_type: 'spa',
      token_endpoint_auth_method: 'none',
      ...appUrls,
    },
    {
      name: 'Understudy Web',
      client_id: 'understudy-web',
      client_secret: 'understudy-web-secret',
      app_type: 'regular_web',
      token_endpoint_auth_method: 'client_secret_post',
      ...appUrls,
    },
    {
      name: 'Understudy M2M',
      client_id: 'understudy-m2m',
      client_secret: 'understudy-m2m-secret',
      app_type: 'non_interactive',
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  // Any audience whose path is /api/v2/ names the Management API of this Understudy.
  clientGrants: [
    {
      client_id: 'Understudy M2M',
      audience: 'http://localhost/api/v2/',
      scope: [
        'read:users', 'create:users', 'update:users', 'delete:users', 'read:clients', 'read:connections',
        'read:roles', 'create:roles', 'update:roles', 'delete:roles', 'read:resource_servers',
        'read:guardian_factors', 'update:guardian_factors', 'read:mfa_policies', 'update:mfa_policies', 'read:guardian_enrollments', 'delete:guardian_enrollments', 'create:user_tickets',
        'read:organizations', 'create:organizations', 'update:organizations', 'delete:organizations',
        'read:organization_connections', 'create:organization_connections', 'update:organization_connections', 'delete:organization_connections',
        'read:organization_members', 'create:organization_members', 'delete:organization_members',
        'read:organization_member_roles', 'create:organization_member_roles', 'delete:organization_member_roles',
        'read:organization_invitations', 'create:organization_invitations', 'delete:organization_invitations',
      ],
    },
  ],
  // Creation order matters: with both passwordless connections enabled, Universal Login shows the first.
  connections: [
    { name: 'email', strategy: 'email', options: { totp: { length: 6, time_step: 180 } } },
    { name: 'sms', strategy: 'sms', options: { totp: { length: 6, time_step: 180 } } },
  ],
};
