import { describe, expect, it } from 'vitest';
import { Management } from 'auth0';
import { ManagementClient as LegacyManagementClient } from 'auth0/legacy';
import { useHttpsManagement } from '../support/https-management.js';
import { passwordlessLogin } from '../support/flows.js';
import { tokensFor, verifyJwt } from '../support/screens.js';
import { BOB, ORDERS, rbacTenant } from '../rbac/rbac-tenant.js';

/**
 * node-auth0's ManagementClient (auth0@7.1.0, and its v4 client in auth0/legacy) unmodified against
 * Understudy's RBAC endpoints, over HTTPS with Understudy's local CA as node-auth0 requires: create a
 * role, give it permissions, assign it to a user, list with the SDK's own paging, and the user's next
 * login carries the role's permissions.
 */
describe('auth0 (node-auth0) 7.1.0 ManagementClient: roles and permissions', () => {
  const env = useHttpsManagement(() => rbacTenant(), 'node-auth0-roles');

  it('creates a role, adds permissions, assigns it to a user, lists with paging, and the user\'s next login has its permissions', async () => {
    const role = await env.management.roles.create({ name: 'Order Clerk', description: 'Reads and writes orders' });
    expect(role).toMatchObject({ id: expect.stringMatching(/^rol_[A-Za-z0-9]{16}$/), name: 'Order Clerk', description: 'Reads and writes orders' });
    await env.management.roles.permissions.add(role.id!, {
      permissions: [{ resource_server_identifier: ORDERS, permission_name: 'read:orders' }, { resource_server_identifier: ORDERS, permission_name: 'write:orders' }],
    });
    const permissions = await env.management.roles.permissions.list(role.id!);
    expect(permissions.data.map((p) => p.permission_name)).toEqual(['read:orders', 'write:orders']);
    expect(permissions.data[0]).toMatchObject({ resource_server_name: 'Orders API', description: 'Read orders' });

    const created = await env.management.users.create({ connection: 'email', email: 'clerk@example.com' });
    await env.management.roles.users.assign(role.id!, { users: [created.user_id!, BOB] });
    await env.management.users.roles.assign(BOB, { roles: [role.id!] });

    // One role a page: the SDK follows page after page until one comes back short.
    const names: string[] = [];
    for await (const listed of await env.management.roles.list({ per_page: 1 })) names.push(String(listed.name));
    expect(names).toEqual(['Admin', 'Order Clerk', 'Reader']);
    // Checkpoint paging: take one at a time and follow `next`.
    const members: string[] = [];
    for await (const member of await env.management.roles.users.list(role.id!, { take: 1 })) members.push(String(member.user_id));
    expect(members).toEqual([created.user_id, BOB]);

    expect((await env.management.users.roles.list(created.user_id!)).data.map((r) => r.name)).toEqual(['Order Clerk']);
    const held = await env.management.users.permissions.list(created.user_id!);
    // node-auth0 does not type `sources`; Auth0 sends them.
    const sourceTypes = (p: object) => ((p as { sources?: { source_type: string }[] }).sources ?? []).map((s) => s.source_type);
    expect(held.data.map((p) => [p.permission_name, sourceTypes(p)])).toEqual([
      ['read:orders', ['ROLE']],
      ['write:orders', ['ROLE']],
    ]);

    const { callback, verifier } = await passwordlessLogin(env.t.app, { identifier: 'clerk@example.com', params: { audience: ORDERS, scope: 'openid read:orders write:orders delete:orders' } });
    const tokens = await tokensFor(env.t.app, callback, verifier);
    const claims = await verifyJwt(env.t.app, tokens.access_token, env.t.issuer, env.t.clock.now(), ORDERS);
    expect(claims.permissions).toEqual(['read:orders', 'write:orders']);
    expect(String(claims.scope).split(' ').sort()).toEqual(['openid', 'read:orders', 'write:orders']);
  });

  it('direct user permissions, the resource servers, and NotFoundError for a deleted role', async () => {
    const created = await env.management.users.create({ connection: 'email', email: 'direct@example.com' });
    await env.management.users.permissions.create(created.user_id!, { permissions: [{ resource_server_identifier: ORDERS, permission_name: 'delete:orders' }] });
    expect((await env.management.users.permissions.list(created.user_id!)).data).toEqual([
      expect.objectContaining({ permission_name: 'delete:orders', resource_server_identifier: ORDERS, sources: [{ source_id: '', source_name: '', source_type: 'DIRECT' }] }),
    ]);
    await env.management.users.permissions.delete(created.user_id!, { permissions: [{ resource_server_identifier: ORDERS, permission_name: 'delete:orders' }] });
    expect((await env.management.users.permissions.list(created.user_id!)).data).toEqual([]);

    const apis = await env.management.resourceServers.list();
    expect(apis.data.map((a) => [a.identifier, a.enforce_policies, a.token_dialect])).toEqual([
      [ORDERS, true, 'access_token_authz'],
      [`${env.t.issuer}api/v2/`, false, 'access_token'],
    ]);

    const role = await env.management.roles.create({ name: 'Short-lived' });
    await env.management.roles.update(role.id!, { description: 'Not for long' });
    expect((await env.management.roles.get(role.id!)).description).toBe('Not for long');
    await env.management.roles.delete(role.id!);
    const error = await env.management.roles.get(role.id!).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(Management.NotFoundError);
    expect((error as Management.NotFoundError).body).toEqual({ statusCode: 404, error: 'Not Found', message: 'The role does not exist.' });
  });

  it('its v4 client (auth0/legacy): roles.getAll, assignPermissions and users.assignRoles / getRoles / getPermissions', async () => {
    const legacy = new LegacyManagementClient({ domain: env.domain, clientId: 'understudy-m2m', clientSecret: 'understudy-m2m-secret' });
    const { data: role } = await legacy.roles.create({ name: 'Legacy Auditor' });
    await legacy.roles.addPermissions({ id: role.id }, { permissions: [{ resource_server_identifier: ORDERS, permission_name: 'read:orders' }] });
    const { data: page } = await legacy.roles.getAll({ include_totals: true, per_page: 50 });
    expect(page.roles.map((r) => r.name)).toContain('Legacy Auditor');
    const { data: created } = await legacy.users.create({ connection: 'email', email: 'auditor@example.com' });
    await legacy.users.assignRoles({ id: created.user_id }, { roles: [role.id] });
    expect((await legacy.users.getRoles({ id: created.user_id })).data.map((r) => r.name)).toEqual(['Legacy Auditor']);
    expect((await legacy.users.getPermissions({ id: created.user_id })).data.map((p) => p.permission_name)).toEqual(['read:orders']);
    const { data: members } = await legacy.roles.getUsers({ id: role.id });
    expect(members.map((u) => u.user_id)).toEqual([created.user_id]);
  });
});
