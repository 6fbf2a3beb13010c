import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { latestMessage } from '../support/flows.js';
import { post } from '../support/api.js';
import { writeActionsExport, type WrittenExport } from '../support/actions-export.js';
import { eventually } from '../support/page-waits.js';
import { ADMIN_CLIENT, adminGrant, machineToken } from '../support/management.js';

/**
 * The post-change-password trigger: after the reset screen sets a new password, and after the
 * Management API sets one, the bound actions run without holding up the answer, with Auth0's event
 * (the user's identifiers and last_password_reset, no metadata; the connection).
 */
const DB = 'Username-Password-Authentication';
const CLIENT = 'change-spa';
const CODE = `
exports.onExecutePostChangePassword = async (event, api) => {
  console.log(JSON.stringify({ user: event.user, connection: event.connection.name, strategy: event.connection.strategy, ip: event.request && typeof event.request.ip }));
};`;

describe('post-change-password Actions', () => {
  let t: TestApp;
  let exported: WrittenExport;
  beforeAll(async () => {
    exported = writeActionsExport({
      actions: [{ name: 'Password audit', trigger: 'post-change-password', code: CODE }],
      clients: [{ name: 'Change SPA', client_id: CLIENT, app_type: 'spa', callbacks: ['http://localhost:3000/callback'] }, ADMIN_CLIENT],
      connections: [{ name: DB, strategy: 'auth0', enabled_clients: ['Change SPA'] }],
      grants: [adminGrant(['update:users'])],
    });
    t = await buildTestApp({ tenant: exported.read(), tenantSource: exported.dir });
  });
  afterAll(async () => {
    await t.app.close();
    exported.remove();
  });

  const audited = async (): Promise<Record<string, unknown>[]> => {
    const logs = (await t.app.inject({ method: 'GET', url: '/_dev/api/action-logs' })).json().logs as { action: string; line: string }[];
    return logs.filter((l) => l.action === 'Password audit').map((l) => JSON.parse(l.line) as Record<string, unknown>);
  };

  it('runs after a reset through the emailed link, and after a Management API change', async () => {
    const signup = await post(t.app, '/dbconnections/signup', { client_id: CLIENT, connection: DB, email: 'pat@example.com', password: 'First-pass-1', user_metadata: { secret: 'kept out' } });
    const userId = `auth0|${String(signup.json()._id)}`;
    const verification = await latestMessage(t.app, 'pat@example.com');
    await post(t.app, '/dbconnections/change_password', { client_id: CLIENT, connection: DB, email: 'pat@example.com' });
    const reset = await latestMessage(t.app, 'pat@example.com', String(verification.id));
    const ticket = new URL(String(reset.link)).searchParams.get('ticket')!;
    const changed = await t.app.inject({ method: 'POST', url: '/u/reset-password', payload: { ticket, password: 'Second-pass-2', 're-enter-password': 'Second-pass-2' } });
    expect(changed.statusCode, changed.body).toBe(200);

    await eventually(audited).toEqual([
      {
        user: { user_id: userId, email: 'pat@example.com', email_verified: false, last_password_reset: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
        connection: DB,
        strategy: 'auth0',
        ip: 'string',
      },
    ]);

    const admin = { authorization: `Bearer ${await machineToken(t.app, t.issuer)}` };
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/v2/users/${encodeURIComponent(userId)}`, headers: admin, payload: { password: 'Third-pass-3', connection: DB } });
    expect(patched.statusCode, patched.body).toBe(200);
    await eventually(async () => (await audited()).length).toBe(2);
    // A metadata change is not a password change: after it and one more password change, two more lines would mean it ran.
    await t.app.inject({ method: 'PATCH', url: `/api/v2/users/${encodeURIComponent(userId)}`, headers: admin, payload: { user_metadata: { plan: 'pro' } } });
    await t.app.inject({ method: 'PATCH', url: `/api/v2/users/${encodeURIComponent(userId)}`, headers: admin, payload: { password: 'Fourth-pass-4', connection: DB } });
    await eventually(async () => (await audited()).length).toBe(3);
    expect((await audited()).map((line) => (line.user as { user_id: string }).user_id)).toEqual([userId, userId, userId]);
  });
});
