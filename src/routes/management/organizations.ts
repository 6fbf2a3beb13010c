import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../http/app-deps.js';
import type { Organization, Role, User } from '../../store/records.js';
import { connectionId } from '../../tenant/model.js';
import { createInvitation } from '../../management/invitations.js';
import { badRequest, invitationNotFound, organizationConnectionNotFound, organizationExists, organizationNotFound, userNotFound } from '../../management/management-error.js';
import { checkpointPage, offsetList, wantsCheckpoint, type Query } from '../../management/paging.js';
import { enabledConnectionBody, enabledConnectionJson, idList, memberJson, organizationBody, organizationJson } from '../../management/organization-shapes.js';
import { roleJson } from '../../management/rbac-shapes.js';
import { randomOrganizationId } from '../../organizations/organization-ids.js';
import { AnyObject, ListOrPage, fieldsOf, paramsOf, queryWith } from '../../http/route-schemas.js';
import { ACCESS } from './access.js';

/**
 * The Management API's organizations, in node-auth0's shapes (docs/research/auth0-organizations.md §6):
 * CRUD and lookup by name, enabled connections, members (checkpoint or offset paging) and the roles
 * they hold there, and a user's organizations. Statuses are Auth0's recorded ones: POST 201, DELETE
 * and membership changes 204. Changes apply to the next login without a restart.
 */
const Id = paramsOf('id');
const Paged = queryWith(['page', 'per_page', 'include_totals', 'take', 'from', 'fields', 'include_fields']);
const list = { querystring: Paged, response: { 200: ListOrPage } };
const ORGANIZATION_FIELDS = ['name', 'display_name', 'branding', 'metadata', 'enabled_connections'] as const;

