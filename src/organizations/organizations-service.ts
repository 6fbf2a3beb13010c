import type { Clock } from '../clock.js';
import type { Organization, OrganizationInvitation, User } from '../store/records.js';
import type { OrganizationStore, RoleStore, UserStore } from '../store/types.js';
import type { Tenant } from '../tenant/model.js';

/**
 * Organizations as logins meet them (docs/research/auth0-organizations.md): which one `organization`
 * names at /authorize, whether a user may log in to it (a member, or made one by a connection with
 * auto-membership), and the tenant file's organizations put in place at start-up. The Management API
 * changes them in the store at run time; the next login sees the change.
 */
/** Auth0's words for a ticket that is unknown, spent or expired (docs/research/auth0-organizations.md §2.3 #8). */
export const INVITATION_GONE = 'invitation not found or already used';

export type Resolution = { ok: true; organization: Organization } | { ok: false; reason: 'name_not_allowed' | 'unknown' };
export type Admission = { ok: true; organization: Organization } | { ok: false; description: string };

/** What a token and an Action carry of the login's organization. */
export interface OrganizationRef {
  id: string;
  name: string;
}

export interface OrganizationsService {
  /**
   * Creates the tenant file's organizations that are missing (by id, then name), sets each one's
   * settings and connections to the file's, and adds the file's members with their roles there
   * (adding, never taking away what the Management API did). Runs after users and roles are seeded.
   */
  seed(tenant: Tenant): Promise<void>;
  /** An `org_` id always; a name only where the tenant allows names (allow_organization_name_in_authentication_api). */
  resolve(value: string): Promise<Resolution>;
  /**
   * Whether `user` may finish a login to the organization: through one of its connections, as a
   * member, made one by the login's invitation (`invitation`, its ticket), or made one now by a
   * connection with assign_membership_on_login. Checked before the post-login Actions, as Auth0 checks
   * it; an invitation is spent only once the connection is known good.
   */
  admit(organizationId: string, user: User, invitation?: string): Promise<Admission>;
  /** The invitation of this ticket while it may be used at /authorize (the organization's, unexpired). */
  openInvitation(ticket: string, organizationId: string): Promise<OrganizationInvitation | undefined>;
}

export function createOrganizationsService(deps: { store: OrganizationStore & UserStore & RoleStore; tenant: Tenant; clock: Clock }): OrganizationsService {
  const { store, tenant, clock } = deps;

  /**
   * Accepts an invitation for the user who logged in: the invitee (by email) becomes a member with its
   * roles and a verified email; the invitation is spent. Another account is refused, as Auth0 refuses it.
   */
  async function acceptInvitation(ticket: string, organizationId: string, user: User): Promise<{ ok: true } | { ok: false; description: string }> {
    const invitation = await store.findInvitationByTicket(ticket);
    if (!invitation || invitation.organization_id !== organizationId || Date.parse(invitation.expires_at) <= clock.now()) return { ok: false, description: INVITATION_GONE };
    if ((user.email ?? '').toLowerCase() !== invitation.invitee.email.toLowerCase()) return { ok: false, description: 'the specified account is not allowed to accept the current invitation' };
    // Of two logins with one ticket, one takes it.
    if (!(await store.takeInvitation(ticket))) return { ok: false, description: INVITATION_GONE };
    await store.addOrganizationMembers(organizationId, [user.user_id]);
    if (invitation.roles?.length) await store.assignOrganizationMemberRoles(organizationId, user.user_id, invitation.roles);
    if (user.email_verified !== true) await store.updateUser(user.user_id, { email_verified: true });
    return { ok: true };
  }

  return {
    async seed(seeded) {
      const roleIds = new Map((await store.listRoles()).map((role) => [role.name, role.id]));
      for (const entry of seeded.organizations) {
        const existing = (await store.getOrganization(entry.id)) ?? (await store.findOrganizationByName(entry.name));
        const organization: Organization = {
          id: existing?.id ?? entry.id,
          name: entry.name,
          display_name: entry.displayName,
          branding: entry.branding,
          metadata: entry.metadata,
          enabled_connections: entry.connections.map((c) => ({ ...c })),
          ...(entry.clientGrants.length ? { client_grants: entry.clientGrants } : {}),
          created_at: existing?.created_at ?? new Date(clock.now()).toISOString(),
        };
        if (existing) await store.updateOrganization(organization);
        else await store.createOrganization(organization);
        for (const member of entry.members) {
          const connections = member.connection ? [member.connection] : seeded.connections.map((c) => c.name);
          let user: User | undefined;
          for (const name of connections) if (!user) user = await store.findUser(name, member.email);
          if (!user) continue;
          await store.addOrganizationMembers(organization.id, [user.user_id]);
          const ids = member.roles.flatMap((name) => roleIds.get(name) ?? []);
          if (ids.length) await store.assignOrganizationMemberRoles(organization.id, user.user_id, ids);
        }
      }
    },

    async resolve(value) {
      const wanted = value.trim();
      if (wanted.startsWith('org_')) {
        const organization = await store.getOrganization(wanted);
        return organization ? { ok: true, organization } : { ok: false, reason: 'unknown' };
      }
      if (!tenant.organizationNames) return { ok: false, reason: 'name_not_allowed' };
      const organization = await store.findOrganizationByName(wanted.toLowerCase());
      return organization ? { ok: true, organization } : { ok: false, reason: 'unknown' };
    },

    async openInvitation(ticket, organizationId) {
      const invitation = await store.findInvitationByTicket(ticket);
      if (!invitation || invitation.organization_id !== organizationId || Date.parse(invitation.expires_at) <= clock.now()) return undefined;
      return invitation;
    },

    async admit(organizationId, user, invitation) {
      const organization = await store.getOrganization(organizationId);
      if (!organization) return { ok: false, description: `parameter organization is invalid: ${organizationId}` };
      const connection = organization.enabled_connections.find((c) => c.connection === user.connection);
      if (!connection) return { ok: false, description: `the connection ${user.connection} is not enabled for the ${organization.id} organization` };
      if (invitation) {
        const accepted = await acceptInvitation(invitation, organization.id, user);
        if (!accepted.ok) return accepted;
      }
      if (await store.getOrganizationMember(organization.id, user.user_id)) return { ok: true, organization };
      if (connection.assign_membership_on_login) {
        await store.addOrganizationMembers(organization.id, [user.user_id]);
        return { ok: true, organization };
      }
      return { ok: false, description: `user ${user.user_id} is not part of the ${organization.id} organization` };
    },
  };
}
