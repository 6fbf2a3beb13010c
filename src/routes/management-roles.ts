import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from '../http/app-deps.js';
import type { Role, User } from '../store/records.js';
import type { RouteAccess } from '../management/management-access.js';
import { createManagementGate } from '../management/management-gate.js';
import { resourceServerNotFound, roleExists, roleNotFound, userNotFound } from '../management/management-error.js';
import { checkpointPage, offsetList, wantsCheckpoint, type Query } from '../management/paging.js';
import {
  idsBody, permissionJson, permissionsBody, resourceServerId, resourceServerJson, roleBody, roleJson, roleMemberJson, userPermissionJson,
} from '../management/rbac-shapes.js';
import { randomRoleId } from '../rbac/role-ids.js';

/**
 * The Management API's RBAC: roles (CRUD), a role's permissions and users, a user's roles and
 * permissions, and the tenant's APIs (resource servers, read only). Status codes and shapes follow
 * Auth0's recorded answers (docs/research/auth0-actions-rbac.md §11): POST /roles is 200, deleting a
 * role 200 `{}`, adding permissions 201 `{}`, assigning a role's users 200 `{}`, a user's roles 204.
 * Only administrators' tokens reach these routes; a user's own token has no scope here.
 */
type Params = { id: string };

export async function managementRoleRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { store, tenant, roles, random, issuer } = deps;
  const gate = createManagementGate(deps);
  const authorize = (request: FastifyRequest, access: RouteAccess) => gate(request.headers.authorization, access);
  const idOf = (request: FastifyRequest): string => (request.params as Params).id;
  const query = (request: FastifyRequest): Query => request.query as Query;

  const roleOr404 = async (id: string): Promise<Role> => (await store.getRole(id)) ?? Promise.reject(roleNotFound());
  const userOr404 = async (id: string): Promise<User> => (await store.getUser(id)) ?? Promise.reject(userNotFound());

  app.get('/api/v2/roles', async (request) => {
    await authorize(request, ACCESS.readRoles);
    const filter = typeof query(request).name_filter === 'string' ? String(query(request).name_filter).toLowerCase() : '';
    const all = (await store.listRoles()).filter((role) => role.name.toLowerCase().includes(filter));
    return offsetList(query(request), 'roles', all.map(roleJson));
  });

  app.post('/api/v2/roles', async (request) => {
    await authorize(request, ACCESS.createRoles);
    const { name, description } = roleBody(request.body, true) as { name: string; description?: string };
    const { role, created } = await store.createRole({ id: randomRoleId(random), name, description });
    if (!created) throw roleExists(name);
    return roleJson(role);
  });

  app.get('/api/v2/roles/:id', async (request) => {
    await authorize(request, ACCESS.readRoles);
    return roleJson(await roleOr404(idOf(request)));
  });

  app.patch('/api/v2/roles/:id', async (request) => {
    await authorize(request, ACCESS.updateRoles);
    const patch = roleBody(request.body, false);
    const updated = await store.updateRole(idOf(request), patch);
    if (updated === 'name_taken') throw roleExists(patch.name ?? '');
    if (!updated) throw roleNotFound();
    return roleJson(updated);
  });

  app.delete('/api/v2/roles/:id', async (request) => {
    await authorize(request, ACCESS.deleteRoles);
    if (!(await store.deleteRole(idOf(request)))) throw roleNotFound();
    return {};
  });

  app.get('/api/v2/roles/:id/permissions', async (request) => {
    await authorize(request, ACCESS.readRoles);
    const role = await roleOr404(idOf(request));
    return offsetList(query(request), 'permissions', (await store.listRolePermissions(role.id)).map((p) => permissionJson(tenant, p)));
  });

  app.post('/api/v2/roles/:id/permissions', async (request, reply) => {
    await authorize(request, ACCESS.updateRoles);
    const permissions = permissionsBody(request.body, tenant);
    if (!(await store.addRolePermissions(idOf(request), permissions))) throw roleNotFound();
    return reply.status(201).send({});
  });

  app.delete('/api/v2/roles/:id/permissions', async (request, reply) => {
    await authorize(request, ACCESS.updateRoles);
    const permissions = permissionsBody(request.body, tenant);
    if (!(await store.removeRolePermissions(idOf(request), permissions))) throw roleNotFound();
    return reply.status(204).send();
  });

  app.get('/api/v2/roles/:id/users', async (request) => {
    await authorize(request, ACCESS.readRoleMembers);
    const role = await roleOr404(idOf(request));
    // Members are read a page at a time; one deleted meanwhile is left out of its page.
    const members = async (ids: string[]) => (await Promise.all(ids.map((id) => store.getUser(id)))).filter((u): u is User => u !== undefined).map(roleMemberJson);
    const ids = await store.listRoleUsers(role.id);
    if (wantsCheckpoint(query(request))) {
      const { items, next } = checkpointPage(query(request), ids);
      return { users: await members(items), ...(next ? { next } : {}) };
    }
    const page = offsetList(query(request), 'users', ids) as string[] | { users: string[] };
    return Array.isArray(page) ? members(page) : { ...page, users: await members(page.users) };
  });

  app.post('/api/v2/roles/:id/users', async (request) => {
    await authorize(request, ACCESS.assignRoleMembers);
    const role = await roleOr404(idOf(request));
    const userIds = idsBody(request.body, 'users');
    for (const id of userIds) await userOr404(id);
    for (const id of userIds) await store.assignRoles(id, [role.id]);
    return {};
  });

  app.get('/api/v2/users/:id/roles', async (request) => {
    await authorize(request, ACCESS.readRoleMembers);
    const user = await userOr404(idOf(request));
    return offsetList(query(request), 'roles', (await store.listUserRoles(user.user_id)).map(roleJson));
  });

  app.post('/api/v2/users/:id/roles', async (request, reply) => {
    await authorize(request, ACCESS.assignUserRoles);
    const user = await userOr404(idOf(request));
    const roleIds = idsBody(request.body, 'roles');
    for (const id of roleIds) await roleOr404(id);
    await store.assignRoles(user.user_id, roleIds);
    return reply.status(204).send();
  });

  app.delete('/api/v2/users/:id/roles', async (request, reply) => {
    await authorize(request, ACCESS.removeUserRoles);
    const user = await userOr404(idOf(request));
    await store.unassignRoles(user.user_id, idsBody(request.body, 'roles'));
    return reply.status(204).send();
  });

  app.get('/api/v2/users/:id/permissions', async (request) => {
    await authorize(request, ACCESS.readUsers);
    const user = await userOr404(idOf(request));
    return offsetList(query(request), 'permissions', (await roles.permissionSources(user.user_id)).map((held) => userPermissionJson(tenant, held)));
  });

  app.post('/api/v2/users/:id/permissions', async (request, reply) => {
    await authorize(request, ACCESS.updateUsers);
    const user = await userOr404(idOf(request));
    await store.addUserPermissions(user.user_id, permissionsBody(request.body, tenant));
    return reply.status(201).send({});
  });

  app.delete('/api/v2/users/:id/permissions', async (request, reply) => {
    await authorize(request, ACCESS.updateUsers);
    const user = await userOr404(idOf(request));
    await store.removeUserPermissions(user.user_id, permissionsBody(request.body, tenant));
    return reply.status(204).send();
  });

  app.get('/api/v2/resource-servers', async (request) => {
    await authorize(request, ACCESS.readResourceServers);
    const wanted = query(request).identifiers;
    const identifiers = wanted === undefined ? undefined : new Set((Array.isArray(wanted) ? wanted : [wanted]).flatMap((w) => w.split(',')));
    const apis = tenant.resourceServers.filter((api) => !identifiers || identifiers.has(api.identifier));
    return offsetList(query(request), 'resource_servers', apis.map((api) => resourceServerJson(api, issuer)));
  });

  // By id or by identifier (the audience), as Auth0 takes either.
  app.get('/api/v2/resource-servers/:id', async (request) => {
    await authorize(request, ACCESS.readResourceServers);
    const id = idOf(request);
    const api = tenant.resourceServers.find((r) => resourceServerId(r) === id || r.identifier === id);
    if (!api) throw resourceServerNotFound();
    return resourceServerJson(api, issuer);
  });
}

/** Each route's scopes, as Auth0's Management API documents them; any one of a list suffices. */
const ACCESS = {
  readRoles: { admin: ['read:roles'] },
  createRoles: { admin: ['create:roles'] },
  updateRoles: { admin: ['update:roles'] },
  deleteRoles: { admin: ['delete:roles'] },
  readRoleMembers: { admin: ['read:users', 'read:roles', 'read:role_members'] },
  assignRoleMembers: { admin: ['update:roles', 'create:role_members'] },
  assignUserRoles: { admin: ['update:users', 'create:role_members'] },
  removeUserRoles: { admin: ['update:users', 'delete:role_members'] },
  readUsers: { admin: ['read:users'] },
  updateUsers: { admin: ['update:users'] },
  readResourceServers: { admin: ['read:resource_servers'] },
} satisfies Record<string, RouteAccess>;
