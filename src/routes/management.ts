import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from '../http/app-deps.js';
import type { Passkey, User } from '../store/records.js';
import { connectionId, findConnection } from '../tenant/model.js';
import { normalizeEmail, normalizePhoneNumber } from '../users/normalize.js';
import { authenticationMethodNotFound, badRequest, identifierTaken, userExists, userNotFound } from '../management/management-error.js';
import { allows, insufficientScope, type ManagementCaller, type RouteAccess } from '../management/management-access.js';
import { createManagementGate } from '../management/management-gate.js';
import { parseUserQuery, publicUser } from '../management/user-query.js';

/**
 * A Management API v2 subset that node-auth0's ManagementClient drives: users (list, search, get,
 * create, update, delete, by email), clients and connections. Every call needs a Bearer token for
 * `<issuer>api/v2/` carrying the route's scope; management/management-access.ts decides whose token it
 * is (an administrator's client grant, or a user limited to their own record).
 */
type Query = Record<string, string | undefined>;

const USER_FIELDS = ['email', 'email_verified', 'phone_number', 'phone_verified', 'name', 'nickname', 'given_name', 'family_name', 'picture', 'blocked', 'app_metadata', 'user_metadata', 'password', 'user_id'] as const;

export async function managementRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { store, users, tenant, keys, issuer, clock } = deps;

  /** The caller, when the route's access admits them for `targetUserId`; Auth0's 401 or 403 otherwise. */
  const gate = createManagementGate({ tenant, keys, issuer, clock });
  const authorize = (request: FastifyRequest, access: RouteAccess, targetUserId?: string): Promise<ManagementCaller> =>
    gate(request.headers.authorization, access, targetUserId);

  const userOr404 = async (id: string): Promise<User> => (await store.getUser(id)) ?? Promise.reject(userNotFound());

  app.get('/api/v2/users', async (request) => {
    await authorize(request, ACCESS.readUsers);
    const query = request.query as Query;
    const matches = query.q ? parseUserQuery(query.q) : () => true;
    const all = (await store.listUsers()).filter((u) => (!query.connection || u.connection === query.connection) && matches(u));
    const perPage = Math.min(Math.max(Number(query.per_page ?? 50) || 50, 1), 100);
    const page = Math.max(Number(query.page ?? 0) || 0, 0);
    const slice = all.slice(page * perPage, page * perPage + perPage).map(publicUser);
    if (query.include_totals === 'true') return { start: page * perPage, limit: perPage, length: slice.length, total: all.length, users: slice };
    return slice;
  });

  app.get('/api/v2/users-by-email', async (request) => {
    await authorize(request, ACCESS.readUsers);
    const email = normalizeEmail((request.query as Query).email ?? '');
    if (!email) throw badRequest('Query validation error: email must be an email address');
    return (await store.listUsers()).filter((u) => u.email === email).map(publicUser);
  });

  app.get('/api/v2/users/:id', async (request) => {
    const id = (request.params as { id: string }).id;
    await authorize(request, ACCESS.readUser, id);
    return publicUser(await userOr404(id));
  });

  app.post('/api/v2/users', async (request, reply) => {
    await authorize(request, ACCESS.createUser);
    const body = userBody(request.body);
    const connection = findConnection(tenant, typeof body.connection === 'string' ? body.connection : undefined);
    if (!connection) throw badRequest(body.connection ? `The connection does not exist: ${String(body.connection)}` : 'Payload validation error: Missing required property: connection');
    if (connection.kind === 'social') throw badRequest('Users of social connections cannot be created');
    const fields = userFields(body);
    if (connection.strategy === 'sms' ? !fields.phone_number : !fields.email) {
      throw badRequest(`Payload validation error: Missing required property: ${connection.strategy === 'sms' ? 'phone_number' : 'email'}`);
    }
    if (connection.kind === 'database' && !fields.password) throw badRequest('Payload validation error: Missing required property: password');
    const created = await users.create(connection, fields);
    if (!created) throw userExists();
    return reply.status(201).send(publicUser(created));
  });

  app.patch('/api/v2/users/:id', async (request) => {
    const id = (request.params as { id: string }).id;
    const who = await authorize(request, ACCESS.updateUser, id);
    const body = userBody(request.body);
    // A user's own token changes only their user_metadata (Auth0: no password, email or app_metadata).
    if (who.kind === 'user' && Object.keys(body).some((key) => key !== 'user_metadata')) throw insufficientScope({ admin: ACCESS.updateUser.admin });
    const current = await userOr404(id);
    const { user_id: _ignored, ...fields } = userFields(body);
    // A new email or phone number is the user's login identifier: it may not belong to another user.
    for (const field of ['email', 'phone_number'] as const) {
      const next = fields[field];
      const holder = next && next !== current[field] ? await store.findUser(current.connection, next) : undefined;
      if (holder && holder.user_id !== id) throw identifierTaken(field);
    }
    const updated = (await users.update(id, fields)) ?? (await userOr404(id));
    // As in Auth0, a new password lifts the user's brute-force blocks.
    if (fields.password) for (const identifier of [current.email, current.phone_number]) if (identifier) deps.bruteForce.unblock(identifier);
    return publicUser(updated);
  });

  app.delete('/api/v2/users/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    await authorize(request, ACCESS.deleteUser, id);
    await store.deleteUser(id);
    return reply.status(204).send();
  });

  // A user's passkeys (Identifier First + Biometrics) as Auth0's authentication methods of type "passkey".
  app.get('/api/v2/users/:id/authentication-methods', async (request) => {
    await authorize(request, ACCESS.readAuthenticationMethods);
    const user = await userOr404((request.params as { id: string }).id);
    const methods = (await store.listPasskeys(user.user_id)).map((p) => passkeyMethod(p, user, deps.passkeys.rpId));
    const query = request.query as Query;
    const perPage = Math.min(Math.max(Number(query.per_page ?? 50) || 50, 1), 100);
    const page = Math.max(Number(query.page ?? 0) || 0, 0);
    const slice = methods.slice(page * perPage, page * perPage + perPage);
    if (query.include_totals === 'true') return { start: page * perPage, limit: perPage, total: methods.length, authenticators: slice };
    return slice;
  });

  app.delete('/api/v2/users/:id/authentication-methods/:method', async (request, reply) => {
    await authorize(request, ACCESS.deleteAuthenticationMethods);
    const { id, method } = request.params as { id: string; method: string };
    const user = await userOr404(id);
    const passkey = method.startsWith('passkey|') ? await store.findPasskey(method.slice('passkey|'.length)) : undefined;
    if (!passkey || passkey.userId !== user.user_id) throw authenticationMethodNotFound();
    await store.deletePasskey(passkey.id);
    return reply.status(204).send();
  });

  // Brute-force blocks (login/brute-force.ts), as Auth0's user-blocks endpoints: by user id, or by identifier.
  const blocksOf = async (id: string) => {
    const user = await userOr404(id);
    const identifiers = [user.email, user.phone_number].filter((x): x is string => typeof x === 'string');
    return { user, identifiers };
  };
  app.get('/api/v2/user-blocks/:id', async (request) => {
    const id = (request.params as { id: string }).id;
    await authorize(request, ACCESS.readUsers);
    const { identifiers } = await blocksOf(id);
    return { blocked_for: identifiers.flatMap((i) => deps.bruteForce.blocksFor(i)) };
  });
  app.delete('/api/v2/user-blocks/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    await authorize(request, ACCESS.updateUsers);
    const { identifiers } = await blocksOf(id);
    for (const identifier of identifiers) deps.bruteForce.unblock(identifier);
    return reply.status(204).send();
  });
  app.get('/api/v2/user-blocks', async (request) => {
    await authorize(request, ACCESS.readUsers);
    const identifier = identifierQuery(request.query as Query);
    return { blocked_for: deps.bruteForce.blocksFor(identifier) };
  });
  app.delete('/api/v2/user-blocks', async (request, reply) => {
    await authorize(request, ACCESS.updateUsers);
    deps.bruteForce.unblock(identifierQuery(request.query as Query));
    return reply.status(204).send();
  });

  app.get('/api/v2/clients', async (request) => {
    const who = await authorize(request, ACCESS.readClients);
    const withKeys = allows(who, ACCESS.readClientKeys);
    return withTotals(request.query as Query, 'clients', tenant.clients.map((c) => ({
      client_id: c.clientId,
      name: c.name,
      app_type: c.appType,
      callbacks: c.callbacks,
      allowed_logout_urls: c.allowedLogoutUrls,
      web_origins: c.webOrigins,
      grant_types: c.grantTypes,
      token_endpoint_auth_method: c.tokenEndpointAuthMethod,
      ...(withKeys && c.clientSecret ? { client_secret: c.clientSecret } : {}),
    })));
  });

  app.get('/api/v2/connections', async (request) => {
    await authorize(request, ACCESS.readConnections);
    return withTotals(request.query as Query, 'connections', tenant.connections.map((c) => ({
      id: connectionId(c.name),
      name: c.name,
      strategy: c.strategy,
      enabled_clients: [...c.enabledClients],
      options: c.kind === 'passwordless' ? { totp: { length: c.otp.length, time_step: c.otp.timeStepSeconds }, disable_signup: c.disableSignup } : {},
    })));
  });
}