export async function organizationRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { store, tenant, random, clock } = deps;
  const organizationOr404 = async (id: string): Promise<Organization> => (await store.getOrganization(id)) ?? Promise.reject(organizationNotFound());

  /** Checkpoint paging when `take` or `from` is sent (it wins over include_totals), offset paging otherwise. */
  const paged = <T>(query: Query, key: string, all: T[]): T[] | Record<string, unknown> => {
    if (!wantsCheckpoint(query)) return offsetList(query, key, all);
    const { items, next } = checkpointPage(query, all);
    return { [key]: items, ...(next ? { next } : {}) };
  };

  app.get('/api/v2/organizations', { config: { access: ACCESS.readOrganizations }, schema: list }, async (request) =>
    paged(request.query, 'organizations', (await store.listOrganizations()).map(organizationJson)),
  );

  app.post('/api/v2/organizations', { config: { access: ACCESS.createOrganizations }, schema: { body: fieldsOf(ORGANIZATION_FIELDS), response: { 201: AnyObject } } }, async (request, reply) => {
    const fields = organizationBody(request.body, true);
    const given = (request.body as { enabled_connections?: unknown }).enabled_connections;
    const enabled = Array.isArray(given) ? given.map((entry) => enabledConnectionBody(tenant, entry)) : [];
    const organization: Organization = { id: randomOrganizationId(random), name: fields.name!, ...fields, enabled_connections: enabled, created_at: new Date(clock.now()).toISOString() };
    const created = await store.createOrganization(organization);
    if (created === 'name_taken') throw organizationExists();
    return reply.status(201).send({ ...organizationJson(created), ...(enabled.length ? { enabled_connections: enabled.map((c) => enabledConnectionJson(tenant, c)) } : {}) });
  });

  app.get('/api/v2/organizations/name/:name', { config: { access: ACCESS.readOrganizations }, schema: { params: paramsOf('name'), response: { 200: AnyObject } } }, async (request) =>
    organizationJson((await store.findOrganizationByName(request.params.name)) ?? (await Promise.reject(organizationNotFound()))),
  );

  app.get('/api/v2/organizations/:id', { config: { access: ACCESS.readOrganizations }, schema: { params: Id, response: { 200: AnyObject } } }, async (request) => organizationJson(await organizationOr404(request.params.id)));

  app.patch('/api/v2/organizations/:id', { config: { access: ACCESS.updateOrganizations }, schema: { params: Id, body: fieldsOf(ORGANIZATION_FIELDS), response: { 200: AnyObject } } }, async (request) => {
    const current = await organizationOr404(request.params.id);
    const updated = await store.updateOrganization({ ...current, ...organizationBody(request.body, false) });
    if (updated === 'name_taken') throw organizationExists();
    if (!updated) throw organizationNotFound();
    return organizationJson(updated);
  });

  app.delete('/api/v2/organizations/:id', { config: { access: ACCESS.deleteOrganizations }, schema: { params: Id } }, async (request, reply) => {
    if (!(await store.deleteOrganization(request.params.id))) throw organizationNotFound();
    return reply.status(204).send();
  });

  // Enabled connections.
  const ConnectionParams = paramsOf('id', 'connectionId');
  const CONNECTION_FIELDS = ['connection_id', 'assign_membership_on_login', 'show_as_button', 'is_signup_enabled'] as const;
  const enabledOr404 = (organization: Organization, id: string) =>
    organization.enabled_connections.find((c) => connectionId(c.connection) === id) ?? (() => { throw organizationConnectionNotFound(); })();

  app.get('/api/v2/organizations/:id/enabled_connections', { config: { access: ACCESS.readOrganizationConnections }, schema: { params: Id, ...list } }, async (request) => {
    const organization = await organizationOr404(request.params.id);
    return offsetList(request.query, 'enabled_connections', organization.enabled_connections.map((c) => enabledConnectionJson(tenant, c)));
  });

  app.post('/api/v2/organizations/:id/enabled_connections', { config: { access: ACCESS.createOrganizationConnections }, schema: { params: Id, body: fieldsOf(CONNECTION_FIELDS), response: { 201: AnyObject } } }, async (request, reply) => {
    const organization = await organizationOr404(request.params.id);
    const enabled = enabledConnectionBody(tenant, request.body);
    const others = organization.enabled_connections.filter((c) => c.connection !== enabled.connection);
    await store.updateOrganization({ ...organization, enabled_connections: [...others, enabled] });
    return reply.status(201).send(enabledConnectionJson(tenant, enabled));
  });

  app.get('/api/v2/organizations/:id/enabled_connections/:connectionId', { config: { access: ACCESS.readOrganizationConnections }, schema: { params: ConnectionParams, response: { 200: AnyObject } } }, async (request) => {
    const organization = await organizationOr404(request.params.id);
    return enabledConnectionJson(tenant, enabledOr404(organization, request.params.connectionId));
  });

  app.patch('/api/v2/organizations/:id/enabled_connections/:connectionId', { config: { access: ACCESS.updateOrganizationConnections }, schema: { params: ConnectionParams, body: fieldsOf(CONNECTION_FIELDS), response: { 200: AnyObject } } }, async (request) => {
    const organization = await organizationOr404(request.params.id);
    const enabled = enabledConnectionBody(tenant, request.body, enabledOr404(organization, request.params.connectionId));
    await store.updateOrganization({ ...organization, enabled_connections: organization.enabled_connections.map((c) => (c.connection === enabled.connection ? enabled : c)) });
    return enabledConnectionJson(tenant, enabled);
  });

  app.delete('/api/v2/organizations/:id/enabled_connections/:connectionId', { config: { access: ACCESS.deleteOrganizationConnections }, schema: { params: ConnectionParams } }, async (request, reply) => {
    const organization = await organizationOr404(request.params.id);
    const enabled = enabledOr404(organization, request.params.connectionId);
    await store.updateOrganization({ ...organization, enabled_connections: organization.enabled_connections.filter((c) => c !== enabled) });
    return reply.status(204).send();
  });

  // Members, and the roles they hold in the organization.
  const usersOf = async (ids: string[]): Promise<User[]> => (await Promise.all(ids.map((id) => store.getUser(id)))).filter((u): u is User => u !== undefined);
  const rolesOf = async (ids: string[]): Promise<Role[]> => (await Promise.all(ids.map((id) => store.getRole(id)))).filter((r): r is Role => r !== undefined);
  const wantsRoles = (query: Query): boolean => typeof query.fields === 'string' && query.fields.split(',').includes('roles') && query.include_fields !== 'false';

  app.get('/api/v2/organizations/:id/members', { config: { access: ACCESS.readOrganizationMembers }, schema: { params: Id, ...list } }, async (request) => {
    const organization = await organizationOr404(request.params.id);
    const members = await store.listOrganizationMembers(organization.id);
    const withRoles = wantsRoles(request.query);
    // Members are read a page at a time; a user deleted meanwhile is left out of its page.
    const shown = async (page: typeof members) => {
      const users = new Map((await usersOf(page.map((m) => m.userId))).map((u) => [u.user_id, u]));
      return Promise.all(page.filter((m) => users.has(m.userId)).map(async (m) => memberJson(users.get(m.userId)!, withRoles ? await rolesOf(m.roleIds) : undefined)));
    };
    if (wantsCheckpoint(request.query)) {
      const { items, next } = checkpointPage(request.query, members);
      return { members: await shown(items), ...(next ? { next } : {}) };
    }
    const page = offsetList(request.query, 'members', members);
    return Array.isArray(page) ? shown(page) : { ...page, members: await shown(page.members as typeof members) };
  });

  app.post('/api/v2/organizations/:id/members', { config: { access: ACCESS.createOrganizationMembers }, schema: { params: Id, body: fieldsOf(['members']) } }, async (request, reply) => {
    const organization = await organizationOr404(request.params.id);
    const ids = idList(request.body, 'members', 10);
    const found = await usersOf(ids);
    if (found.length !== ids.length) throw userNotFound();
    await store.addOrganizationMembers(organization.id, ids);
    return reply.status(204).send();
  });

  app.delete('/api/v2/organizations/:id/members', { config: { access: ACCESS.deleteOrganizationMembers }, schema: { params: Id, body: fieldsOf(['members']) } }, async (request, reply) => {
    const organization = await organizationOr404(request.params.id);
    await store.removeOrganizationMembers(organization.id, idList(request.body, 'members', 10));
    return reply.status(204).send();
  });

  const MemberParams = paramsOf('id', 'userId');
  app.get('/api/v2/organizations/:id/members/:userId/roles', { config: { access: ACCESS.readOrganizationMemberRoles }, schema: { params: MemberParams, ...list } }, async (request) => {
    const organization = await organizationOr404(request.params.id);
    const roles = await rolesOf(await store.listOrganizationMemberRoles(organization.id, request.params.userId));
    return offsetList(request.query, 'roles', roles.map(roleJson));
  });

  app.post('/api/v2/organizations/:id/members/:userId/roles', { config: { access: ACCESS.createOrganizationMemberRoles }, schema: { params: MemberParams, body: fieldsOf(['roles']) } }, async (request, reply) => {
    const organization = await organizationOr404(request.params.id);
    const ids = idList(request.body, 'roles', 50);
    // Roles that do not exist are refused, naming them (Auth0: "One or more of the specified roles do not exist").
    const known = new Set((await rolesOf(ids)).map((r) => r.id));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length) throw organizationRoleRefusal(missing);
    await store.assignOrganizationMemberRoles(organization.id, request.params.userId, ids);
    return reply.status(204).send();
  });

  app.delete('/api/v2/organizations/:id/members/:userId/roles', { config: { access: ACCESS.deleteOrganizationMemberRoles }, schema: { params: MemberParams, body: fieldsOf(['roles']) } }, async (request, reply) => {
    const organization = await organizationOr404(request.params.id);
    await store.unassignOrganizationMemberRoles(organization.id, request.params.userId, idList(request.body, 'roles', 50));
    return reply.status(204).send();
  });

  // Invitations.
  const InvitationParams = paramsOf('id', 'invitationId');
  app.get('/api/v2/organizations/:id/invitations', { config: { access: ACCESS.readOrganizationInvitations }, schema: { params: Id, ...list } }, async (request) => {
    const organization = await organizationOr404(request.params.id);
    const page = offsetList(request.query, 'invitations', await store.listInvitations(organization.id));
    // Auth0 does not count invitations: its page has start and limit, no total.
    if (Array.isArray(page)) return page;
    const { total: _total, ...rest } = page;
    return rest;
  });

  app.post('/api/v2/organizations/:id/invitations', { config: { access: ACCESS.createOrganizationInvitations }, schema: { params: Id, body: fieldsOf(['inviter', 'invitee', 'client_id', 'connection_id', 'app_metadata', 'user_metadata', 'ttl_sec', 'roles', 'send_invitation_email']), response: { 201: AnyObject } } }, async (request, reply) => {
    const organization = await organizationOr404(request.params.id);
    return reply.status(201).send(await createInvitation(deps, organization, request.body as Record<string, unknown>));
  });

  app.get('/api/v2/organizations/:id/invitations/:invitationId', { config: { access: ACCESS.readOrganizationInvitations }, schema: { params: InvitationParams, response: { 200: AnyObject } } }, async (request) => {
    const organization = await organizationOr404(request.params.id);
    return (await store.getInvitation(organization.id, request.params.invitationId)) ?? Promise.reject(invitationNotFound());
  });

  app.delete('/api/v2/organizations/:id/invitations/:invitationId', { config: { access: ACCESS.deleteOrganizationInvitations }, schema: { params: InvitationParams } }, async (request, reply) => {
    const organization = await organizationOr404(request.params.id);
    if (!(await store.deleteInvitation(organization.id, request.params.invitationId))) throw invitationNotFound();
    return reply.status(204).send();
  });

  // A user's organizations.
  app.get('/api/v2/users/:id/organizations', { config: { access: ACCESS.readUserOrganizations }, schema: { params: Id, ...list } }, async (request) => {
    if (!(await store.getUser(request.params.id))) throw userNotFound();
    const organizations = await Promise.all((await store.listUserOrganizations(request.params.id)).map((id) => store.getOrganization(id)));
    return offsetList(request.query, 'organizations', organizations.filter((o): o is Organization => o !== undefined).map(organizationJson));
  });
}

const organizationRoleRefusal = (missing: string[]) => badRequest(`One or more of the specified roles do not exist: ${missing.join(', ')}`);
