import { beforeEach, expect, it } from 'vitest';
import type { Organization, OrganizationInvitation } from '../../../src/store/records.js';
import type { OrganizationStore, StoreLifecycle } from '../../../src/store/types.js';
import type { PortContract } from './fixtures.js';

/**
 * The OrganizationStore contract: names are unique; members, each user's organizations and member
 * roles keep the order given; removing a member or deleting an organization takes the roles held
 * there; member roles may come before membership (Auth0 allows it) without making a member.
 */
const organization = (overrides: Partial<Organization> = {}): Organization => ({
  id: 'org_AAAAAAAAAAAAAAAA',
  name: 'acme',
  display_name: 'Acme',
  branding: { logo_url: 'https://acme.example/logo.png', colors: { primary: '#0059d6', page_background: '#000000' } },
  metadata: { plan: 'gold' },
  enabled_connections: [{ connection: 'Username-Password-Authentication', assign_membership_on_login: false, show_as_button: true, is_signup_enabled: false }],
  created_at: '2026-03-01T10:00:00.000Z',
  ...overrides,
});

const invitation = (overrides: Partial<OrganizationInvitation> = {}): OrganizationInvitation => ({
  id: 'uinv_AAAAAAAAAAAAAAAA',
  organization_id: 'org_AAAAAAAAAAAAAAAA',
  ticket_id: 'TicketTicketTicketTicketTicket01',
  inviter: { name: 'Ada' },
  invitee: { email: 'new@acme.example' },
  client_id: 'spa',
  roles: ['rol_1'],
  invitation_url: 'https://app.example/login?invitation=TicketTicketTicketTicketTicket01&organization=org_AAAAAAAAAAAAAAAA&organization_name=acme',
  created_at: '2026-03-01T10:00:00.000Z',
  expires_at: '2026-03-08T10:00:00.000Z',
  ...overrides,
});