/** Each route's scopes, as Auth0's Management API documents them (see docs/research/auth0-security-and-management.md). */
const ACCESS = {
  readUsers: { admin: ['read:users'] },
  readUser: { admin: ['read:users'], currentUser: ['read:current_user'] },
  createUser: { admin: ['create:users'] },
  updateUser: { admin: ['update:users'], currentUser: ['update:current_user_metadata', 'create:current_user_metadata'] },
  updateUsers: { admin: ['update:users'] },
  deleteUser: { admin: ['delete:users'], currentUser: ['delete:current_user'] },
  readAuthenticationMethods: { admin: ['read:authentication_methods'] },
  deleteAuthenticationMethods: { admin: ['delete:authentication_methods'] },
  readClients: { admin: ['read:clients'] },
  readClientKeys: { admin: ['read:client_keys'] },
  readConnections: { admin: ['read:connections'] },
} satisfies Record<string, RouteAccess>;

/**
 * A list as Auth0 answers it: an array, or with `include_totals=true` (node-auth0 v7 sends it by
 * default and reads the named key) `{start, limit, length, total, <key>}`, paged by page/per_page.
 */
function withTotals(query: Query, key: string, all: unknown[]): unknown {
  if (query.include_totals !== 'true') return all;
  const perPage = Math.min(Math.max(Number(query.per_page ?? 50) || 50, 1), 100);
  const page = Math.max(Number(query.page ?? 0) || 0, 0);
  const slice = all.slice(page * perPage, page * perPage + perPage);
  return { start: page * perPage, limit: perPage, length: slice.length, total: all.length, [key]: slice };
}

