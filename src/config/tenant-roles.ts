import type { ResourceServerEntry, RoleEntry } from './tenant-schema.js';
import type { ResourceServer, TenantRole } from '../tenant/model.js';
import { isManagementGrantAudience } from '../tenant/management-api.js';
import { tenantRoleId } from '../rbac/role-ids.js';

/**
 * The tenant file's RBAC: its APIs (`resourceServers`, with enforce_policies and token_dialect), its
 * roles and the roles it gives seed users. A role permission on an API or scope the export does not
 * define is a warning naming it (the role grants the rest, as Auth0 cannot hold such a permission
 * either); a seed user's role that does not exist stops start-up, since the file's author wrote both.
 */
export function buildResourceServers(entries: ResourceServerEntry[] | undefined, warnings: string[]): ResourceServer[] {
  (entries ?? []).forEach((r, i) => {
    if (r.signing_alg !== undefined && r.signing_alg !== 'RS256') {
      warnings.push(
        `resourceServers[${i}].signing_alg: "${r.signing_alg}" is not emulated; access tokens for "${r.identifier}" are RS256, signed with the key at /.well-known/jwks.json. ` +
          'An API that checks them with a shared secret refuses them: let it read the JWKS, or set signing_alg: RS256 in an overlay',
      );
    }
  });
  return (entries ?? []).map((r) => ({
    identifier: r.identifier,
    name: r.name ?? r.identifier,
    scopes: (r.scopes ?? []).map((s) => s.value),
    scopeDescriptions: Object.fromEntries((r.scopes ?? []).filter((s) => s.description !== undefined).map((s) => [s.value, s.description as string])),
    tokenLifetime: r.token_lifetime ?? 86400,
    enforcePolicies: r.enforce_policies ?? false,
    tokenDialect: r.token_dialect ?? 'access_token',
    allowOfflineAccess: r.allow_offline_access ?? true,
  }));
}

export function buildRoles(entries: RoleEntry[] | undefined, apis: ResourceServer[], secretSeed: string, warnings: string[]): TenantRole[] {
  return (entries ?? []).map((entry, i) => {
    const permissions: TenantRole['permissions'] = [];
    const seen = new Set<string>();
    (entry.permissions ?? []).forEach((p, j) => {
      const path = `roles[${i}].permissions[${j}]`;
      const api = apis.find((a) => a.identifier === p.resource_server_identifier);
      if (!api) {
        // Exports leave the Management API out of resourceServers; users never get its admin scopes anyway.
        if (isManagementGrantAudience(p.resource_server_identifier)) {
          warnings.push(`${path}: "${p.permission_name}" is a Management API permission; a user's token for it carries only *:current_user scopes, so the role does not grant it`);
        } else {
          warnings.push(`${path}.resource_server_identifier: no API (resourceServers) with identifier "${p.resource_server_identifier}", so the role "${entry.name}" does not grant "${p.permission_name}"`);
        }
        return;
      }
      if (!api.scopes.includes(p.permission_name)) {
        warnings.push(`${path}.permission_name: "${p.permission_name}" is not a scope of the API "${api.identifier}" (its scopes: ${api.scopes.join(', ') || 'none'}), so the role "${entry.name}" does not grant it`);
        return;
      }
      const key = `${api.identifier}\u0000${p.permission_name}`;
      if (seen.has(key)) return;
      seen.add(key);
      permissions.push({ resourceServerIdentifier: api.identifier, permissionName: p.permission_name });
    });
    return { id: entry.id ?? tenantRoleId(entry.name, secretSeed), name: entry.name, description: entry.description, permissions };
  });
}

/** Each seed user's `roles` must name roles of the file. */
export function checkUserRoles(users: { roles?: string[] }[], roles: TenantRole[], problems: string[]): void {
  const names = new Set(roles.map((r) => r.name));
  users.forEach((user, i) =>
    (user.roles ?? []).forEach((name, j) => {
      if (!names.has(name)) problems.push(`users[${i}].roles[${j}]: no role named "${name}" in roles${names.size ? ` (roles: ${[...names].join(', ')})` : ''}`);
    }),
  );
}
