import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createManualClock } from '../../src/clock.js';
import { buildTenant } from '../../src/config/tenant-file.js';
import type { Snapshot } from '../../src/dev/snapshot.js';
import { buildTestApp, testKeys, TEST_ISSUER } from '../support/app.js';
import { BOB, JANE, ORDERS, rbacTenant } from './rbac-tenant.js';

/**
 * A snapshot carries RBAC along with the users: roles made at run time (with their permissions), who
 * holds which role, and permissions given directly; loading it (--seed, and again on reset) brings
 * them back with the same role ids.
 */
describe('snapshots with roles', () => {
  it('exports roles, assignments and direct permissions, and --seed loads them again, also after a reset', async () => {
    const source = await buildTestApp({ tenant: rbacTenant() });
    let snapshot: Snapshot;
    try {
      const { store } = source.app.deps;
      const { role: support } = await store.createRole({ id: 'rol_SupportSupport12', name: 'Support', description: 'Helps' });
      await store.addRolePermissions(support.id, [{ resourceServerIdentifier: ORDERS, permissionName: 'read:orders' }]);
      await store.assignRoles(BOB, [support.id]);
      await store.addUserPermissions(BOB, [{ resourceServerIdentifier: ORDERS, permissionName: 'delete:orders' }]);
      snapshot = (await source.app.inject('/_dev/api/snapshot')).json();
    } finally {
      await source.app.close();
    }
    expect(snapshot.roles?.roles.map((r) => r.name)).toEqual(['Admin', 'Reader', 'Support']);
    expect(snapshot.roles?.users).toEqual([
      { user_id: JANE, roles: [expect.stringMatching(/^rol_/)], permissions: [] },
      { user_id: BOB, roles: ['rol_SupportSupport12'], permissions: [{ resourceServerIdentifier: ORDERS, permissionName: 'delete:orders' }] },
    ]);

    const { tenant } = buildTenant(rbacTenant(), 'test tenant', 'test-secret-seed');
    const app = await buildApp({ issuer: TEST_ISSUER, tenant, keys: await testKeys(), clock: createManualClock(Date.parse('2026-06-01T12:00:00Z')), seed: snapshot });
    try {
      const check = async () => {
        expect(await app.deps.roles.rolesOf(BOB)).toEqual(['Support']);
        expect(await app.deps.roles.permissionsOf(BOB, ORDERS)).toEqual(['read:orders', 'delete:orders']);
        expect((await app.deps.store.getRole('rol_SupportSupport12'))?.description).toBe('Helps');
        expect(await app.deps.roles.rolesOf(JANE)).toEqual(['Admin']);
      };
      await check();
      expect((await app.inject({ method: 'POST', url: '/_dev/api/reset' })).statusCode).toBe(204);
      await check();
    } finally {
      await app.close();
    }
  });
});