export const organizationsContract: PortContract = {
  port: 'OrganizationStore',
  concern: 'organizations, members and member roles',
  cases(subject) {
    let store: OrganizationStore & StoreLifecycle;
    beforeEach(() => {
      store = subject.store;
    });

    it('creates an organization once: a taken id or name is refused; it reads back by id and by name, as copies', async () => {
      expect(await store.createOrganization(organization())).toEqual(organization());
      expect(await store.createOrganization(organization({ id: 'org_BBBBBBBBBBBBBBBB' }))).toBe('name_taken');
      expect(await store.createOrganization(organization({ name: 'other' }))).toBe('name_taken');
      const read = await store.getOrganization('org_AAAAAAAAAAAAAAAA');
      expect(read).toEqual(organization());
      read!.enabled_connections.length = 0;
      expect((await store.findOrganizationByName('acme'))?.enabled_connections).toHaveLength(1);
      expect(await store.getOrganization('org_nobody')).toBeUndefined();
      expect(await store.findOrganizationByName('nobody')).toBeUndefined();
    });

    it('lists organizations in creation order', async () => {
      for (const [id, name] of [['org_C', 'charlie'], ['org_A', 'alpha'], ['org_B', 'bravo']]) await store.createOrganization(organization({ id: id!, name: name! }));
      expect((await store.listOrganizations()).map((o) => o.name)).toEqual(['charlie', 'alpha', 'bravo']);
    });

    it('updateOrganization renames to a free name (freeing the old one) and refuses a taken one, changing nothing', async () => {
      await store.createOrganization(organization());
      await store.createOrganization(organization({ id: 'org_B', name: 'bravo' }));
      expect(await store.updateOrganization(organization({ name: 'bravo' }))).toBe('name_taken');
      expect((await store.getOrganization('org_AAAAAAAAAAAAAAAA'))?.name).toBe('acme');
      const renamed = await store.updateOrganization(organization({ name: 'acme-corp', display_name: 'Acme Corp' }));
      expect(renamed).toMatchObject({ name: 'acme-corp', display_name: 'Acme Corp' });
      expect((await store.findOrganizationByName('acme-corp'))?.id).toBe('org_AAAAAAAAAAAAAAAA');
      expect(await store.findOrganizationByName('acme')).toBeUndefined();
      expect(await store.createOrganization(organization({ id: 'org_C', name: 'acme' }))).toMatchObject({ id: 'org_C' });
      expect(await store.updateOrganization(organization({ id: 'org_nobody', name: 'nobody' }))).toBeUndefined();
    });

    it('members join once, in order; each user lists their organizations in the order they joined', async () => {
      await store.createOrganization(organization());
      await store.createOrganization(organization({ id: 'org_B', name: 'bravo' }));
      await store.addOrganizationMembers('org_AAAAAAAAAAAAAAAA', ['auth0|u2', 'auth0|u1']);
      await store.addOrganizationMembers('org_AAAAAAAAAAAAAAAA', ['auth0|u1', 'auth0|u3']);
      await store.addOrganizationMembers('org_B', ['auth0|u1']);
      expect((await store.listOrganizationMembers('org_AAAAAAAAAAAAAAAA')).map((m) => m.userId)).toEqual(['auth0|u2', 'auth0|u1', 'auth0|u3']);
      expect(await store.listUserOrganizations('auth0|u1')).toEqual(['org_AAAAAAAAAAAAAAAA', 'org_B']);
      expect(await store.getOrganizationMember('org_B', 'auth0|u1')).toEqual({ organizationId: 'org_B', userId: 'auth0|u1', roleIds: [] });
      expect(await store.getOrganizationMember('org_B', 'auth0|u2')).toBeUndefined();
      await store.removeOrganizationMembers('org_AAAAAAAAAAAAAAAA', ['auth0|u1']);
      expect((await store.listOrganizationMembers('org_AAAAAAAAAAAAAAAA')).map((m) => m.userId)).toEqual(['auth0|u2', 'auth0|u3']);
      expect(await store.listUserOrganizations('auth0|u1')).toEqual(['org_B']);
    });

    it('member roles are held once, in order; given before membership they wait for it; removal takes them', async () => {
      await store.createOrganization(organization());
      const org = 'org_AAAAAAAAAAAAAAAA';
      await store.assignOrganizationMemberRoles(org, 'auth0|u1', ['rol_2', 'rol_1', 'rol_2']);
      expect(await store.getOrganizationMember(org, 'auth0|u1')).toBeUndefined();
      expect(await store.listOrganizationMemberRoles(org, 'auth0|u1')).toEqual(['rol_2', 'rol_1']);
      await store.addOrganizationMembers(org, ['auth0|u1']);
      expect(await store.getOrganizationMember(org, 'auth0|u1')).toEqual({ organizationId: org, userId: 'auth0|u1', roleIds: ['rol_2', 'rol_1'] });
      await store.unassignOrganizationMemberRoles(org, 'auth0|u1', ['rol_2']);
      expect((await store.listOrganizationMembers(org))[0]?.roleIds).toEqual(['rol_1']);
      await store.removeOrganizationMembers(org, ['auth0|u1']);
      expect(await store.listOrganizationMemberRoles(org, 'auth0|u1')).toEqual([]);
    });

    it('invitations: found by id and ticket, listed newest first, deleted once, and taken once by one of several', async () => {
      await store.createOrganization(organization());
      const org = 'org_AAAAAAAAAAAAAAAA';
      await store.saveInvitation(invitation());
      await store.saveInvitation(invitation({ id: 'uinv_BBBBBBBBBBBBBBBB', ticket_id: 'TicketTicketTicketTicketTicket02' }));
      expect((await store.listInvitations(org)).map((i) => i.id)).toEqual(['uinv_BBBBBBBBBBBBBBBB', 'uinv_AAAAAAAAAAAAAAAA']);
      expect(await store.getInvitation(org, 'uinv_AAAAAAAAAAAAAAAA')).toEqual(invitation());
      expect(await store.getInvitation('org_other', 'uinv_AAAAAAAAAAAAAAAA')).toBeUndefined();
      expect((await store.findInvitationByTicket('TicketTicketTicketTicketTicket02'))?.id).toBe('uinv_BBBBBBBBBBBBBBBB');
      expect(await store.deleteInvitation(org, 'uinv_BBBBBBBBBBBBBBBB')).toBe(true);
      expect(await store.deleteInvitation(org, 'uinv_BBBBBBBBBBBBBBBB')).toBe(false);
      const takes = await Promise.all(Array.from({ length: 4 }, () => store.takeInvitation('TicketTicketTicketTicketTicket01')));
      expect(takes.filter(Boolean)).toEqual([invitation()]);
      expect(await store.listInvitations(org)).toEqual([]);
    });

    it('deleteOrganization takes its members, their roles and its name along; reset forgets them all', async () => {
      const org = 'org_AAAAAAAAAAAAAAAA';
      await store.createOrganization(organization());
      await store.addOrganizationMembers(org, ['auth0|u1']);
      await store.assignOrganizationMemberRoles(org, 'auth0|u1', ['rol_1']);
      await store.assignOrganizationMemberRoles(org, 'auth0|waiting', ['rol_1']);
      await store.saveInvitation(invitation());
      expect(await store.deleteOrganization(org)).toBe(true);
      expect(await store.findInvitationByTicket('TicketTicketTicketTicketTicket01')).toBeUndefined();
      expect(await store.deleteOrganization(org)).toBe(false);
      expect(await store.getOrganization(org)).toBeUndefined();
      expect(await store.listUserOrganizations('auth0|u1')).toEqual([]);
      expect(await store.listOrganizationMemberRoles(org, 'auth0|u1')).toEqual([]);
      expect(await store.listOrganizationMemberRoles(org, 'auth0|waiting')).toEqual([]);
      expect(await store.createOrganization(organization({ id: 'org_new' }))).toMatchObject({ id: 'org_new', name: 'acme' });
      await store.addOrganizationMembers('org_new', ['auth0|u1']);
      await store.reset();
      expect(await store.listOrganizations()).toEqual([]);
      expect(await store.listUserOrganizations('auth0|u1')).toEqual([]);
    });
  },
};
