import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../http/app-deps.js';
import type { User } from '../../store/records.js';
import { findConnection, type Connection } from '../../tenant/model.js';
import { checkPassword, type PasswordCheck } from '../../users/password-policy.js';
import { normalizeEmail, normalizePhoneNumber } from '../../users/normalize.js';
import { badRequest, identifierTaken, userExists, userNotFound } from '../../management/management-error.js';
import { insufficientScope } from '../../management/management-access.js';
import { offsetList } from '../../management/paging.js';
import { parseUserQuery, publicUser } from '../../management/user-query.js';
import { AnyObject, ListOrPage, fieldsOf, paramsOf, queryWith } from '../../http/route-schemas.js';
import { ACCESS } from './access.js';
import { requestFacts } from '../../http/request-facts.js';

/**
 * Users as node-auth0's ManagementClient drives them: list, search, get, create, update, delete, by
 * email (their authentication methods and MFA: user-authenticators.ts). A user's own token reaches
 * only its own record (management/management-access.ts).
 */
const USER_FIELDS = ['email', 'email_verified', 'phone_number', 'phone_verified', 'name', 'nickname', 'given_name', 'family_name', 'picture', 'blocked', 'app_metadata', 'user_metadata', 'password', 'user_id'] as const;
const PAGING = ['page', 'per_page', 'include_totals'];
const Id = paramsOf('id');
const UserBody = fieldsOf([...USER_FIELDS, 'connection']);

export async function userRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { store, users, tenant } = deps;

  /** The connection's password policy and history, for a password set through the API. */
  async function refusePassword(connection: Connection, person: Partial<User>, password: string, current?: User): Promise<void> {
    const check = checkPassword(connection.passwordPolicy, password, { email: person.email, username: person.username, name: person.name });
    if (!check.ok) throw badRequest(PASSWORD_REFUSALS[check.kind]);
    const { historySize } = connection.passwordPolicy;
    if (current && historySize > 0 && (await users.reusesPassword(current, historySize, password))) throw badRequest('PasswordHistoryError: Password has previously been used');
  }
  const userOr404 = async (id: string): Promise<User> => (await store.getUser(id)) ?? Promise.reject(userNotFound());

  app.get('/api/v2/users', { config: { access: ACCESS.readUsers }, schema: { querystring: queryWith([...PAGING, 'q', 'connection', 'search_engine']), response: { 200: ListOrPage } } }, async (request) => {
    const query = request.query;
    const q = typeof query.q === 'string' ? query.q : undefined;
    const connection = typeof query.connection === 'string' ? query.connection : undefined;
    const matches = q ? parseUserQuery(q) : () => true;
    const all = (await store.listUsers()).filter((u) => (!connection || u.connection === connection) && matches(u));
    return offsetList(query, 'users', all.map(publicUser), { withLength: true });
  });

  app.get('/api/v2/users-by-email', { config: { access: ACCESS.readUsers }, schema: { querystring: queryWith(['email']) } }, async (request) => {
    const email = normalizeEmail(typeof request.query.email === 'string' ? request.query.email : '');
    if (!email) throw badRequest('Query validation error: email must be an email address');
    return (await store.listUsers()).filter((u) => u.email === email).map(publicUser);
  });

  app.get('/api/v2/users/:id', { config: { access: ACCESS.readUser, accessTarget: 'id' }, schema: { params: Id, response: { 200: AnyObject } } }, async (request) => publicUser(await userOr404(request.params.id)));

  app.post('/api/v2/users', { config: { access: ACCESS.createUser }, schema: { body: UserBody, response: { 201: AnyObject } } }, async (request, reply) => {
    const body = request.body;
    const connection = findConnection(tenant, typeof body.connection === 'string' ? body.connection : undefined);
    if (!connection) throw badRequest(body.connection ? `The connection does not exist: ${String(body.connection)}` : 'Payload validation error: Missing required property: connection');
    if (connection.kind === 'social') throw badRequest('Users of social connections cannot be created');
    const fields = userFields(body);
    if (connection.strategy === 'sms' ? !fields.phone_number : !fields.email) {
      throw badRequest(`Payload validation error: Missing required property: ${connection.strategy === 'sms' ? 'phone_number' : 'email'}`);
    }
    if (connection.kind === 'database' && !fields.password) throw badRequest('Payload validation error: Missing required property: password');
    if (connection.kind === 'database') await refusePassword(connection, fields, fields.password!);
    const created = await users.create(connection, fields);
    if (!created) throw userExists();
    return reply.status(201).send(publicUser(created));
  });

  app.patch('/api/v2/users/:id', { config: { access: ACCESS.updateUser, accessTarget: 'id' }, schema: { params: Id, body: UserBody, response: { 200: AnyObject } } }, async (request) => {
    const { id } = request.params;
    const body = request.body;
    // A user's own token changes only their user_metadata (Auth0: no password, email or app_metadata).
    if (request.managementCaller?.kind === 'user' && Object.keys(body).some((key) => key !== 'user_metadata')) throw insufficientScope({ admin: ACCESS.updateUser.admin });
    const current = await userOr404(id);
    const { user_id: _ignored, ...fields } = userFields(body);
    // A new email or phone number is the user's login identifier: it may not belong to another user.
    for (const field of ['email', 'phone_number'] as const) {
      const next = fields[field];
      const holder = next && next !== current[field] ? await store.findUser(current.connection, next) : undefined;
      if (holder && holder.user_id !== id) throw identifierTaken(field);
    }
    const connection = findConnection(tenant, current.connection);
    if (fields.password && connection?.kind === 'database') await refusePassword(connection, { ...current, ...fields }, fields.password, current);
    const updated = (await users.update(id, fields)) ?? (await userOr404(id));
    // As in Auth0, a new password lifts the user's brute-force blocks.
    if (fields.password) {
      for (const identifier of [current.email, current.phone_number]) if (identifier) deps.bruteForce.unblock(identifier);
      deps.flows.postChangePassword({ user: updated, connection: findConnection(deps.tenant, updated.connection), connectionName: updated.connection, request: requestFacts(request) }, updated.updated_at);
    }
    return publicUser(updated);
  });

  app.delete('/api/v2/users/:id', { config: { access: ACCESS.deleteUser, accessTarget: 'id' }, schema: { params: Id } }, async (request, reply) => {
    // A deleted user leaves their organizations (and the roles held there).
    for (const organizationId of await store.listUserOrganizations(request.params.id)) await store.removeOrganizationMembers(organizationId, [request.params.id]);
    await store.deleteUser(request.params.id);
    return reply.status(204).send();
  });
}

