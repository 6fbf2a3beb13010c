import type { Organization, OrganizationInvitation } from '../records.js';
import type { OrganizationStore } from '../types.js';
import type { RedisContext } from './context.js';
import { ORGANIZATION_LUA } from './organization-scripts.js';

/**
 * The Redis store's organizations: a JSON string each with a name index beside it, in creation order
 * in a sorted set; each organization's members, each user's organizations and each member's roles as
 * sorted sets in insertion order. Every step that checks first runs as a script
 * (./organization-scripts.ts).
 */
export function redisOrganizations({ redis, k, run, exec }: RedisContext): OrganizationStore {
  const read = (json: string | null): Organization | undefined => (json === null ? undefined : (JSON.parse(json) as Organization));
  const invitationsOf = async (organizationId: string): Promise<OrganizationInvitation[]> => {
    const tickets = await redis.zrevrange(k.organizationInvitations(organizationId), '0', '-1');
    if (!tickets.length) return [];
    return (await redis.mget(tickets.map((t) => k.invitation(t)))).flatMap((json) => (json === null ? [] : [JSON.parse(json) as OrganizationInvitation]));
  };
  const byTicket = async (ticketId: string): Promise<OrganizationInvitation | undefined> => {
    const json = await redis.get(k.invitation(ticketId));
    return json === null ? undefined : (JSON.parse(json) as OrganizationInvitation);
  };
  const take = async (invitation: OrganizationInvitation): Promise<OrganizationInvitation | undefined> => {
    const json = await run(ORGANIZATION_LUA.takeInvitation, [k.invitation(invitation.ticket_id), k.organizationInvitations(invitation.organization_id)], [invitation.ticket_id]);
    return typeof json === 'string' ? (JSON.parse(json) as OrganizationInvitation) : undefined;
  };
  const rolesOf = (organizationId: string, userId: string): Promise<string[]> => redis.zrange(k.organizationMemberRoles(organizationId, userId), '0', '-1');

  return {
    async createOrganization(organization) {
      const keys = [k.organization(organization.id), k.organizationName(organization.name), k.organizations, k.seq];
      return (await run(ORGANIZATION_LUA.create, keys, [organization.id, JSON.stringify(organization)])) === 'ok' ? organization : 'name_taken';
    },
    async getOrganization(id) {
      return read(await redis.get(k.organization(id)));
    },
    async findOrganizationByName(name) {
      const id = await redis.get(k.organizationName(name));
      return id === null ? undefined : read(await redis.get(k.organization(id)));
    },
    async listOrganizations() {
      const ids = await redis.zrange(k.organizations, '0', '-1');
      if (!ids.length) return [];
      return (await redis.mget(ids.map((id) => k.organization(id)))).flatMap((json) => read(json) ?? []);
    },
    async updateOrganization(organization) {
      const reply = await run(ORGANIZATION_LUA.update, [k.organization(organization.id)], [organization.id, organization.name, JSON.stringify(organization), k.organizationNamePrefix]);
      return reply === null ? undefined : reply === 'name_taken' ? 'name_taken' : organization;
    },
    async deleteOrganization(id) {
      const keys = [k.organization(id), k.organizations, k.organizationMembers(id), k.organizationRoleHolders(id), k.organizationInvitations(id)];
      return (await run(ORGANIZATION_LUA.delete, keys, [id, k.organizationNamePrefix, k.userOrganizationsPrefix, k.organizationMemberRolesPrefix, k.invitation('')])) === 1;
    },
    async addOrganizationMembers(organizationId, userIds) {
      if (userIds.length) await run(ORGANIZATION_LUA.addMembers, [k.organizationMembers(organizationId), k.seq], [organizationId, k.userOrganizationsPrefix, ...userIds]);
    },
    async removeOrganizationMembers(organizationId, userIds) {
      const keys = [k.organizationMembers(organizationId), k.organizationRoleHolders(organizationId)];
      if (userIds.length) await run(ORGANIZATION_LUA.removeMembers, keys, [organizationId, k.userOrganizationsPrefix, k.organizationMemberRolesPrefix, ...userIds]);
    },
    async listOrganizationMembers(organizationId) {
      const userIds = await redis.zrange(k.organizationMembers(organizationId), '0', '-1');
      const roles = await Promise.all(userIds.map((userId) => rolesOf(organizationId, userId)));
      return userIds.map((userId, i) => ({ organizationId, userId, roleIds: roles[i] ?? [] }));
    },
    async getOrganizationMember(organizationId, userId) {
      if ((await redis.zscore(k.organizationMembers(organizationId), userId)) === null) return undefined;
      return { organizationId, userId, roleIds: await rolesOf(organizationId, userId) };
    },
    async listUserOrganizations(userId) {
      return redis.zrange(k.userOrganizations(userId), '0', '-1');
    },
    async assignOrganizationMemberRoles(organizationId, userId, roleIds) {
      if (roleIds.length) await run(ORGANIZATION_LUA.assignRoles, [k.organizationMemberRoles(organizationId, userId), k.seq, k.organizationRoleHolders(organizationId)], [userId, ...roleIds]);
    },
    async unassignOrganizationMemberRoles(organizationId, userId, roleIds) {
      if (roleIds.length) await redis.zrem(k.organizationMemberRoles(organizationId, userId), ...roleIds);
    },
    listOrganizationMemberRoles: rolesOf,
    async saveInvitation(invitation) {
      const seq = await redis.incr(k.seq);
      await exec(redis.multi().set(k.invitation(invitation.ticket_id), JSON.stringify(invitation)).zadd(k.organizationInvitations(invitation.organization_id), seq, invitation.ticket_id));
    },
    getInvitation: async (organizationId, id) => (await invitationsOf(organizationId)).find((i) => i.id === id),
    findInvitationByTicket: byTicket,
    listInvitations: invitationsOf,
    async deleteInvitation(organizationId, id) {
      const invitation = (await invitationsOf(organizationId)).find((i) => i.id === id);
      return invitation ? (await take(invitation)) !== undefined : false;
    },
    async takeInvitation(ticketId) {
      const known = await byTicket(ticketId);
      return known ? take(known) : undefined;
    },
  };
}
