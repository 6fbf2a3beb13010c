import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../http/app-deps.js';
import type { Role, User } from '../../store/records.js';
import { roleExists, roleNotFound, userNotFound } from '../../management/management-error.js';
import { checkpointPage, offsetList, wantsCheckpoint } from '../../management/paging.js';
import { idsBody, permissionJson, permissionsBody, roleBody, roleJson, roleMemberJson, userPermissionJson } from '../../management/rbac-shapes.js';
import { randomRoleId } from '../../rbac/role-ids.js';
import { AnyObject, ListOrPage, fieldsOf, paramsOf, queryWith } from '../../http/route-schemas.js';
import { ACCESS } from './access.js';

/**
 * The Management API's RBAC: roles (CRUD), a role's permissions and users, a user's roles and
 * permissions. Status codes and shapes follow Auth0's recorded answers (docs/research/auth0-actions-rbac.md
 * §11): POST /roles is 200, deleting a role 200 `{}`, adding permissions 201 `{}`, assigning a role's
 * users 200 `{}`, a user's roles 204. Only administrators' tokens reach these routes.
 */
const Id = paramsOf('id');
const Paged = queryWith(['page', 'per_page', 'include_totals', 'take', 'from', 'name_filter']);
const Permissions = fieldsOf(['permissions']);