/** The Management API's words for a password the connection's policy refuses (Auth0: "<ErrorName>: <message>"). */
const PASSWORD_REFUSALS: Record<Exclude<PasswordCheck, { ok: true }>['kind'], string> = {
  strength: 'PasswordStrengthError: Password is too weak',
  personal_info: 'PasswordNoUserInfoError: Password contains user information',
  dictionary: 'PasswordDictionaryError: Password is too common',
};

/** Picks and checks the writable user fields of a create or update body. */
function userFields(body: Record<string, unknown>): Partial<User> & { password?: string } {
  const out: Record<string, unknown> = {};
  for (const key of USER_FIELDS) {
    const value = body[key];
    if (value === undefined) continue;
    const wantsObject = key === 'app_metadata' || key === 'user_metadata';
    const wantsBoolean = key === 'email_verified' || key === 'phone_verified' || key === 'blocked';
    const ok = wantsObject ? value !== null && typeof value === 'object' && !Array.isArray(value) : wantsBoolean ? typeof value === 'boolean' : typeof value === 'string';
    if (!ok) throw badRequest(`Payload validation error: ${key} has the wrong type`);
    out[key] = value;
  }
  if (typeof out.email === 'string') out.email = normalizeEmail(out.email) || fail('Payload validation error: email is not an email address');
  if (typeof out.phone_number === 'string') {
    out.phone_number = normalizePhoneNumber(out.phone_number) || fail('Payload validation error: phone_number must be E.164, e.g. +15551234567');
  }
  return out as Partial<User> & { password?: string };
}

function fail(message: string): never {
  throw badRequest(message);
}
