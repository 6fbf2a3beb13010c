import type { Role } from '../records.js';
import type { RoleStore } from '../types.js';
import { byRoleName, permissionFromKey, permissionKey } from '../rbac-records.js';
import { fromHash, toPairs } from './hash.js';
import type { RedisContext } from './context.js';
import { ROLE_LUA } from './role-scripts.js';

/**
 * The Redis store's RBAC: a hash per role with a name index beside it, and sorted sets in insertion
 * order for each role's permissions and users and each user's roles and direct permissions. Every
 * step that checks a role first runs as a script (./role-scripts.ts).
 */
export function redisRoles({ redis, k, run, readHashes }: RedisContext): RoleStore {
  const roleOf = (role: Role): Role => ({ id: role.id, name: role.name, description: role.description });
  const permissionsIn = async (key: string) => (await redis.zrange(key, '0', '-1')).map(permissionFromKey);
  const rolesIn = async (ids: string[]) => (await readHashes<Role>(ids.map((id) => k.role(id)))).filter((r): r is Role => r !== undefined);

  return {
    async createRole(role) {
      const [created, hash] = (await run(ROLE_LUA.createRole, [k.roleName(role.name), k.role(role.id), k.roles], [role.id, k.rolePrefix, ...toPairs(roleOf(role))])) as [number, unknown];
      return { role: fromHash<Role>(hash) as Role, created: created === 1 };
    },
    async getRole(id) {
      return fromHash<Role>(await redis.hgetall(k.role(id)));
    },
    async listRoles() {
      return (await rolesIn(await redis.smembers(k.roles))).sort(byRoleName);
    },
    async updateRole(id, patch) {
      const fields: Partial<Role> = {};
      if (patch.name !== undefined) fields.name = patch.name;
      if (patch.description !== undefined) fields.description = patch.description;
      const reply = await run(ROLE_LUA.updateRole, [k.role(id)], [id, k.roleNamePrefix, patch.name ?? '', ...toPairs(fields)]);
      return reply === 'name_taken' ? 'name_taken' : fromHash<Role>(reply);
    },
    async deleteRole(id) {
      return (await run(ROLE_LUA.deleteRole, [k.role(id), k.roles, k.rolePermissions(id), k.roleUsers(id)], [id, k.roleNamePrefix, k.userRolesPrefix])) === 1;
    },
    async addRolePermissions(roleId, permissions) {
      return (await run(ROLE_LUA.addMembers, [k.rolePermissions(roleId), k.seq, k.role(roleId)], permissions.map(permissionKey))) === 1;
    },
    async removeRolePermissions(roleId, permissions) {
      return (await run(ROLE_LUA.removeMembers, [k.rolePermissions(roleId), k.role(roleId)], permissions.map(permissionKey))) === 1;
    },
    async listRolePermissions(roleId) {
      return permissionsIn(k.rolePermissions(roleId));
    },
    async assignRoles(userId, roleIds) {
      await run(ROLE_LUA.assignRoles, [k.userRoles(userId), k.seq], [userId, k.rolePrefix, k.roleUsersPrefix, ...roleIds]);
    },
    async unassignRoles(userId, roleIds) {
      await run(ROLE_LUA.unassignRoles, [k.userRoles(userId)], [userId, k.roleUsersPrefix, ...roleIds]);
    },
    async listUserRoles(userId) {
      return (await rolesIn(await redis.zrange(k.userRoles(userId), '0', '-1'))).sort(byRoleName);
    },
    async listRoleUsers(roleId) {
      return redis.zrange(k.roleUsers(roleId), '0', '-1');
    },
    async addUserPermissions(userId, permissions) {
      await run(ROLE_LUA.addMembers, [k.userPermissions(userId), k.seq, ''], permissions.map(permissionKey));
    },
    async removeUserPermissions(userId, permissions) {
      await run(ROLE_LUA.removeMembers, [k.userPermissions(userId), ''], permissions.map(permissionKey));
    },
    async listUserPermissions(userId) {
      return permissionsIn(k.userPermissions(userId));
    },
  };
}
