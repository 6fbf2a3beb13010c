import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../support/app.js';
import { latestMessage, SPA } from '../support/flows.js';
import { OTP_GRANT, post, token } from '../support/api.js';
import { BOB, JANE, ORDERS, rbacTenant } from './rbac-tenant.js';

/**
 * The Management API's RBAC endpoints through HTTP, with Auth0's status codes, shapes, paging and
 * errors (docs/research/auth0-actions-rbac.md §11): roles, their permissions and users, users' roles
 * and permissions, and the resource servers; each behind its scopes, for administrators only.
 */
describe('Management API: roles and permissions', () => {
  let t: TestApp;
  let bearer: string;
  beforeEach(async () => {
    t = await buildTestApp({ tenant: rbacTenant() });
    bearer = await mgmtToken('understudy-m2m', 'understudy-m2m-secret');
  });
  afterEach(() => t.app.close());

  async function mgmtToken(clientId: string, secret: string): Promise<string> {
    const response = await token(t.app, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience: `${t.issuer}api/v2/` });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().access_token;
  }
  function api(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, auth = bearer): Promise<LightMyRequestResponse> {
    return t.app.inject({
      method,
      url: `/api/v2/${url}`,
      headers: { authorization: `Bearer ${auth}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
  }
  const ok = async (response: Promise<LightMyRequestResponse>, status = 200): Promise<any> => {
    const r = await response;
    expect(r.statusCode, r.body).toBe(status);
    return r.body === '' ? undefined : r.json();
  };
  const refusal = async (response: Promise<LightMyRequestResponse>) => {
    const r = await response;
    return { status: r.statusCode, body: r.json() };
  };
  const ROLE_404 = { status: 404, body: { statusCode: 404, error: 'Not Found', message: 'The role does not exist.' } };
  const USER_404 = { status: 404, body: { statusCode: 404, error: 'Not Found', message: 'The user does not exist.', errorCode: 'inexistent_user' } };
  const perm = (permission_name: string) => ({ permission_name, resource_server_identifier: ORDERS });
  const roleId = async (name: string): Promise<string> => ((await ok(api('GET', 'roles'))) as { id: string; name: string }[]).find((r) => r.name === name)!.id;

  describe('roles', () => {
    it('lists the tenant\'s roles by name: an array, or wrapped with include_totals; a page past the end is empty', async () => {
      const roles = await ok(api('GET', 'roles'));
      expect(roles).toEqual([
        { id: expect.stringMatching(/^rol_[A-Za-z0-9]{16}$/), name: 'Admin', description: 'Everything on orders', type: 'tenant' },
        { id: expect.stringMatching(/^rol_[A-Za-z0-9]{16}$/), name: 'Reader', type: 'tenant' },
      ]);
      expect(await ok(api('GET', 'roles?include_totals=true&per_page=1'))).toEqual({ roles: [roles[0]], start: 0, limit: 1, total: 2 });
      expect(await ok(api('GET', 'roles?include_totals=true&per_page=1&page=1'))).toEqual({ roles: [roles[1]], start: 1, limit: 1, total: 2 });
      expect(await ok(api('GET', 'roles?include_totals=true&per_page=1&page=2'))).toEqual({ roles: [], start: 2, limit: 1, total: 2 });
      expect(await ok(api('GET', 'roles?page=5'))).toEqual([]);
      expect((await ok(api('GET', 'roles?name_filter=READ'))).map((r: { name: string }) => r.name)).toEqual(['Reader']);
    });

    it('POST /roles answers 200 with a rol_ id; GET, PATCH and DELETE (200 {}) by id; a taken name is 409', async () => {
      const created = await ok(api('POST', 'roles', { name: 'Support', description: 'Helps' }));
      expect(created).toEqual({ id: expect.stringMatching(/^rol_[A-Za-z0-9]{16}$/), name: 'Support', description: 'Helps', type: 'tenant' });
      expect(await ok(api('GET', `roles/${created.id}`))).toEqual(created);
      expect(await ok(api('PATCH', `roles/${created.id}`, { description: 'Helps customers' }))).toEqual({ ...created, description: 'Helps customers' });
      expect((await refusal(api('POST', 'roles', { name: 'Support' }))).status).toBe(409);
      expect((await refusal(api('PATCH', `roles/${created.id}`, { name: 'Admin' }))).status).toBe(409);
      expect(await ok(api('DELETE', `roles/${created.id}`))).toEqual({});
      expect(await refusal(api('GET', `roles/${created.id}`))).toEqual(ROLE_404);
      expect(await refusal(api('DELETE', `roles/${created.id}`))).toEqual(ROLE_404);
      expect(await refusal(api('PATCH', 'roles/rol_0000000000000000', { name: 'x' }))).toEqual(ROLE_404);
    });

    it('refuses a role without a name, in the invalid_body shape', async () => {
      expect(await refusal(api('POST', 'roles', { description: 'no name' }))).toEqual({
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: 'Payload validation error: Missing required property: name', errorCode: 'invalid_body' },
      });
    });
  });

  describe('a role\'s permissions', () => {
    it('adds (201 {}), lists with the API\'s name and the scope\'s description, and removes (204)', async () => {
      const reader = await roleId('Reader');
      expect(await ok(api('POST', `roles/${reader}/permissions`, { permissions: [perm('write:orders'), perm('read:orders')] }), 201)).toEqual({});
      expect(await ok(api('GET', `roles/${reader}/permissions?include_totals=true`))).toEqual({
        permissions: [
          { permission_name: 'read:orders', description: 'Read orders', resource_server_name: 'Orders API', resource_server_identifier: ORDERS },
          { permission_name: 'write:orders', description: 'Write orders', resource_server_name: 'Orders API', resource_server_identifier: ORDERS },
        ],
        start: 0,
        limit: 50,
        total: 2,
      });
      expect(await ok(api('DELETE', `roles/${reader}/permissions`, { permissions: [perm('read:orders')] }), 204)).toBeUndefined();
      expect((await ok(api('GET', `roles/${reader}/permissions`))).map((p: { permission_name: string }) => p.permission_name)).toEqual(['write:orders']);
    });

    it('refuses an unknown API (404), a scope the API does not define (400) and an unknown role (404)', async () => {
      const reader = await roleId('Reader');
      expect(await refusal(api('POST', `roles/${reader}/permissions`, { permissions: [{ permission_name: 'x', resource_server_identifier: 'https://nope.example' }] }))).toEqual({
        status: 404,
        body: { statusCode: 404, error: 'Not Found', message: "The resource server does not exist: 'https://nope.example'", errorCode: 'inexistent_resource_server' },
      });
      expect((await refusal(api('POST', `roles/${reader}/permissions`, { permissions: [perm('fly:orders')] }))).status).toBe(400);
      expect((await refusal(api('POST', `roles/${reader}/permissions`, { permissions: [] }))).status).toBe(400);
      expect(await refusal(api('POST', 'roles/rol_0000000000000000/permissions', { permissions: [perm('read:orders')] }))).toEqual(ROLE_404);
      expect(await refusal(api('GET', 'roles/rol_0000000000000000/permissions'))).toEqual(ROLE_404);
    });
  });

  describe('a role\'s users', () => {
    it('assigns users (200 {}) and lists them by offset or by checkpoint (take/from, no next on the last page)', async () => {
      const reader = await roleId('Reader');
      const created = [];
      for (const n of [1, 2, 3]) created.push((await ok(api('POST', 'users', { connection: 'email', email: `member${n}@example.com` }), 201)).user_id);
      expect(await ok(api('POST', `roles/${reader}/users`, { users: created }))).toEqual({});
      const all = await ok(api('GET', `roles/${reader}/users?include_totals=true`));
      expect(all).toEqual({ users: created.map((id, i) => ({ user_id: id, email: `member${i + 1}@example.com`, picture: expect.any(String), name: `member${i + 1}@example.com` })), start: 0, limit: 50, total: 3 });
      expect(await ok(api('GET', `roles/${reader}/users?per_page=2&page=1`))).toEqual([all.users[2]]);

      const first = await ok(api('GET', `roles/${reader}/users?include_totals=true&take=2`));
      expect(first).toEqual({ users: all.users.slice(0, 2), next: expect.any(String) });
      const last = await ok(api('GET', `roles/${reader}/users?take=2&from=${encodeURIComponent(first.next)}`));
      expect(last).toEqual({ users: all.users.slice(2) });
    });

    it('an unknown user in the list is 404 inexistent_user and assigns no one; an unknown role is 404', async () => {
      const reader = await roleId('Reader');
      expect(await refusal(api('POST', `roles/${reader}/users`, { users: [BOB, 'email|000000000000000000000000'] }))).toEqual(USER_404);
      expect(await ok(api('GET', `roles/${reader}/users`))).toEqual([]);
      expect(await refusal(api('POST', 'roles/rol_0000000000000000/users', { users: [BOB] }))).toEqual(ROLE_404);
    });

    it('deleting a user or a role takes the assignment along', async () => {
      const admin = await roleId('Admin');
      const created = (await ok(api('POST', 'users', { connection: 'email', email: 'leaver@example.com' }), 201)).user_id;
      await ok(api('POST', `roles/${admin}/users`, { users: [created] }));
      await ok(api('DELETE', `users/${encodeURIComponent(created)}`), 204);
      expect((await ok(api('GET', `roles/${admin}/users`))).map((u: { user_id: string }) => u.user_id)).toEqual([JANE]);
      await ok(api('DELETE', `roles/${admin}`));
      expect(await ok(api('GET', `users/${encodeURIComponent(JANE)}/roles`))).toEqual([]);
    });
  });

  describe('a user\'s roles and permissions', () => {
    it('assigns roles (204), lists them (include_totals) and removes them (204); the tenant file\'s roles are there from the start', async () => {
      const [admin, reader] = [await roleId('Admin'), await roleId('Reader')];
      const bob = `users/${encodeURIComponent(BOB)}/roles`;
      expect(await ok(api('GET', `users/${encodeURIComponent(JANE)}/roles`))).toEqual([{ id: admin, name: 'Admin', description: 'Everything on orders', type: 'tenant' }]);
      expect(await ok(api('POST', bob, { roles: [reader, admin] }), 204)).toBeUndefined();
      expect(await ok(api('GET', `${bob}?include_totals=true`))).toEqual({
        roles: [expect.objectContaining({ id: admin, name: 'Admin' }), { id: reader, name: 'Reader', type: 'tenant' }],
        start: 0,
        limit: 50,
        total: 2,
      });
      expect(await ok(api('DELETE', bob, { roles: [admin] }), 204)).toBeUndefined();
      expect((await ok(api('GET', bob))).map((r: { name: string }) => r.name)).toEqual(['Reader']);
      expect(await t.app.deps.roles.rolesOf(BOB)).toEqual(['Reader']);
    });

    it('an unknown role is 404 and assigns nothing; an unknown user is 404 inexistent_user', async () => {
      const reader = await roleId('Reader');
      const bob = `users/${encodeURIComponent(BOB)}/roles`;
      expect(await refusal(api('POST', bob, { roles: [reader, 'rol_0000000000000000'] }))).toEqual(ROLE_404);
      expect(await ok(api('GET', bob))).toEqual([]);
      expect(await refusal(api('GET', 'users/email%7C000000000000000000000000/roles'))).toEqual(USER_404);
      expect(await refusal(api('POST', 'users/email%7C000000000000000000000000/roles', { roles: [reader] }))).toEqual(USER_404);
      expect(await refusal(api('GET', 'users/email%7C000000000000000000000000/permissions'))).toEqual(USER_404);
    });

    it('direct permissions (201 {}, 204) and those of roles, each with its sources', async () => {
      const reader = await roleId('Reader');
      const bob = `users/${encodeURIComponent(BOB)}`;
      expect(await ok(api('POST', `${bob}/permissions`, { permissions: [perm('read:orders'), perm('delete:orders')] }), 201)).toEqual({});
      await ok(api('POST', `${bob}/roles`, { roles: [reader] }), 204);
      expect(await ok(api('GET', `${bob}/permissions?include_totals=true`))).toEqual({
        permissions: [
          {
            permission_name: 'read:orders', description: 'Read orders', resource_server_name: 'Orders API', resource_server_identifier: ORDERS,
            sources: [{ source_id: '', source_name: '', source_type: 'DIRECT' }, { source_id: reader, source_name: 'Reader', source_type: 'ROLE' }],
          },
          { permission_name: 'delete:orders', resource_server_name: 'Orders API', resource_server_identifier: ORDERS, sources: [{ source_id: '', source_name: '', source_type: 'DIRECT' }] },
        ],
        start: 0,
        limit: 50,
        total: 2,
      });
      expect(await ok(api('DELETE', `${bob}/permissions`, { permissions: [perm('read:orders'), perm('delete:orders')] }), 204)).toBeUndefined();
      expect((await ok(api('GET', `${bob}/permissions`))).map((p: { sources: { source_type: string }[] }) => p.sources.map((s) => s.source_type))).toEqual([['ROLE']]);
    });
  });

  describe('resource servers', () => {
    it('lists the tenant\'s APIs and the Management API (is_system), and reads one by id or by identifier', async () => {
      const listed = await ok(api('GET', 'resource-servers?include_totals=true'));
      expect(listed).toMatchObject({ start: 0, limit: 50, total: 2 });
      const [orders, management] = listed.resource_servers;
      expect(orders).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        name: 'Orders API',
        identifier: ORDERS,
        scopes: [{ value: 'read:orders', description: 'Read orders' }, { value: 'write:orders', description: 'Write orders' }, { value: 'delete:orders', description: '' }],
        signing_alg: 'RS256',
        allow_offline_access: true,
        skip_consent_for_verifiable_first_party_clients: true,
        token_lifetime: 86400,
        token_lifetime_for_web: 7200,
        enforce_policies: true,
        token_dialect: 'access_token_authz',
      });
      expect(management).toMatchObject({ identifier: `${t.issuer}api/v2/`, is_system: true, enforce_policies: false });
      expect(await ok(api('GET', `resource-servers/${orders.id}`))).toEqual(orders);
      expect(await ok(api('GET', `resource-servers/${encodeURIComponent(ORDERS)}`))).toEqual(orders);
      expect(await ok(api('GET', `resource-servers?identifiers=${encodeURIComponent(ORDERS)}`))).toEqual([orders]);
      expect((await refusal(api('GET', 'resource-servers/000000000000000000000000'))).status).toBe(404);
    });
  });

  describe('access', () => {
    it('each route needs its scope: a reader of roles cannot create one', async () => {
      const reader = await mgmtToken('role-reader', 'role-reader-secret');
      expect((await ok(api('GET', 'roles', undefined, reader))).length).toBe(2);
      expect(await refusal(api('POST', 'roles', { name: 'Sneaky' }, reader))).toEqual({
        status: 403,
        body: { statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: create:roles', errorCode: 'insufficient_scope' },
      });
      expect((await refusal(api('GET', `users/${encodeURIComponent(JANE)}/permissions`, undefined, reader))).status).toBe(403);
      expect((await refusal(api('GET', 'resource-servers', undefined, reader))).status).toBe(403);
    });

    it('a user\'s own token reaches none of them, not even their own roles', async () => {
      await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', email: 'jane@example.com', send: 'code' });
      const { code } = await latestMessage(t.app, 'jane@example.com');
      const issued = await token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: 'jane@example.com', otp: code, audience: `${t.issuer}api/v2/`, scope: 'openid read:current_user read:roles' });
      const userToken = issued.json().access_token;
      expect((await refusal(api('GET', `users/${encodeURIComponent(JANE)}/roles`, undefined, userToken))).status).toBe(403);
      expect((await refusal(api('GET', 'roles', undefined, userToken))).status).toBe(403);
      expect((await refusal(api('POST', `users/${encodeURIComponent(JANE)}/permissions`, { permissions: [perm('read:orders')] }, userToken))).status).toBe(403);
    });
  });

  it('a reset brings the tenant file\'s roles back with the same ids, and forgets the others', async () => {
    const before = await ok(api('GET', 'roles'));
    const created = await ok(api('POST', 'roles', { name: 'Temporary' }));
    await ok(api('DELETE', `roles/${before[0].id}`));
    expect((await t.app.inject({ method: 'POST', url: '/_dev/api/reset' })).statusCode).toBe(204);
    expect(await ok(api('GET', 'roles'))).toEqual(before);
    expect(await refusal(api('GET', `roles/${created.id}`))).toEqual(ROLE_404);
    expect(await t.app.deps.roles.rolesOf(JANE)).toEqual(['Admin']);
  });
});
