import type { Permission, Role } from './records.js';

/**
 * What every backend's RBAC module shares: one string per permission (a set member, a map key), and
 * the order roles are listed in: by name, compared as plain code units as SQLite's BINARY collation does.
 */
export const permissionKey = (p: Permission): string => JSON.stringify([p.resourceServerIdentifier, p.permissionName]);

export function permissionFromKey(key: string): Permission {
  const [resourceServerIdentifier, permissionName] = JSON.parse(key) as [string, string];
  return { resourceServerIdentifier, permissionName };
}

export const byRoleName = (a: Role, b: Role): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
