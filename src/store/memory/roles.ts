import type { Permission } from '../records.js';
import type { RoleStore } from '../types.js';
import { byRoleName, permissionFromKey, permissionKey } from '../rbac-records.js';
import { clone, copy, type MemoryContext } from './tables.js';

/**
 * The memory store's RBAC: roles by id, each role's permissions and members, each user's roles and
 * direct permissions. Sets keep insertion order, which is the order they are listed in.
 */
export function memoryRoles({ tables }: MemoryContext): RoleStore {
  const { roles, rolePermissions, roleUsers, userRoles, userPermissions } = tables;
  const setOf = <K, V>(map: Map<K, Set<V>>, key: K): Set<V> => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    return set;
  };
  const addAll = (set: Set<string>, permissions: Permission[]): void => permissions.forEach((p) => set.add(permissionKey(p)));
  const removeAll = (set: Set<string> | undefined, permissions: Permission[]): void => permissions.forEach((p) => set?.delete(permissionKey(p)));
  const listed = (set: Set<string> | undefined): Permission[] => [...(set ?? [])].map(permissionFromKey);

  return {
    async createRole(role) {
      const existing = [...roles.values()].find((r) => r.name === role.name) ?? roles.get(role.id);
      if (existing) return { role: clone(existing), created: false };
      roles.set(role.id, clone(role));
      return { role: clone(role), created: true };
    },
    async getRole(id) {
      return copy(roles.get(id));
    },
    async listRoles() {
      return [...roles.values()].sort(byRoleName).map((r) => clone(r));
    },
    async updateRole(id, patch) {
      const role = roles.get(id);
      if (!role) return undefined;
      if (patch.name !== undefined && [...roles.values()].some((r) => r.name === patch.name && r.id !== id)) return 'name_taken';
      if (patch.name !== undefined) role.name = patch.name;
      if (patch.description !== undefined) role.description = patch.description;
      return clone(role);
    },
    async deleteRole(id) {
      if (!roles.delete(id)) return false;
      rolePermissions.delete(id);
      for (const userId of roleUsers.get(id) ?? []) userRoles.get(userId)?.delete(id);
      roleUsers.delete(id);
      return true;
    },
    async addRolePermissions(roleId, permissions) {
      if (!roles.has(roleId)) return false;
      addAll(setOf(rolePermissions, roleId), permissions);
      return true;
    },
    async removeRolePermissions(roleId, permissions) {
      if (!roles.has(roleId)) return false;
      removeAll(rolePermissions.get(roleId), permissions);
      return true;
    },
    async listRolePermissions(roleId) {
      return listed(rolePermissions.get(roleId));
    },
    async assignRoles(userId, roleIds) {
      for (const roleId of roleIds) {
        if (!roles.has(roleId)) continue;
        setOf(userRoles, userId).add(roleId);
        setOf(roleUsers, roleId).add(userId);
      }
    },
    async unassignRoles(userId, roleIds) {
      for (const roleId of roleIds) {
        userRoles.get(userId)?.delete(roleId);
        roleUsers.get(roleId)?.delete(userId);
      }
    },
    async listUserRoles(userId) {
      return [...(userRoles.get(userId) ?? [])].flatMap((id) => copy(roles.get(id)) ?? []).sort(byRoleName);
    },
    async listRoleUsers(roleId) {
      return [...(roleUsers.get(roleId) ?? [])];
    },
    async addUserPermissions(userId, permissions) {
      addAll(setOf(userPermissions, userId), permissions);
    },
    async removeUserPermissions(userId, permissions) {
      removeAll(userPermissions.get(userId), permissions);
    },
    async listUserPermissions(userId) {
      return listed(userPermissions.get(userId));
    },
  };
}
