import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { Organization, OrganizationInvitation, Role } from '../store/records.js';
import type { OrganizationStore, RoleStore } from '../store/types.js';
import { connectionId, findClient, type Tenant } from '../tenant/model.js';
import type { Outbox } from '../otp/outbox.js';
import { composeAccountEmail } from '../otp/email-templates.js';
import { randomInvitationId, randomInvitationTicket } from '../organizations/organization-ids.js';
import { normalizeEmail } from '../users/normalize.js';
import { badRequest, invalidPayload } from './management-error.js';

/**
 * POST /api/v2/organizations/{id}/invitations (docs/research/auth0-organizations.md §5): the body
 * checked as Auth0 checks it, the link on the client's login route (initiate_login_uri, else the
 * tenant's default_redirection_uri) with `invitation`, `organization` and `organization_name`, and
 * the user_invitation email in the dev mailbox unless `send_invitation_email` is false.
 */
const DEFAULT_TTL_SECONDS = 604_800;
const MAX_TTL_SECONDS = 2_592_000;

export async function createInvitation(
  deps: { tenant: Tenant; store: OrganizationStore & RoleStore; outbox: Outbox; clock: Clock; random: Random },
  organization: Organization,
  body: Record<string, unknown>,
): Promise<OrganizationInvitation> {
  const { tenant, store, outbox, clock, random } = deps;
  const inviter = body.inviter as { name?: unknown } | undefined;
  if (typeof inviter?.name !== 'string' || !inviter.name || inviter.name.length > 300) throw invalidPayload('Missing required property: name', 'inviter');
  const invitee = body.invitee as { email?: unknown } | undefined;
  const email = typeof invitee?.email === 'string' ? normalizeEmail(invitee.email) : '';
  if (!email) throw invalidPayload('Object didn\'t pass validation for format email', 'invitee.email');
  if (typeof body.client_id !== 'string' || !body.client_id) throw invalidPayload('Missing required property: client_id');
  const client = findClient(tenant, body.client_id);
  if (!client) throw badRequest('The specified client_id does not exist.');
  let connection: string | undefined;
  if (body.connection_id !== undefined) {
    const found = tenant.connections.find((c) => typeof body.connection_id === 'string' && connectionId(c.name) === body.connection_id);
    if (!found) throw badRequest('The specified connection does not exist.');
    if (found.kind === 'passwordless') throw badRequest('Passwordless connections are not supported.');
    connection = found.name;
  }
  const ttl = body.ttl_sec === undefined || body.ttl_sec === 0 ? DEFAULT_TTL_SECONDS : body.ttl_sec;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) throw invalidPayload(`ttl_sec must be an integer from 0 to ${MAX_TTL_SECONDS}`, 'ttl_sec');
  const roleIds = body.roles === undefined ? [] : body.roles;
  if (!Array.isArray(roleIds) || roleIds.length > 50 || !roleIds.every((id) => typeof id === 'string')) throw invalidPayload('roles must be an array of at most 50 role ids', 'roles');
  const roles = await Promise.all((roleIds as string[]).map((id) => store.getRole(id)));
  const missing = (roleIds as string[]).filter((_, i) => !roles[i]);
  if (missing.length) throw badRequest(`One or more of the specified roles do not exist: ${missing.join(', ')}`);
  for (const key of ['app_metadata', 'user_metadata'] as const) {
    const value = body[key];
    if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) throw invalidPayload('Expected type object', key);
  }
  const loginRoute = client.initiateLoginUri ?? tenant.defaultRedirectionUri;
  if (!loginRoute) throw badRequest('A default login route is required to generate the invitation url. Set the application\'s initiate_login_uri or the tenant\'s default_redirection_uri.');

  const ticket = randomInvitationTicket(random);
  const url = new URL(loginRoute);
  url.searchParams.set('invitation', ticket);
  url.searchParams.set('organization', organization.id);
  url.searchParams.set('organization_name', organization.name);
  const now = clock.now();
  const invitation: OrganizationInvitation = {
    id: randomInvitationId(random),
    organization_id: organization.id,
    ticket_id: ticket,
    inviter: { name: inviter.name },
    invitee: { email },
    client_id: client.clientId,
    ...(connection ? { connection_id: connectionId(connection) } : {}),
    ...(body.app_metadata ? { app_metadata: body.app_metadata as Record<string, unknown> } : {}),
    ...(body.user_metadata ? { user_metadata: body.user_metadata as Record<string, unknown> } : {}),
    ...(roleIds.length ? { roles: roleIds as string[] } : {}),
    invitation_url: url.toString(),
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + ttl * 1000).toISOString(),
  };
  await store.saveInvitation(invitation);
  if (body.send_invitation_email !== false) {
    const name = organization.display_name ?? organization.name;
    await outbox.sendAfterAnswer(() =>
      composeAccountEmail(tenant, {
        template: 'user_invitation',
        to: email,
        subject: `You've been invited to join ${name}`,
        text: `${inviter.name as string} has invited you to join ${name} on ${client.name}.\n\nAccept the invitation:\n${invitation.invitation_url}\n\nThe invitation expires on ${invitation.expires_at}.`,
        link: invitation.invitation_url,
        code: null,
        user: undefined,
        client,
        connection: connection ?? 'organization',
        expiresAt: now + ttl * 1000,
        variables: {
          inviter: { name: inviter.name },
          organization: { id: organization.id, name: organization.name, display_name: name, metadata: organization.metadata ?? {}, branding: organization.branding ?? {} },
          roles: (roles as Role[]).map((role) => ({ id: role.id, name: role.name, description: role.description })),
          user: { email, user_metadata: invitation.user_metadata ?? {}, app_metadata: invitation.app_metadata ?? {} },
        },
      }),
    );
  }
  return invitation;
}
