import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createManualClock } from '../../src/clock.js';
import { buildTenant } from '../../src/config/tenant-file.js';
import type { Snapshot } from '../../src/dev/snapshot.js';
import { buildTestApp, testKeys, TEST_ISSUER } from '../support/app.js';
import { BOB, ORDERS, rbacTenant } from '../rbac/rbac-tenant.js';

/**
 * A snapshot carries organizations made at run time, their members and the roles held there;
 * --seed loads them again (with the role made at run time followed by name), also after a reset.
 */
describe('snapshots with organizations', () => {
  it('exports an organization with its members and member roles, and --seed brings them back', async () => {
    const source = await buildTestApp({ tenant: rbacTenant() });
    let snapshot: Snapshot;
    try {
      const { store } = source.app.deps;
      const { role } = await store.createRole({ id: 'rol_DockDockDock1234', name: 'Dock Worker', description: undefined });
      await store.addRolePermissions(role.id, [{ resourceServerIdentifier: ORDERS, permissionName: 'read:orders' }]);
      await store.createOrganization({ id: 'org_HarborHarbor1234', name: 'harbor', display_name: 'Harbor', enabled_connections: [{ connection: 'email', assign_membership_on_login: false, show_as_button: true, is_signup_enabled: false }], created_at: '2026-06-01T12:00:00.000Z' });
      await store.addOrganizationMembers('org_HarborHarbor1234', [BOB]);
      await store.assignOrganizationMemberRoles('org_HarborHarbor1234', BOB, [role.id]);
      snapshot = (await source.app.inject('/_dev/api/snapshot')).json();
    } finally {
      await source.app.close();
    }
    expect(snapshot.organizations).toEqual([
      { organization: expect.objectContaining({ id: 'org_HarborHarbor1234', name: 'harbor' }), members: [{ user_id: BOB, roles: ['rol_DockDockDock1234'] }] },
    ]);

    const { tenant } = buildTenant(rbacTenant(), 'test tenant', 'test-secret-seed');
    const app = await buildApp({ issuer: TEST_ISSUER, tenant, keys: await testKeys(), clock: createManualClock(Date.parse('2026-06-01T12:00:00Z')), seed: snapshot });
    try {
      const check = async () => {
        expect((await app.deps.store.getOrganization('org_HarborHarbor1234'))?.display_name).toBe('Harbor');
        expect(await app.deps.roles.permissionsOf(BOB, ORDERS, 'org_HarborHarbor1234')).toEqual(['read:orders']);
        expect(await app.deps.roles.rolesOf(BOB, 'org_HarborHarbor1234')).toEqual(['Dock Worker']);
      };
      await check();
      expect((await app.inject({ method: 'POST', url: '/_dev/api/reset' })).statusCode).toBe(204);
      await check();
    } finally {
      await app.close();
    }
  });
});
