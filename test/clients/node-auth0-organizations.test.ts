import { describe, expect, it } from 'vitest';
import { Management } from 'auth0';
import { ManagementClient as LegacyManagementClient } from 'auth0/legacy';
import { useHttpsManagement } from '../support/https-management.js';
import { passwordlessLogin } from '../support/flows.js';
import { tokensFor, verifyJwt } from '../support/screens.js';
import { ORDERS, rbacTenant } from '../rbac/rbac-tenant.js';

/**
 * node-auth0's ManagementClient (auth0@7.1.0, and its v4 client in auth0/legacy) unmodified against
 * Understudy's organizations, over HTTPS with the local CA: create an organization, enable a
 * connection, add a member with a role, list with the SDK's own paging; the member's next login to the
 * organization carries org_id and the role's permissions (docs/research/auth0-organizations.md §6).
 */
describe('auth0 (node-auth0) 7.1.0 ManagementClient: organizations', () => {
  const env = useHttpsManagement(() => {
    const base = rbacTenant();
    // The SPA may log in to an organization, and its invitations open its login route.
    const clients = (base.clients ?? []).map((c) => (c.client_id === 'understudy-spa' ? { ...c, organization_usage: 'allow', initiate_login_uri: 'https://app.example/login' } : c));
    return { ...base, clients };
  }, 'node-auth0-orgs');

  it('creates an organization, enables a connection, adds a member with a role; the next login carries both', async () => {
    const created = await env.management.organizations.create({ name: 'harbor-ops', display_name: 'Harbor Ops', metadata: { tier: 'gold' }, branding: { logo_url: 'https://harbor.example/logo.png' } });
    expect(created).toMatchObject({ id: expect.stringMatching(/^org_[A-Za-z0-9]{16}$/), name: 'harbor-ops', display_name: 'Harbor Ops', metadata: { tier: 'gold' } });
    const org = created.id!;
    expect((await env.management.organizations.getByName('harbor-ops')).id).toBe(org);
    const taken = await env.management.organizations.create({ name: 'harbor-ops' }).then(() => undefined, (err: unknown) => err);
    expect(taken).toBeInstanceOf(Management.ConflictError);

    const enabled = await env.management.organizations.enabledConnections.add(org, { connection_id: 'con_email', assign_membership_on_login: false });
    expect(enabled).toMatchObject({ connection_id: 'con_email', assign_membership_on_login: false, show_as_button: true, connection: { name: 'email', strategy: 'email' } });
    const listed = await env.management.organizations.enabledConnections.list(org);
    expect(listed.data.map((c) => c.connection_id)).toEqual(['con_email']);

    const user = await env.management.users.create({ connection: 'email', email: 'deckhand@example.com' });
    const roles = await env.management.roles.list();
    const reader = roles.data.find((r) => r.name === 'Reader')!;
    await env.management.organizations.members.create(org, { members: [user.user_id!] });
    await env.management.organizations.members.roles.assign(org, user.user_id!, { roles: [reader.id!] });
    expect((await env.management.organizations.members.roles.list(org, user.user_id!)).data.map((r) => r.name)).toEqual(['Reader']);

    const members: string[] = [];
    for await (const member of await env.management.organizations.members.list(org)) members.push(String(member.user_id));
    expect(members).toEqual([user.user_id]);
    expect((await env.management.users.organizations.list(user.user_id!)).data.map((o) => o.name)).toEqual(['harbor-ops']);

    const { callback, verifier } = await passwordlessLogin(env.t.app, { identifier: 'deckhand@example.com', params: { audience: ORDERS, scope: 'openid read:orders write:orders', organization: org } });
    const tokens = await tokensFor(env.t.app, callback, verifier);
    const claims = await verifyJwt(env.t.app, tokens.access_token, env.t.issuer, env.t.clock.now(), ORDERS);
    expect(claims).toMatchObject({ org_id: org, permissions: ['read:orders'] });

    // An invitation, created with the SDK: the invitee follows it and logs in as a member with its role.
    const invitation = await env.management.organizations.invitations.create(org, { inviter: { name: 'Ops Lead' }, invitee: { email: 'new.deckhand@example.com' }, client_id: 'understudy-spa', roles: [reader.id!] });
    expect(invitation).toMatchObject({ id: expect.stringMatching(/^uinv_/), organization_id: org, invitee: { email: 'new.deckhand@example.com' } });
    expect((await env.management.organizations.invitations.list(org)).data.map((i) => i.id)).toEqual([invitation.id]);
    const invited = await passwordlessLogin(env.t.app, { identifier: 'new.deckhand@example.com', params: { audience: ORDERS, scope: 'openid read:orders', organization: org, invitation: invitation.ticket_id! } });
    const invitedClaims = await verifyJwt(env.t.app, (await tokensFor(env.t.app, invited.callback, invited.verifier)).access_token, env.t.issuer, env.t.clock.now(), ORDERS);
    expect(invitedClaims).toMatchObject({ org_id: org, permissions: ['read:orders'] });

    // Removed from the organization, the next login to it is refused.
    await env.management.organizations.members.delete(org, { members: [user.user_id!] });
    const refused = await passwordlessLogin(env.t.app, { identifier: 'deckhand@example.com', params: { organization: org } });
    expect(refused.callback.searchParams.get('error')).toBe('access_denied');
  });

  it('pages organizations with checkpoints, updates and deletes them; NotFoundError afterwards', async () => {
    for (const name of ['fleet-a', 'fleet-b', 'fleet-c']) await env.management.organizations.create({ name });
    const names: string[] = [];
    for await (const organization of await env.management.organizations.list({ take: 1 })) names.push(String(organization.name));
    expect(names).toEqual(expect.arrayContaining(['fleet-a', 'fleet-b', 'fleet-c']));
    const fleet = await env.management.organizations.getByName('fleet-b');
    expect(await env.management.organizations.update(fleet.id!, { display_name: 'Fleet B' })).toMatchObject({ display_name: 'Fleet B', name: 'fleet-b' });
    await env.management.organizations.delete(fleet.id!);
    const gone = await env.management.organizations.get(fleet.id!).then(() => undefined, (err: unknown) => err);
    expect(gone).toBeInstanceOf(Management.NotFoundError);
    expect((gone as Management.NotFoundError).body).toEqual({ statusCode: 404, error: 'Not Found', message: 'No organization found by that id or name' });
  });

  it('its v4 client (auth0/legacy): organizations.create, addEnabledConnection, addMembers, addMemberRoles, getMembers', async () => {
    const legacy = new LegacyManagementClient({ domain: env.domain, clientId: 'understudy-m2m', clientSecret: 'understudy-m2m-secret' });
    const { data: org } = await legacy.organizations.create({ name: 'legacy-crew' });
    await legacy.organizations.addEnabledConnection({ id: org.id }, { connection_id: 'con_email', assign_membership_on_login: true });
    const { data: user } = await legacy.users.create({ connection: 'email', email: 'legacy-crew@example.com' });
    await legacy.organizations.addMembers({ id: org.id }, { members: [user.user_id] });
    const { data: roles } = await legacy.roles.getAll();
    await legacy.organizations.addMemberRoles({ id: org.id, user_id: user.user_id }, { roles: [roles.find((r) => r.name === 'Admin')!.id] });
    const { data: members } = await legacy.organizations.getMembers({ id: org.id, fields: 'user_id,roles', include_fields: true });
    expect(members).toEqual([expect.objectContaining({ user_id: user.user_id, roles: [expect.objectContaining({ name: 'Admin' })] })]);
  });
});
