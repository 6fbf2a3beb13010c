import type { OrganizationStore } from '../types.js';
import { clone, copy, type MemoryContext } from './tables.js';

/**
 * The memory store's organizations: records by id (Map order is creation order), each organization's
 * members and each user's organizations as insertion-ordered Sets, and member roles by
 * organization and user.
 */
export function memoryOrganizations({ tables }: MemoryContext): OrganizationStore {
  const { organizations, organizationMembers, userOrganizations, organizationMemberRoles, invitations } = tables;
  const invitationOf = (organizationId: string, id: string) => [...invitations.values()].find((i) => i.organization_id === organizationId && i.id === id);
  const setOf = (map: Map<string, Set<string>>, key: string): Set<string> => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    return set;
  };
  const memberKey = (organizationId: string, userId: string): string => `${organizationId}\u0000${userId}`;
  const byName = (name: string) => [...organizations.values()].find((o) => o.name === name);

  return {
    async createOrganization(organization) {
      if (organizations.has(organization.id) || byName(organization.name)) return 'name_taken';
      organizations.set(organization.id, clone(organization));
      return clone(organization);
    },
    async getOrganization(id) {
      return copy(organizations.get(id));
    },
    async findOrganizationByName(name) {
      return copy(byName(name));
    },
    async listOrganizations() {
      return [...organizations.values()].map((o) => clone(o));
    },
    async updateOrganization(organization) {
      if (!organizations.has(organization.id)) return undefined;
      const holder = byName(organization.name);
      if (holder && holder.id !== organization.id) return 'name_taken';
      organizations.set(organization.id, clone(organization));
      return clone(organization);
    },
    async deleteOrganization(id) {
      if (!organizations.delete(id)) return false;
      for (const userId of organizationMembers.get(id) ?? []) userOrganizations.get(userId)?.delete(id);
      organizationMembers.delete(id);
      for (const key of organizationMemberRoles.keys()) if (key.startsWith(`${id}\u0000`)) organizationMemberRoles.delete(key);
      for (const [ticket, invitation] of invitations) if (invitation.organization_id === id) invitations.delete(ticket);
      return true;
    },
    async addOrganizationMembers(organizationId, userIds) {
      const members = setOf(organizationMembers, organizationId);
      for (const userId of userIds) {
        members.add(userId);
        setOf(userOrganizations, userId).add(organizationId);
      }
    },
    async removeOrganizationMembers(organizationId, userIds) {
      for (const userId of userIds) {
        organizationMembers.get(organizationId)?.delete(userId);
        userOrganizations.get(userId)?.delete(organizationId);
        organizationMemberRoles.delete(memberKey(organizationId, userId));
      }
    },
    async listOrganizationMembers(organizationId) {
      return [...(organizationMembers.get(organizationId) ?? [])].map((userId) => ({ organizationId, userId, roleIds: [...(organizationMemberRoles.get(memberKey(organizationId, userId)) ?? [])] }));
    },
    async getOrganizationMember(organizationId, userId) {
      if (!organizationMembers.get(organizationId)?.has(userId)) return undefined;
      return { organizationId, userId, roleIds: [...(organizationMemberRoles.get(memberKey(organizationId, userId)) ?? [])] };
    },
    async listUserOrganizations(userId) {
      return [...(userOrganizations.get(userId) ?? [])];
    },
    async assignOrganizationMemberRoles(organizationId, userId, roleIds) {
      const held = setOf(organizationMemberRoles, memberKey(organizationId, userId));
      for (const roleId of roleIds) held.add(roleId);
    },
    async unassignOrganizationMemberRoles(organizationId, userId, roleIds) {
      const held = organizationMemberRoles.get(memberKey(organizationId, userId));
      for (const roleId of roleIds) held?.delete(roleId);
    },
    async listOrganizationMemberRoles(organizationId, userId) {
      return [...(organizationMemberRoles.get(memberKey(organizationId, userId)) ?? [])];
    },
    async saveInvitation(invitation) {
      invitations.set(invitation.ticket_id, clone(invitation));
    },
    async getInvitation(organizationId, id) {
      return copy(invitationOf(organizationId, id));
    },
    async findInvitationByTicket(ticketId) {
      return copy(invitations.get(ticketId));
    },
    async listInvitations(organizationId) {
      return [...invitations.values()].filter((i) => i.organization_id === organizationId).reverse().map((i) => clone(i));
    },
    async deleteInvitation(organizationId, id) {
      const invitation = invitationOf(organizationId, id);
      return invitation ? invitations.delete(invitation.ticket_id) : false;
    },
    async takeInvitation(ticketId) {
      const invitation = invitations.get(ticketId);
      invitations.delete(ticketId);
      return invitation;
    },
  };
}
