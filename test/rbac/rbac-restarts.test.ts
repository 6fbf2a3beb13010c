import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createManualClock, createShiftableClock } from '../../src/clock.js';
import { buildTenant } from '../../src/config/tenant-file.js';
import type { StoreSetting } from '../../src/config/runtime.js';
import { openStore } from '../../src/store/open-store.js';
import { testKeys, TEST_ISSUER } from '../support/app.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { BOB, JANE, ORDERS, rbacTenant } from './rbac-tenant.js';

/**
 * On a store that outlives the process, the tenant file's roles are created once: a restart finds
 * them by name and keeps their ids, sets their permissions back to the file's, and keeps every role
 * and assignment made through the Management API.
 */
const dir = mkdtempSync(join(tmpdir(), 'understudy-rbac-restarts-'));
let redis: RedisServer;
// Room for installing redis-server from Debian on a machine without it (apt-get, once).
beforeAll(async () => {
  redis = await startRedisServer();
}, 240_000);
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const settings: [string, () => StoreSetting][] = [
  ['sqlite', () => ({ kind: 'sqlite', path: join(dir, 'roles.db') })],
  ['redis', () => ({ kind: 'redis', url: redis.url.replace(/\/0$/, '/7') })],
];

describe.each(settings)('RBAC across restarts on the %s store', (_name, setting) => {
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());

  async function start(): Promise<FastifyInstance> {
    const clock = createShiftableClock(createManualClock(Date.parse('2026-06-01T12:00:00Z')));
    const store = await openStore(setting(), clock);
    const { tenant } = buildTenant(rbacTenant(), 'test tenant', 'test-secret-seed');
    app = await buildApp({ issuer: TEST_ISSUER, tenant, keys: await testKeys(), clock, store });
    return app;
  }

  it('keeps role ids and API changes, and puts the file\'s permissions back', async () => {
    let { store } = (await start()).deps;
    await store.reset();
    await app!.deps.users.seed(app!.deps.tenant);
    await app!.deps.roles.seed(app!.deps.tenant);
    const before = await store.listRoles();
    const admin = before.find((r) => r.name === 'Admin')!;
    const { role: support } = await store.createRole({ id: 'rol_SupportSupport12', name: 'Support', description: undefined });
    await store.assignRoles(BOB, [support.id]);
    await store.removeRolePermissions(admin.id, [{ resourceServerIdentifier: ORDERS, permissionName: 'delete:orders' }]);
    await app!.close();

    ({ store } = (await start()).deps);
    expect((await store.listRoles()).map((r) => [r.name, r.id])).toEqual([...before, support].map((r) => [r.name, r.id]).sort());
    expect((await store.listRolePermissions(admin.id)).map((p) => p.permissionName)).toEqual(['read:orders', 'write:orders', 'delete:orders']);
    expect(await app!.deps.roles.rolesOf(BOB)).toEqual(['Support']);
    expect(await app!.deps.roles.rolesOf(JANE)).toEqual(['Admin']);
  });
});