export async function roleRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { store, tenant, roles, random } = deps;
  const roleOr404 = async (id: string): Promise<Role> => (await store.getRole(id)) ?? Promise.reject(roleNotFound());
  const userOr404 = async (id: string): Promise<User> => (await store.getUser(id)) ?? Promise.reject(userNotFound());
  const list = { querystring: Paged, response: { 200: ListOrPage } };

  app.get('/api/v2/roles', { config: { access: ACCESS.readRoles }, schema: list }, async (request) => {
    const filter = typeof request.query.name_filter === 'string' ? request.query.name_filter.toLowerCase() : '';
    const all = (await store.listRoles()).filter((role) => role.name.toLowerCase().includes(filter));
    return offsetList(request.query, 'roles', all.map(roleJson));
  });

  app.post('/api/v2/roles', { config: { access: ACCESS.createRoles }, schema: { body: fieldsOf(['name', 'description']), response: { 200: AnyObject } } }, async (request) => {
    const { name, description } = roleBody(request.body, true) as { name: string; description?: string };
    const { role, created } = await store.createRole({ id: randomRoleId(random), name, description });
    if (!created) throw roleExists(name);
    return roleJson(role);
  });

  app.get('/api/v2/roles/:id', { config: { access: ACCESS.readRoles }, schema: { params: Id, response: { 200: AnyObject } } }, async (request) => roleJson(await roleOr404(request.params.id)));

  app.patch('/api/v2/roles/:id', { config: { access: ACCESS.updateRoles }, schema: { params: Id, body: fieldsOf(['name', 'description']), response: { 200: AnyObject } } }, async (request) => {
    const patch = roleBody(request.body, false);
    const updated = await store.updateRole(request.params.id, patch);
    if (updated === 'name_taken') throw roleExists(patch.name ?? '');
    if (!updated) throw roleNotFound();
    return roleJson(updated);
  });

  app.delete('/api/v2/roles/:id', { config: { access: ACCESS.deleteRoles }, schema: { params: Id, response: { 200: AnyObject } } }, async (request) => {
    if (!(await store.deleteRole(request.params.id))) throw roleNotFound();
    return {};
  });

  app.get('/api/v2/roles/:id/permissions', { config: { access: ACCESS.readRoles }, schema: { params: Id, ...list } }, async (request) => {
    const role = await roleOr404(request.params.id);
    return offsetList(request.query, 'permissions', (await store.listRolePermissions(role.id)).map((p) => permissionJson(tenant, p)));
  });

  app.post('/api/v2/roles/:id/permissions', { config: { access: ACCESS.updateRoles }, schema: { params: Id, body: Permissions, response: { 201: AnyObject } } }, async (request, reply) => {
    if (!(await store.addRolePermissions(request.params.id, permissionsBody(request.body, tenant)))) throw roleNotFound();
    return reply.status(201).send({});
  });

  app.delete('/api/v2/roles/:id/permissions', { config: { access: ACCESS.updateRoles }, schema: { params: Id, body: Permissions } }, async (request, reply) => {
    if (!(await store.removeRolePermissions(request.params.id, permissionsBody(request.body, tenant)))) throw roleNotFound();
    return reply.status(204).send();
  });

  app.get('/api/v2/roles/:id/users', { config: { access: ACCESS.readRoleMembers }, schema: { params: Id, ...list } }, async (request) => {
    const role = await roleOr404(request.params.id);
    // Members are read a page at a time; one deleted meanwhile is left out of its page.
    const members = async (ids: string[]) => (await Promise.all(ids.map((id) => store.getUser(id)))).filter((u): u is User => u !== undefined).map(roleMemberJson);
    const ids = await store.listRoleUsers(role.id);
    const query = request.query;
    if (wantsCheckpoint(query)) {
      const { items, next } = checkpointPage(query, ids);
      return { users: await members(items), ...(next ? { next } : {}) };
    }
    const page = offsetList(query, 'users', ids);
    return Array.isArray(page) ? members(page) : { ...page, users: await members(page.users as string[]) };
  });

  app.post('/api/v2/roles/:id/users', { config: { access: ACCESS.assignRoleMembers }, schema: { params: Id, body: fieldsOf(['users']), response: { 200: AnyObject } } }, async (request) => {
    const role = await roleOr404(request.params.id);
    const userIds = idsBody(request.body, 'users');
    for (const id of userIds) await userOr404(id);
    for (const id of userIds) await store.assignRoles(id, [role.id]);
    return {};
  });

  app.get('/api/v2/users/:id/roles', { config: { access: ACCESS.readRoleMembers }, schema: { params: Id, ...list } }, async (request) => {
    const user = await userOr404(request.params.id);
    return offsetList(request.query, 'roles', (await store.listUserRoles(user.user_id)).map(roleJson));
  });

  app.post('/api/v2/users/:id/roles', { config: { access: ACCESS.assignUserRoles }, schema: { params: Id, body: fieldsOf(['roles']) } }, async (request, reply) => {
    const user = await userOr404(request.params.id);
    const roleIds = idsBody(request.body, 'roles');
    for (const id of roleIds) await roleOr404(id);
    await store.assignRoles(user.user_id, roleIds);
    return reply.status(204).send();
  });

  app.delete('/api/v2/users/:id/roles', { config: { access: ACCESS.removeUserRoles }, schema: { params: Id, body: fieldsOf(['roles']) } }, async (request, reply) => {
    const user = await userOr404(request.params.id);
    await store.unassignRoles(user.user_id, idsBody(request.body, 'roles'));
    return reply.status(204).send();
  });

  app.get('/api/v2/users/:id/permissions', { config: { access: ACCESS.readUsers }, schema: { params: Id, ...list } }, async (request) => {
    const user = await userOr404(request.params.id);
    return offsetList(request.query, 'permissions', (await roles.permissionSources(user.user_id)).map((held) => userPermissionJson(tenant, held)));
  });

  app.post('/api/v2/users/:id/permissions', { config: { access: ACCESS.updateUsers }, schema: { params: Id, body: Permissions, response: { 201: AnyObject } } }, async (request, reply) => {
    const user = await userOr404(request.params.id);
    await store.addUserPermissions(user.user_id, permissionsBody(request.body, tenant));
    return reply.status(201).send({});
  });

  app.delete('/api/v2/users/:id/permissions', { config: { access: ACCESS.updateUsers }, schema: { params: Id, body: Permissions } }, async (request, reply) => {
    const user = await userOr404(request.params.id);
    await store.removeUserPermissions(user.user_id, permissionsBody(request.body, tenant));
    return reply.status(204).send();
  });
}
