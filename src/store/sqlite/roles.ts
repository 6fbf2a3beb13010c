import type { Permission, Role } from '../records.js';
import type { RoleStore } from '../types.js';
import { json, parse, type Row, type SqliteContext } from './context.js';

/**
 * The SQLite store's RBAC: table `roles` (the name unique), `role_permissions`, `user_roles` and
 * `user_permissions`, each in insertion order. Steps that check before they write run under the
 * write lock; deleting a role takes its permissions and assignments along.
 */
type PermissionRow = { resource_server: string; permission: string };
const permissionOf = (row: PermissionRow): Permission => ({ resourceServerIdentifier: row.resource_server, permissionName: row.permission });

export function sqliteRoles({ statement, atomically }: SqliteContext): RoleStore {
  const sql = {
    get: statement<Row>('SELECT data FROM roles WHERE id = ?'),
    byName: statement<Row>('SELECT data FROM roles WHERE name = ?'),
    insert: statement('INSERT INTO roles (id, name, data) VALUES (?, ?, ?)'),
    set: statement('UPDATE roles SET name = ?, data = ? WHERE id = ?'),
    list: statement<Row>('SELECT data FROM roles ORDER BY name'),
    remove: statement('DELETE FROM roles WHERE id = ?'),
    removeRolePermissions: statement('DELETE FROM role_permissions WHERE role_id = ?'),
    removeRoleUsers: statement('DELETE FROM user_roles WHERE role_id = ?'),
    addRolePermission: statement('INSERT OR IGNORE INTO role_permissions (role_id, resource_server, permission) VALUES (?, ?, ?)'),
    removeRolePermission: statement('DELETE FROM role_permissions WHERE role_id = ? AND resource_server = ? AND permission = ?'),
    rolePermissions: statement<PermissionRow>('SELECT resource_server, permission FROM role_permissions WHERE role_id = ? ORDER BY seq'),
    assign: statement('INSERT OR IGNORE INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE id = ?'),
    unassign: statement('DELETE FROM user_roles WHERE user_id = ? AND role_id = ?'),
    userRoles: statement<Row>('SELECT r.data FROM user_roles a JOIN roles r ON r.id = a.role_id WHERE a.user_id = ? ORDER BY r.name'),
    roleUsers: statement<{ user_id: string }>('SELECT user_id FROM user_roles WHERE role_id = ? ORDER BY seq'),
    addUserPermission: statement('INSERT OR IGNORE INTO user_permissions (user_id, resource_server, permission) VALUES (?, ?, ?)'),
    removeUserPermission: statement('DELETE FROM user_permissions WHERE user_id = ? AND resource_server = ? AND permission = ?'),
    userPermissions: statement<PermissionRow>('SELECT resource_server, permission FROM user_permissions WHERE user_id = ? ORDER BY seq'),
  };

  const createRole = atomically((role: Role): { role: Role; created: boolean } => {
    const existing = parse<Role>(sql.byName.get(role.name)) ?? parse<Role>(sql.get.get(role.id));
    if (existing) return { role: existing, created: false };
    sql.insert.run(role.id, role.name, json(role));
    return { role, created: true };
  });
  const updateRole = atomically((id: string, patch: { name?: string; description?: string }): Role | 'name_taken' | undefined => {
    const role = parse<Role>(sql.get.get(id));
    if (!role) return undefined;
    if (patch.name !== undefined && patch.name !== role.name && sql.byName.get(patch.name)) return 'name_taken';
    if (patch.name !== undefined) role.name = patch.name;
    if (patch.description !== undefined) role.description = patch.description;
    sql.set.run(role.name, json(role), id);
    return role;
  });
  const deleteRole = atomically((id: string): boolean => {
    if (sql.remove.run(id).changes === 0) return false;
    sql.removeRolePermissions.run(id);
    sql.removeRoleUsers.run(id);
    return true;
  });
  const changeRolePermissions = atomically((roleId: string, permissions: Permission[], add: boolean): boolean => {
    if (!sql.get.get(roleId)) return false;
    for (const p of permissions) (add ? sql.addRolePermission : sql.removeRolePermission).run(roleId, p.resourceServerIdentifier, p.permissionName);
    return true;
  });
  const assignRoles = atomically((userId: string, roleIds: string[]): void => {
    for (const roleId of roleIds) sql.assign.run(userId, roleId);
  });
  const unassignRoles = atomically((userId: string, roleIds: string[]): void => {
    for (const roleId of roleIds) sql.unassign.run(userId, roleId);
  });
  const changeUserPermissions = atomically((userId: string, permissions: Permission[], add: boolean): void => {
    for (const p of permissions) (add ? sql.addUserPermission : sql.removeUserPermission).run(userId, p.resourceServerIdentifier, p.permissionName);
  });

  return {
    async createRole(role) {
      return createRole(role);
    },
    async getRole(id) {
      return parse<Role>(sql.get.get(id));
    },
    async listRoles() {
      return sql.list.all().map((row) => parse<Role>(row) as Role);
    },
    async updateRole(id, patch) {
      return updateRole(id, patch);
    },
    async deleteRole(id) {
      return deleteRole(id);
    },
    async addRolePermissions(roleId, permissions) {
      return changeRolePermissions(roleId, permissions, true);
    },
    async removeRolePermissions(roleId, permissions) {
      return changeRolePermissions(roleId, permissions, false);
    },
    async listRolePermissions(roleId) {
      return sql.rolePermissions.all(roleId).map(permissionOf);
    },
    async assignRoles(userId, roleIds) {
      assignRoles(userId, roleIds);
    },
    async unassignRoles(userId, roleIds) {
      unassignRoles(userId, roleIds);
    },
    async listUserRoles(userId) {
      return sql.userRoles.all(userId).map((row) => parse<Role>(row) as Role);
    },
    async listRoleUsers(roleId) {
      return sql.roleUsers.all(roleId).map((row) => row.user_id);
    },
    async addUserPermissions(userId, permissions) {
      changeUserPermissions(userId, permissions, true);
    },
    async removeUserPermissions(userId, permissions) {
      changeUserPermissions(userId, permissions, false);
    },
    async listUserPermissions(userId) {
      return sql.userPermissions.all(userId).map(permissionOf);
    },
  };
}
