import type { Organization } from '../store/records.js';
import type { OrganizationStore, RoleStore, UserStore } from '../store/types.js';
import type { SnapshotRoles } from './snapshot-roles.js';

/**
 * The organizations part of a snapshot: each organization with its enabled connections, and its
 * members with the roles they hold there (by role id, as the snapshot's roles name them). Loading it
 * adds to what the store has: an organization already there by name keeps its record, and members
 * that were not loaded, or roles that do not exist, are left out.
 */
export interface SnapshotOrganization {
  organization: Organization;
  members: { user_id: string; roles: string[] }[];
}

export async function exportOrganizations(store: OrganizationStore): Promise<SnapshotOrganization[]> {
  return Promise.all(
    (await store.listOrganizations()).map(async (organization) => ({
      organization,
      members: (await store.listOrganizationMembers(organization.id)).map((m) => ({ user_id: m.userId, roles: m.roleIds })),
    })),
  );
}

export async function importOrganizations(store: OrganizationStore & RoleStore & UserStore, part: SnapshotOrganization[], roles: SnapshotRoles | undefined): Promise<void> {
  // Member roles follow their role by name: a role already in the store kept its own id on import.
  const nameOf = new Map((roles?.roles ?? []).map((role) => [role.id, role.name]));
  const idOf = new Map((await store.listRoles()).map((role) => [role.name, role.id]));
  for (const { organization, members } of part) {
    const created = await store.createOrganization(organization);
    const stored = created === 'name_taken' ? await store.findOrganizationByName(organization.name) : created;
    if (!stored) continue;
    for (const member of members) {
      if (!(await store.getUser(member.user_id))) continue;
      await store.addOrganizationMembers(stored.id, [member.user_id]);
      const ids = member.roles.flatMap((id) => idOf.get(nameOf.get(id) ?? '') ?? []);
      if (ids.length) await store.assignOrganizationMemberRoles(stored.id, member.user_id, ids);
    }
  }
}

/** What is wrong with a snapshot's `organizations`, for the start-up message. */
export function checkSnapshotOrganizations(value: unknown): string[] {
  if (!Array.isArray(value)) return ['organizations: must be an array, as GET /_dev/api/snapshot writes it'];
  const problems: string[] = [];
  value.forEach((entry: unknown, i) => {
    const item = entry as { organization?: { id?: unknown; name?: unknown; enabled_connections?: unknown }; members?: unknown } | null;
    if (!item || typeof item.organization?.id !== 'string' || typeof item.organization.name !== 'string' || !Array.isArray(item.organization.enabled_connections) || !Array.isArray(item.members)) {
      problems.push(`organizations[${i}]: needs organization (id, name, enabled_connections) and members`);
    }
  });
  return problems;
}
