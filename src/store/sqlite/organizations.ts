import type { Organization, OrganizationInvitation } from '../records.js';
import type { OrganizationStore } from '../types.js';
import { json, parse, type Row, type SqliteContext } from './context.js';

/**
 * The SQLite store's organizations: table `organizations` (id and name unique, in creation order),
 * `organization_members` and `organization_member_roles`, each in insertion order. A check before
 * a write runs under the write lock; deleting an organization takes its members and their roles.
 */
export function sqliteOrganizations({ statement, atomically }: SqliteContext): OrganizationStore {
  const sql = {
    get: statement<Row>('SELECT data FROM organizations WHERE id = ?'),
    byName: statement<Row & { id: string }>('SELECT id, data FROM organizations WHERE name = ?'),
    insert: statement('INSERT OR IGNORE INTO organizations (id, name, data) VALUES (?, ?, ?)'),
    set: statement('UPDATE organizations SET name = ?, data = ? WHERE id = ?'),
    list: statement<Row>('SELECT data FROM organizations ORDER BY seq'),
    remove: statement('DELETE FROM organizations WHERE id = ?'),
    removeMembers: statement('DELETE FROM organization_members WHERE organization_id = ?'),
    removeAllMemberRoles: statement('DELETE FROM organization_member_roles WHERE organization_id = ?'),
    addMember: statement('INSERT OR IGNORE INTO organization_members (organization_id, user_id) VALUES (?, ?)'),
    removeMember: statement('DELETE FROM organization_members WHERE organization_id = ? AND user_id = ?'),
    removeMemberRoles: statement('DELETE FROM organization_member_roles WHERE organization_id = ? AND user_id = ?'),
    members: statement<{ user_id: string }>('SELECT user_id FROM organization_members WHERE organization_id = ? ORDER BY seq'),
    member: statement<{ user_id: string }>('SELECT user_id FROM organization_members WHERE organization_id = ? AND user_id = ?'),
    userOrganizations: statement<{ organization_id: string }>('SELECT organization_id FROM organization_members WHERE user_id = ? ORDER BY seq'),
    assign: statement('INSERT OR IGNORE INTO organization_member_roles (organization_id, user_id, role_id) VALUES (?, ?, ?)'),
    unassign: statement('DELETE FROM organization_member_roles WHERE organization_id = ? AND user_id = ? AND role_id = ?'),
    memberRoles: statement<{ role_id: string }>('SELECT role_id FROM organization_member_roles WHERE organization_id = ? AND user_id = ? ORDER BY seq'),
    saveInvitation: statement('INSERT OR REPLACE INTO organization_invitations (ticket_id, id, organization_id, data) VALUES (?, ?, ?, ?)'),
    invitation: statement<Row>('SELECT data FROM organization_invitations WHERE organization_id = ? AND id = ?'),
    invitationByTicket: statement<Row>('SELECT data FROM organization_invitations WHERE ticket_id = ?'),
    invitations: statement<Row>('SELECT data FROM organization_invitations WHERE organization_id = ? ORDER BY seq DESC'),
    removeInvitation: statement('DELETE FROM organization_invitations WHERE organization_id = ? AND id = ?'),
    removeInvitations: statement('DELETE FROM organization_invitations WHERE organization_id = ?'),
    takeInvitation: statement<Row>('DELETE FROM organization_invitations WHERE ticket_id = ? RETURNING data'),
  };
  const rolesOf = (organizationId: string, userId: string): string[] => sql.memberRoles.all(organizationId, userId).map((row) => row.role_id);

  const createOrganization = atomically((organization: Organization): Organization | 'name_taken' => {
    if (sql.get.get(organization.id) || sql.byName.get(organization.name)) return 'name_taken';
    sql.insert.run(organization.id, organization.name, json(organization));
    return organization;
  });
  const updateOrganization = atomically((organization: Organization): Organization | 'name_taken' | undefined => {
    if (!sql.get.get(organization.id)) return undefined;
    const holder = sql.byName.get(organization.name);
    if (holder && holder.id !== organization.id) return 'name_taken';
    sql.set.run(organization.name, json(organization), organization.id);
    return organization;
  });
  const deleteOrganization = atomically((id: string): boolean => {
    if (sql.remove.run(id).changes !== 1) return false;
    sql.removeMembers.run(id);
    sql.removeAllMemberRoles.run(id);
    sql.removeInvitations.run(id);
    return true;
  });
  const addMembers = atomically((organizationId: string, userIds: string[]): void => {
    for (const userId of userIds) sql.addMember.run(organizationId, userId);
  });
  const removeMembers = atomically((organizationId: string, userIds: string[]): void => {
    for (const userId of userIds) {
      sql.removeMember.run(organizationId, userId);
      sql.removeMemberRoles.run(organizationId, userId);
    }
  });
  const assign = atomically((organizationId: string, userId: string, roleIds: string[]): void => {
    for (const roleId of roleIds) sql.assign.run(organizationId, userId, roleId);
  });
  const unassign = atomically((organizationId: string, userId: string, roleIds: string[]): void => {
    for (const roleId of roleIds) sql.unassign.run(organizationId, userId, roleId);
  });

  return {
    createOrganization: async (organization) => createOrganization(organization),
    getOrganization: async (id) => parse<Organization>(sql.get.get(id)),
    findOrganizationByName: async (name) => parse<Organization>(sql.byName.get(name)),
    listOrganizations: async () => sql.list.all().map((row) => parse<Organization>(row)!),
    updateOrganization: async (organization) => updateOrganization(organization),
    deleteOrganization: async (id) => deleteOrganization(id),
    addOrganizationMembers: async (organizationId, userIds) => addMembers(organizationId, userIds),
    removeOrganizationMembers: async (organizationId, userIds) => removeMembers(organizationId, userIds),
    listOrganizationMembers: async (organizationId) => sql.members.all(organizationId).map(({ user_id: userId }) => ({ organizationId, userId, roleIds: rolesOf(organizationId, userId) })),
    getOrganizationMember: async (organizationId, userId) => (sql.member.get(organizationId, userId) ? { organizationId, userId, roleIds: rolesOf(organizationId, userId) } : undefined),
    listUserOrganizations: async (userId) => sql.userOrganizations.all(userId).map((row) => row.organization_id),
    assignOrganizationMemberRoles: async (organizationId, userId, roleIds) => assign(organizationId, userId, roleIds),
    unassignOrganizationMemberRoles: async (organizationId, userId, roleIds) => unassign(organizationId, userId, roleIds),
    listOrganizationMemberRoles: async (organizationId, userId) => rolesOf(organizationId, userId),
    saveInvitation: async (invitation) => {
      sql.saveInvitation.run(invitation.ticket_id, invitation.id, invitation.organization_id, json(invitation));
    },
    getInvitation: async (organizationId, id) => parse<OrganizationInvitation>(sql.invitation.get(organizationId, id)),
    findInvitationByTicket: async (ticketId) => parse<OrganizationInvitation>(sql.invitationByTicket.get(ticketId)),
    listInvitations: async (organizationId) => sql.invitations.all(organizationId).map((row) => parse<OrganizationInvitation>(row)!),
    deleteInvitation: async (organizationId, id) => sql.removeInvitation.run(organizationId, id).changes === 1,
    // One statement: of two concurrent takes, one deletes the row and gets it.
    takeInvitation: async (ticketId) => parse<OrganizationInvitation>(sql.takeInvitation.get(ticketId)),
  };
}
