import type { Permission, Role } from '../store/records.js';
import type { RoleStore, UserStore } from '../store/types.js';
import { findResourceServer, type Tenant } from '../tenant/model.js';

/**
 * The RBAC part of a snapshot: every role with its permissions, and each user's roles (by role id)
 * and direct permissions. Loading it adds to what the store has: a role already there by name keeps
 * its id (the snapshot's assignments follow it), and permissions for scopes the tenant no longer
 * defines, or assignments of users that were not loaded, are left out.
 */
export interface SnapshotRoles {
  roles: (Role & { permissions: Permission[] })[];
  users: { user_id: string; roles: string[]; permissions: Permission[] }[];
}

export async function exportRoles(store: RoleStore & UserStore): Promise<SnapshotRoles> {
  const roles = await Promise.all((await store.listRoles()).map(async (role) => ({ ...role, permissions: await store.listRolePermissions(role.id) })));
  const users: SnapshotRoles['users'] = [];
  for (const user of await store.listUsers()) {
    const held = { user_id: user.user_id, roles: (await store.listUserRoles(user.user_id)).map((r) => r.id), permissions: await store.listUserPermissions(user.user_id) };
    if (held.roles.length || held.permissions.length) users.push(held);
  }
  return { roles, users };
}

export async function importRoles(store: RoleStore & UserStore, part: SnapshotRoles, tenant: Tenant): Promise<void> {
  const defined = (p: Permission): boolean => findResourceServer(tenant, p.resourceServerIdentifier)?.scopes.includes(p.permissionName) ?? false;
  const ids = new Map<string, string>();
  for (const { permissions, ...role } of part.roles) {
    const { role: stored } = await store.createRole(role);
    ids.set(role.id, stored.id);
    const kept = permissions.filter(defined);
    if (kept.length) await store.addRolePermissions(stored.id, kept);
  }
  for (const held of part.users) {
    if (!(await store.getUser(held.user_id))) continue;
    await store.assignRoles(held.user_id, held.roles.flatMap((id) => ids.get(id) ?? []));
    const kept = held.permissions.filter(defined);
    if (kept.length) await store.addUserPermissions(held.user_id, kept);
  }
}

/** What is wrong with a snapshot's `roles`, for the start-up message. */
export function checkSnapshotRoles(value: unknown): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(value) || !Array.isArray(value.roles) || !Array.isArray(value.users)) return ['roles: needs roles and users arrays, as GET /_dev/api/snapshot writes them'];
  const problems: string[] = [];
  value.roles.forEach((role, i) => {
    if (!isObject(role) || typeof role.id !== 'string' || typeof role.name !== 'string' || !Array.isArray(role.permissions)) problems.push(`roles.roles[${i}]: needs id, name and permissions`);
  });
  value.users.forEach((user, i) => {
    if (!isObject(user) || typeof user.user_id !== 'string' || !Array.isArray(user.roles) || !Array.isArray(user.permissions)) problems.push(`roles.users[${i}]: needs user_id, roles and permissions`);
  });
  return problems;
}