function identifierQuery(query: Query): string {
  const identifier = query.identifier?.trim();
  if (!identifier) throw badRequest('Query validation error: Missing required property: identifier');
  return identifier;
}

function userBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Payload validation error: expected a JSON object');
  return body as Record<string, unknown>;
}

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
  if (typeof out.email === 'string') {
    out.email = normalizeEmail(out.email) || fail('Payload validation error: email is not an email address');
  }
  if (typeof out.phone_number === 'string') {
    out.phone_number = normalizePhoneNumber(out.phone_number) || fail('Payload validation error: phone_number must be E.164, e.g. +15551234567');
  }
  return out as Partial<User> & { password?: string };
}

function fail(message: string): never {
  throw badRequest(message);
}

/** A passkey in the shape of Auth0's authentication method of type "passkey". */
function passkeyMethod(passkey: Passkey, user: User, rpId: string): Record<string, unknown> {
  return {
    id: `passkey|${passkey.id}`,
    type: 'passkey',
    created_at: passkey.createdAt,
    ...(passkey.lastUsedAt ? { last_auth_at: passkey.lastUsedAt } : {}),
    identity_user_id: user.identities[0]?.user_id ?? user.user_id,
    key_id: passkey.id,
    public_key: passkey.publicKey,
    transports: passkey.transports,
    credential_device_type: passkey.deviceType === 'multiDevice' ? 'multi_device' : 'single_device',
    credential_backed_up: passkey.backedUp,
    aaguid: passkey.aaguid,
    relying_party_identifier: rpId,
  };
}
