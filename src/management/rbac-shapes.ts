import { createHash } from 'node:crypto';
import type { Permission, Role, User } from '../store/records.js';
import { findResourceServer, type ResourceServer, type Tenant } from '../tenant/model.js';
import type { PermissionSources } from '../rbac/roles-service.js';
import { managementAudience } from '../tenant/management-api.js';
import { badRequest, permissionNotFound, resourceServerNotFound } from './management-error.js';

/**
 * The RBAC endpoints' wire shapes, as Auth0 answers them and node-auth0 types them (roles, role and
 * user permissions, role members, resource servers), and the bodies they take, checked against the
 * tenant so a permission always names a scope of a real API.
 */
export const roleJson = (role: Role): Record<string, unknown> => ({
  id: role.id,
  name: role.name,
  ...(role.description !== undefined ? { description: role.description } : {}),
  type: 'tenant',
});

export function permissionJson(tenant: Tenant, p: Permission): Record<string, unknown> {
  const api = findResourceServer(tenant, p.resourceServerIdentifier);
  const description = api?.scopeDescriptions[p.permissionName];
  return {
    permission_name: p.permissionName,
    ...(description !== undefined ? { description } : {}),
    resource_server_name: api?.name ?? p.resourceServerIdentifier,
    resource_server_identifier: p.resourceServerIdentifier,
  };
}

/** A user's permission with where it comes from: DIRECT, and each role that holds it (ROLE). */
export function userPermissionJson(tenant: Tenant, held: PermissionSources): Record<string, unknown> {
  const sources = [
    ...(held.direct ? [{ source_id: '', source_name: '', source_type: 'DIRECT' }] : []),
    ...held.roles.map((role) => ({ source_id: role.id, source_name: role.name, source_type: 'ROLE' })),
  ];
  return { ...permissionJson(tenant, held.permission), sources };
}

export const roleMemberJson = (user: User): Record<string, unknown> => ({ user_id: user.user_id, email: user.email, picture: user.picture, name: user.name });

/** Resource server ids are 24 hex digits in Auth0; derived from the identifier so they never change. */
export const resourceServerId = (api: ResourceServer): string => createHash('sha256').update(`understudy:api:${api.identifier}`).digest('hex').slice(0, 24);

export function resourceServerJson(api: ResourceServer, issuer: string): Record<string, unknown> {
  return {
    id: resourceServerId(api),
    name: api.name,
    identifier: api.identifier,
    scopes: api.scopes.map((value) => ({ value, description: api.scopeDescriptions[value] ?? '' })),
    signing_alg: 'RS256',
    // Understudy issues a refresh token for offline_access on every API and never asks for consent.
    allow_offline_access: true,
    skip_consent_for_verifiable_first_party_clients: true,
    token_lifetime: api.tokenLifetime,
    token_lifetime_for_web: Math.min(api.tokenLifetime, 7200),
    enforce_policies: api.enforcePolicies,
    token_dialect: api.tokenDialect,
    ...(api.identifier === managementAudience(issuer) ? { is_system: true } : {}),
  };
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Payload validation error: expected a JSON object');
  return body as Record<string, unknown>;
}

/** POST /roles (name required) and PATCH /roles/{id} (either). */
export function roleBody(body: unknown, nameRequired: boolean): { name?: string; description?: string } {
  const fields = objectBody(body);
  const out: { name?: string; description?: string } = {};
  if (fields.name !== undefined) {
    if (typeof fields.name !== 'string' || !fields.name.trim()) throw badRequest('Payload validation error: name must be a non-empty string');
    out.name = fields.name;
  } else if (nameRequired) throw badRequest('Payload validation error: Missing required property: name');
  if (fields.description !== undefined && fields.description !== null) {
    if (typeof fields.description !== 'string') throw badRequest('Payload validation error: description must be a string');
    out.description = fields.description;
  }
  return out;
}

/** `{<key>: [id, …]}` with at least one id, as /roles/{id}/users and /users/{id}/roles take. */
export function idsBody(body: unknown, key: 'users' | 'roles'): string[] {
  const ids = objectBody(body)[key];
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && id)) {
    throw badRequest(`Payload validation error: ${key} must be a non-empty array of ids`);
  }
  return [...new Set(ids as string[])];
}

/** `{permissions: [{resource_server_identifier, permission_name}, …]}`, each naming a scope of an API of the tenant. */
export function permissionsBody(body: unknown, tenant: Tenant): Permission[] {
  const list = objectBody(body).permissions;
  if (!Array.isArray(list) || list.length === 0) throw badRequest('Payload validation error: permissions must be a non-empty array');
  return list.map((entry) => {
    const { resource_server_identifier: identifier, permission_name: name } = (entry ?? {}) as Record<string, unknown>;
    if (typeof identifier !== 'string' || typeof name !== 'string' || !identifier || !name) {
      throw badRequest('Payload validation error: each permission needs resource_server_identifier and permission_name');
    }
    const api = findResourceServer(tenant, identifier);
    if (!api) throw resourceServerNotFound(identifier);
    if (!api.scopes.includes(name)) throw permissionNotFound(name, identifier);
    return { resourceServerIdentifier: identifier, permissionName: name };
  });
}
