import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { alertText } from '../support/browser.js';
import { latestMessage } from '../support/flows.js';
import { post, token } from '../support/api.js';
import { ADMIN_CLIENT, adminGrant, machineToken } from '../support/management.js';

/**
 * A database connection's password_dictionary and password_history, over HTTP: sign-up, the reset
 * screen and the Management API refuse a common password (or one of the tenant's own words) and a
 * reused one, each in Auth0's words for that surface.
 */
const DB = 'Username-Password-Authentication';
const CLIENT = 'dictionary-spa';
const PASSWORD_REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const EMAIL = 'hal@example.com';
const FIRST = 'Heuristic-9000';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({
    tenant: {
      clients: [{ name: 'Dictionary SPA', client_id: CLIENT, app_type: 'spa', callbacks: ['http://localhost:3000/callback'], grant_types: ['authorization_code', PASSWORD_REALM] }, ADMIN_CLIENT],
      connections: [{ name: DB, strategy: 'auth0', enabled_clients: ['Dictionary SPA'], options: { password_dictionary: { enable: true, dictionary: ['Discovery-One'] }, password_history: { enable: true, size: 2 } } }],
      clientGrants: [adminGrant(['read:users', 'update:users', 'create:users'])],
      users: [{ connection: DB, email: EMAIL, password: FIRST }],
    },
  });
});
afterEach(async () => t.app.close());

const signup = (email: string, password: string) => post(t.app, '/dbconnections/signup', { client_id: CLIENT, connection: DB, email, password });
const logsIn = async (password: string) => (await token(t.app, { grant_type: PASSWORD_REALM, client_id: CLIENT, realm: DB, username: EMAIL, password, scope: 'openid' })).statusCode === 200;

describe('password_dictionary', () => {
  it("refuses a common password and the tenant's own words at sign-up, in Auth0's envelope", async () => {
    const tooCommon = { name: 'PasswordDictionaryError', message: 'Password is too common', code: 'invalid_password', description: 'Password is not allowed, it might be too common.', statusCode: 400 };
    for (const password of ['letmein', 'SUNSHINE', 'discovery-one']) {
      const refused = await signup('dave@example.com', password);
      expect(refused.statusCode, password).toBe(400);
      expect(refused.json(), password).toEqual(tooCommon);
    }
    expect((await signup('dave@example.com', 'Pod-bay-doors-42')).statusCode).toBe(200);
  });

  it('the Management API refuses it too', async () => {
    const admin = { authorization: `Bearer ${await machineToken(t.app, t.issuer)}` };
    const created = await t.app.inject({ method: 'POST', url: '/api/v2/users', headers: admin, payload: { connection: DB, email: 'frank@example.com', password: 'password1' } });
    expect(created.statusCode).toBe(400);
    expect(created.json().message).toBe('PasswordDictionaryError: Password is too common');
  });
});

describe('password_history', () => {
  async function resetTo(password: string): Promise<{ status: number; alert: string | undefined }> {
    await post(t.app, '/dbconnections/change_password', { client_id: CLIENT, connection: DB, email: EMAIL });
    const link = new URL(String((await latestMessage(t.app, EMAIL)).link));
    const ticket = link.searchParams.get('ticket')!;
    const answer = await t.app.inject({ method: 'POST', url: link.pathname, payload: { ticket, password, 're-enter-password': password } });
    return { status: answer.statusCode, alert: answer.statusCode === 200 ? undefined : alertText(answer.body) };
  }

  it('the reset screen refuses the current password and the one before it (size 2), not older ones', async () => {
    expect(await resetTo(FIRST)).toEqual({ status: 400, alert: 'Password has previously been used' });
    expect(await resetTo('Second-monolith-2')).toEqual({ status: 200, alert: undefined });
    expect(await logsIn('Second-monolith-2')).toBe(true);
    // FIRST is now the password before the current one: still within the last 2.
    expect(await resetTo(FIRST)).toEqual({ status: 400, alert: 'Password has previously been used' });
    expect(await resetTo('Third-monolith-3')).toEqual({ status: 200, alert: undefined });
    // Three passwords on, FIRST has left the history.
    expect(await resetTo(FIRST)).toEqual({ status: 200, alert: undefined });
    expect(await logsIn(FIRST)).toBe(true);
    // A common one is refused on this screen in the sign-up screens' words.
    expect(await resetTo('qwerty')).toEqual({ status: 400, alert: 'The password is too common' });
  });

  it('the Management API refuses a reused password, and keeps no history in what it returns', async () => {
    const admin = { authorization: `Bearer ${await machineToken(t.app, t.issuer)}` };
    const users = await t.app.inject({ method: 'GET', url: `/api/v2/users-by-email?email=${encodeURIComponent(EMAIL)}`, headers: admin });
    const userId = String((users.json() as { user_id: string }[])[0]!.user_id);
    const patch = (password: string) => t.app.inject({ method: 'PATCH', url: `/api/v2/users/${encodeURIComponent(userId)}`, headers: admin, payload: { password, connection: DB } });
    const reused = await patch(FIRST);
    expect(reused.statusCode).toBe(400);
    expect(reused.json().message).toBe('PasswordHistoryError: Password has previously been used');
    const changed = await patch('Fresh-start-2001');
    expect(changed.statusCode).toBe(200);
    expect(Object.keys(changed.json() as object).some((key) => key.startsWith('password'))).toBe(false);
  });
});
