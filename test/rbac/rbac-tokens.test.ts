import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { exchangeCode, latestMessage, passwordlessLogin, SPA } from '../support/flows.js';
import { OTP_GRANT, post, token } from '../support/api.js';
import { verifyJwt } from '../support/screens.js';
import { BOB, JANE, ORDERS, rbacTenant } from './rbac-tenant.js';

/**
 * Access tokens under Auth0's RBAC, through real logins: with enforce_policies a user's token gets
 * only the requested API scopes they hold a permission for (OIDC scopes are left alone), and the
 * access_token_authz dialect adds a `permissions` claim with every permission the user holds for the
 * API, whatever was asked. Machine tokens keep their client grant's scopes, as permissions too.
 */
const EVERYTHING = 'openid profile email offline_access read:orders write:orders delete:orders';

describe('RBAC in access tokens', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  /** A Universal Login login by email code for `email`, its code exchanged: the verified access token's claims and the token response. */
  async function universalLogin(email: string, scope = EVERYTHING): Promise<{ claims: Record<string, unknown>; response: Record<string, any> }> {
    const { callback, verifier } = await passwordlessLogin(t.app, { identifier: email, params: { scope, audience: ORDERS } });
    const exchanged = await exchangeCode(t.app, { client_id: SPA, code: callback.searchParams.get('code')!, code_verifier: verifier });
    expect(exchanged.statusCode, exchanged.body).toBe(200);
    const response = exchanged.json();
    return { claims: await verifyJwt(t.app, response.access_token, t.issuer, t.clock.now(), ORDERS), response };
  }

  /** The passwordless OTP grant for `email`. */
  async function otpLogin(email: string, scope = EVERYTHING): Promise<{ claims: Record<string, unknown>; response: Record<string, any> }> {
    await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', email, send: 'code' });
    const { code } = await latestMessage(t.app, email);
    const issued = await token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: email, otp: code, audience: ORDERS, scope });
    expect(issued.statusCode, issued.body).toBe(200);
    const response = issued.json();
    return { claims: await verifyJwt(t.app, response.access_token, t.issuer, t.clock.now(), ORDERS), response };
  }

  const scopesOf = (claims: Record<string, unknown>) => String(claims.scope).split(' ').sort();

  it('with enforce_policies and access_token_authz, a user with the role gets exactly the role\'s permissions and a user without it gets none', async () => {
    // The Reader role holds read:orders only; the tenant file gives it to Jane, and Bob nothing.
    t = await buildTestApp({ tenant: rbacTenant({}, ['Reader']) });

    const jane = await universalLogin('jane@example.com');
    expect(jane.claims.sub).toBe(JANE);
    expect(jane.claims.permissions).toEqual(['read:orders']);
    expect(scopesOf(jane.claims)).toEqual(['email', 'offline_access', 'openid', 'profile', 'read:orders']);
    expect(jane.response.scope.split(' ').sort()).toEqual(scopesOf(jane.claims));

    const bob = await universalLogin('bob@example.com');
    expect(bob.claims.sub).toBe(BOB);
    expect(bob.claims.permissions).toEqual([]);
    expect(scopesOf(bob.claims)).toEqual(['email', 'offline_access', 'openid', 'profile']);
    // OIDC scopes are not filtered: the ID token and the refresh token are there as asked.
    expect(bob.response.id_token).toBeTruthy();
    expect(bob.response.refresh_token).toBeTruthy();
  });

  it('the same through the OTP grant, with the tenant file\'s Admin role: all three permissions, asked for or not', async () => {
    t = await buildTestApp({ tenant: rbacTenant() });
    const jane = await otpLogin('jane@example.com', 'openid read:orders');
    expect(jane.claims.permissions).toEqual(['read:orders', 'write:orders', 'delete:orders']);
    expect(scopesOf(jane.claims)).toEqual(['openid', 'read:orders']);
    const bob = await otpLogin('bob@example.com', 'openid read:orders write:orders');
    expect(bob.claims.permissions).toEqual([]);
    expect(scopesOf(bob.claims)).toEqual(['openid']);
  });

  it('a role assigned and a permission given through the Management API count from the next login; a refresh carries the permissions held then', async () => {
    t = await buildTestApp({ tenant: rbacTenant() });
    const first = await universalLogin('bob@example.com', 'openid offline_access read:orders write:orders');
    expect(first.claims.permissions).toEqual([]);
    const reader = (await t.app.deps.store.listRoles()).find((r) => r.name === 'Reader')!;
    await t.app.deps.store.assignRoles(BOB, [reader.id]);
    await t.app.deps.store.addUserPermissions(BOB, [{ resourceServerIdentifier: ORDERS, permissionName: 'delete:orders' }]);

    const refreshed = await token(t.app, { grant_type: 'refresh_token', client_id: SPA, refresh_token: first.response.refresh_token });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect((await verifyJwt(t.app, refreshed.json().access_token, t.issuer, t.clock.now(), ORDERS)).permissions).toEqual(['read:orders', 'delete:orders']);

    const next = await universalLogin('bob@example.com', 'openid read:orders write:orders');
    expect(next.claims.permissions).toEqual(['read:orders', 'delete:orders']);
    expect(scopesOf(next.claims)).toEqual(['openid', 'read:orders']);
  });

  it('without enforce_policies the requested scopes stay; access_token_authz still adds the user\'s permissions', async () => {
    t = await buildTestApp({ tenant: rbacTenant({ enforce_policies: false }) });
    const bob = await otpLogin('bob@example.com', 'openid read:orders write:orders');
    expect(scopesOf(bob.claims)).toEqual(['openid', 'read:orders', 'write:orders']);
    expect(bob.claims.permissions).toEqual([]);
  });

  it('with enforce_policies and the access_token dialect the scope is narrowed but no permissions claim is added; rfc9068_profile_authz adds it', async () => {
    t = await buildTestApp({ tenant: rbacTenant({ token_dialect: 'access_token' }) });
    const bob = await otpLogin('bob@example.com', 'openid read:orders');
    expect(scopesOf(bob.claims)).toEqual(['openid']);
    expect(bob.claims).not.toHaveProperty('permissions');
    await t.app.close();

    t = await buildTestApp({ tenant: rbacTenant({ token_dialect: 'rfc9068_profile_authz' }) });
    expect((await otpLogin('jane@example.com', 'openid')).claims.permissions).toEqual(['read:orders', 'write:orders', 'delete:orders']);
  });

  it('a machine token for an _authz API carries its client grant\'s scopes as permissions; roles are users\' only', async () => {
    t = await buildTestApp({ tenant: rbacTenant() });
    const issued = await token(t.app, { grant_type: 'client_credentials', client_id: 'orders-backend', client_secret: 'orders-backend-secret', audience: ORDERS });
    expect(issued.statusCode, issued.body).toBe(200);
    const claims = await verifyJwt(t.app, issued.json().access_token, t.issuer, t.clock.now(), ORDERS);
    expect(claims).toMatchObject({ scope: 'read:orders', permissions: ['read:orders'], gty: 'client-credentials' });
  });

  it('rolesOf gives a user\'s role names, for Actions\' event.authorization.roles', async () => {
    t = await buildTestApp({ tenant: rbacTenant() });
    expect(await t.app.deps.roles.rolesOf(JANE)).toEqual(['Admin']);
    expect(await t.app.deps.roles.rolesOf(BOB)).toEqual([]);
  });
});
