import type { Permission, Role } from '../store/records.js';
import type { OrganizationStore, RoleStore, UserStore } from '../store/types.js';
import { findResourceServer, type Tenant } from '../tenant/model.js';
import { byRoleName } from '../store/rbac-records.js';

/**
 * Auth0's RBAC over the store: what a user holds (their roles, and their permissions for an API,
 * given directly or through a role) for tokens and Actions, and the tenant file's roles put in place
 * at start-up. A permission counts only while its API still defines the scope, as Auth0 drops a
 * permission with its scope.
 */
export interface RolesService {
  /**
   * Creates the tenant file's roles that are missing (by name; an existing role keeps its id), sets
   * each one's permissions to the file's, and gives seed users the roles the file names for them
   * (adding, never taking away what the Management API assigned). Runs after the users are seeded.
   */
  seed(tenant: Tenant): Promise<void>;
  /**
   * Names of the user's roles, sorted: Actions' event.authorization.roles. In an organization's login,
   * the roles they hold as its member.
   */
  rolesOf(userId: string, organizationId?: string): Promise<string[]>;
  /**
   * Every permission the user holds for the API, each once, in the order the API defines its scopes.
   * In an organization's login only their member roles count: Auth0 leaves the tenant-level roles
   * and direct permissions out ("the permissions reflect only the roles held within the active Organization").
   */
  permissionsOf(userId: string, audience: string, organizationId?: string): Promise<string[]>;
  /** The user's permissions with where each comes from: given directly, or the roles that hold it. */
  permissionSources(userId: string): Promise<PermissionSources[]>;
}

export interface PermissionSources {
  permission: Permission;
  direct: boolean;
  roles: Role[];
}

const keyOf = (p: Permission): string => `${p.resourceServerIdentifier}\u0000${p.permissionName}`;

export function createRolesService(deps: { store: RoleStore & UserStore & OrganizationStore; tenant: Tenant }): RolesService {
  const { store, tenant } = deps;
  const stillDefined = (p: Permission): boolean => findResourceServer(tenant, p.resourceServerIdentifier)?.scopes.includes(p.permissionName) ?? false;

  async function permissionSources(userId: string): Promise<PermissionSources[]> {
    const found = new Map<string, PermissionSources>();
    const entry = (permission: Permission): PermissionSources => {
      const key = keyOf(permission);
      let sources = found.get(key);
      if (!sources) found.set(key, (sources = { permission, direct: false, roles: [] }));
      return sources;
    };
    for (const permission of await store.listUserPermissions(userId)) if (stillDefined(permission)) entry(permission).direct = true;
    const roles = await store.listUserRoles(userId);
    const held = await Promise.all(roles.map((role) => store.listRolePermissions(role.id)));
    roles.forEach((role, i) => {
      for (const permission of held[i] ?? []) if (stillDefined(permission)) entry(permission).roles.push(role);
    });
    return [...found.values()];
  }

  /** The roles the user holds in the organization, sorted by name; roles deleted since are gone. */
  async function memberRoles(organizationId: string, userId: string): Promise<Role[]> {
    const ids = await store.listOrganizationMemberRoles(organizationId, userId);
    const roles = await Promise.all(ids.map((id) => store.getRole(id)));
    return roles.filter((role): role is Role => role !== undefined).sort(byRoleName);
  }

  return {
    async seed(seeded) {
      const ids = new Map<string, string>();
      for (const role of seeded.roles) {
        const { role: stored, created } = await store.createRole({ id: role.id, name: role.name, description: role.description });
        ids.set(role.name, stored.id);
        if (!created) {
          const wanted = new Set(role.permissions.map(keyOf));
          const extra = (await store.listRolePermissions(stored.id)).filter((p) => !wanted.has(keyOf(p)));
          if (extra.length) await store.removeRolePermissions(stored.id, extra);
        }
        if (role.permissions.length) await store.addRolePermissions(stored.id, role.permissions);
      }
      for (const user of seeded.users) {
        if (!user.roles.length) continue;
        const connection = seeded.connections.find((c) => c.name === user.connection);
        const identifier = connection?.strategy === 'sms' ? user.phoneNumber : user.email;
        const stored = connection && identifier ? await store.findUser(connection.name, identifier) : undefined;
        if (stored) await store.assignRoles(stored.user_id, user.roles.flatMap((name) => ids.get(name) ?? []));
      }
    },

    async rolesOf(userId, organizationId) {
      if (organizationId) return (await memberRoles(organizationId, userId)).map((role) => role.name);
      return (await store.listUserRoles(userId)).map((role) => role.name);
    },

    async permissionsOf(userId, audience, organizationId) {
      const api = findResourceServer(tenant, audience);
      if (!api) return [];
      let held: Set<string>;
      if (organizationId) {
        const roles = await memberRoles(organizationId, userId);
        const permissions = (await Promise.all(roles.map((role) => store.listRolePermissions(role.id)))).flat();
        held = new Set(permissions.filter((p) => p.resourceServerIdentifier === audience && stillDefined(p)).map((p) => p.permissionName));
      } else {
        held = new Set((await permissionSources(userId)).filter((s) => s.permission.resourceServerIdentifier === audience).map((s) => s.permission.permissionName));
      }
      return api.scopes.filter((scope) => held.has(scope));
    },

    permissionSources,
  };
}
