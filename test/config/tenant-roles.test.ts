import { describe, expect, it } from 'vitest';
import { buildTenant } from '../../src/config/tenant-file.js';
import { tenantReport } from '../../src/tenant/report.js';
import { configProblems } from '../support/config-problems.js';

/**
 * The tenant file's RBAC: an export's roles with their permissions, the overlay's users[].roles, and
 * each API's enforce_policies and token_dialect. What a role or a user names must exist: an unknown
 * API, a scope the API does not define or a role that is not there stops start-up naming the key.
 */
const API = 'https://api.acme.example';
const doc = (extra: Record<string, unknown> = {}) => ({
  connections: [{ name: 'email', strategy: 'email' }],
  resourceServers: [
    { identifier: API, name: 'Acme API', scopes: [{ value: 'read:orders', description: 'Read orders' }, { value: 'write:orders' }], enforce_policies: true, token_dialect: 'access_token_authz' },
  ],
  roles: [
    { name: 'Admin', description: 'Administrators', permissions: [{ permission_name: 'read:orders', resource_server_identifier: API }, { permission_name: 'write:orders', resource_server_identifier: API }] },
    { name: 'Reader', type: 'tenant', permissions: [{ permission_name: 'read:orders', resource_server_identifier: API }] },
    { id: 'rol_Exported1234567890', name: 'Exported' },
  ],
  users: [{ connection: 'email', email: 'jane@acme.example', roles: ['Admin', 'Reader'] }],
  ...extra,
});
const build = (raw: unknown) => buildTenant(raw, 'tenant.yaml', 'seed');

describe('tenant file: roles and RBAC settings', () => {
  it('builds roles with their permissions and ids that are the same on every start (the export\'s when it has one)', () => {
    const { tenant, ignoredKeys } = build(doc());
    expect(tenant.roles).toEqual([
      {
        id: expect.stringMatching(/^rol_[A-Za-z0-9]{16}$/),
        name: 'Admin',
        description: 'Administrators',
        permissions: [
          { resourceServerIdentifier: API, permissionName: 'read:orders' },
          { resourceServerIdentifier: API, permissionName: 'write:orders' },
        ],
      },
      { id: expect.stringMatching(/^rol_[A-Za-z0-9]{16}$/), name: 'Reader', description: undefined, permissions: [{ resourceServerIdentifier: API, permissionName: 'read:orders' }] },
      { id: 'rol_Exported1234567890', name: 'Exported', description: undefined, permissions: [] },
    ]);
    expect(build(doc()).tenant.roles.map((r) => r.id)).toEqual(tenant.roles.map((r) => r.id));
    expect(new Set(tenant.roles.map((r) => r.id)).size).toBe(3);
    expect(tenant.users[0]?.roles).toEqual(['Admin', 'Reader']);
    expect(ignoredKeys).toEqual([]);
  });

  it('reads enforce_policies and all four token dialects; an API without them has RBAC off', () => {
    for (const dialect of ['access_token', 'access_token_authz', 'rfc9068_profile', 'rfc9068_profile_authz']) {
      const { tenant } = build({ resourceServers: [{ identifier: API, enforce_policies: true, token_dialect: dialect }] });
      expect(tenant.resourceServers[0]).toMatchObject({ enforcePolicies: true, tokenDialect: dialect });
    }
    expect(build({ resourceServers: [{ identifier: API }] }).tenant.resourceServers[0]).toMatchObject({ enforcePolicies: false, tokenDialect: 'access_token' });
    expect(configProblems(() => build({ resourceServers: [{ identifier: API, token_dialect: 'jwt' }] })).join('\n')).toMatch(/resourceServers\[0\]\.token_dialect/);
  });

  it('a permission naming an unknown API or a scope the API lacks is a warning naming it; a duplicate role and a user role naming no role stop start-up', () => {
    const tenant = doc({
      roles: [
        { name: 'Admin', permissions: [{ permission_name: 'read:orders', resource_server_identifier: 'https://nope.example' }, { permission_name: 'delete:orders', resource_server_identifier: API }, { permission_name: 'read:orders', resource_server_identifier: API }] },
        { name: 'Admin' },
      ],
      users: [{ connection: 'email', email: 'jane@acme.example', roles: ['Admin', 'Owner'] }],
    });
    expect(configProblems(() => build(tenant))).toEqual(['roles[1].name: "Admin" is used twice', 'users[0].roles[1]: no role named "Owner" in roles (roles: Admin)']);
    const loadable = { ...tenant, roles: [tenant.roles[0]], users: [] };
    const { tenant: built, warnings } = build(loadable);
    expect(warnings).toEqual([
      'roles[0].permissions[0].resource_server_identifier: no API (resourceServers) with identifier "https://nope.example", so the role "Admin" does not grant "read:orders"',
      'roles[0].permissions[1].permission_name: "delete:orders" is not a scope of the API "https://api.acme.example" (its scopes: read:orders, write:orders), so the role "Admin" does not grant it',
    ]);
    // The rest of the role loads.
    expect(built.roles[0]!.permissions).toEqual([{ resourceServerIdentifier: API, permissionName: 'read:orders' }]);
  });

  it("a role without an exported id gets Auth0's form of id, the same on every start with the same data folder, and not guessable from its name", () => {
    const idWith = (seed: string) => buildTenant(doc({ roles: [{ name: 'Admin' }], users: [] }), 'tenant.yaml', seed).tenant.roles[0]!.id;
    expect(idWith('seed-a')).toMatch(/^rol_[A-Za-z0-9]{16}$/);
    expect(idWith('seed-a')).toBe(idWith('seed-a'));
    expect(idWith('seed-b')).not.toBe(idWith('seed-a'));
  });

  it('two roles with the same exported id stop start-up', () => {
    expect(configProblems(() => build(doc({ roles: [{ id: 'rol_same', name: 'A' }, { id: 'rol_same', name: 'B' }], users: [] })))).toEqual(['roles[1].id: "rol_same" is used twice']);
  });

  it('a Management API permission (exports leave that API out) is a warning: users never get its admin scopes', () => {
    const loaded = build(doc({ roles: [{ name: 'Ops', permissions: [{ permission_name: 'read:users', resource_server_identifier: 'https://acme.eu.auth0.com/api/v2/' }] }], users: [] }));
    expect(loaded.tenant.roles[0]?.permissions).toEqual([]);
    expect(loaded.warnings).toEqual([expect.stringMatching(/^roles\[0\]\.permissions\[0\]: "read:users" is a Management API permission/)]);
  });

  it('the start-up report no longer lists roles as not emulated; the RFC 9068 token format is', () => {
    const raw = doc({ resourceServers: [{ identifier: API, scopes: [{ value: 'read:orders' }, { value: 'write:orders' }], token_dialect: 'rfc9068_profile_authz' }] });
    const report = tenantReport(raw, build(raw).ignoredKeys);
    expect(report.features.map((f) => f.feature)).toEqual(['RFC 9068 access tokens']);
  });
});
