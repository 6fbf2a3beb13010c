import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, type TestApp } from '../support/app.js';
import { verifyJwt } from '../support/screens.js';
import { errorOf } from '../support/api.js';
import { writeActionsExport, type WrittenExport } from '../support/actions-export.js';

/**
 * The Resource Owner Password grants at /oauth/token, sent as Cypress's Auth0 recipe
 * (`loginByAuth0Api`) sends them: a JSON body with grant_type, username, password, audience, scope,
 * client_id and client_secret, and `realm` for the password-realm grant.
 */
const DB = 'Username-Password-Authentication';
const PASSWORD_REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const API = 'https://api.fixture.example/';
const CLIENT = { id: 'cypress-web', secret: 'cypress-web-secret' };
const PASSWORD = 'correct horse battery';
const SCOPE = 'openid profile email';
const WRONG = { status: 403, body: { error: 'invalid_grant', error_description: 'Wrong email or password.' } };
const BLOCKED_API_TEXT =
  "Your account has been blocked after multiple consecutive login attempts. We've sent you a notification via your preferred contact method with instructions on how to unblock it.";

const tenant = {
  tenant: { friendly_name: 'Fixture Tenant', default_directory: DB },
  clients: [
    {
      name: 'Cypress Web',
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      app_type: 'regular_web',
      callbacks: ['http://localhost:3000/callback'],
      grant_types: ['authorization_code', 'refresh_token', 'password', PASSWORD_REALM],
    },
    // Auth0's defaults for a new application: no password grant.
    { name: 'Default Web', client_id: 'default-web', client_secret: 'default-web-secret', app_type: 'regular_web' },
    { name: 'Other Web', client_id: 'other-web', client_secret: 'other-web-secret', app_type: 'regular_web', grant_types: [PASSWORD_REALM] },
  ],
  connections: [
    { name: DB, strategy: 'auth0', enabled_clients: ['Cypress Web', 'Default Web'] },
    { name: 'staff', strategy: 'auth0', enabled_clients: ['Other Web'] },
    { name: 'email', strategy: 'email', enabled_clients: ['Cypress Web'] },
  ],
  resourceServers: [{ identifier: API, name: 'Fixture API', scopes: [{ value: 'read:orders' }, { value: 'write:orders' }] }],
  users: [
    { connection: DB, email: 'dana@example.com', user_id: 'auth0|dana-1', name: 'Dana Scully', password: PASSWORD },
    { connection: DB, email: 'blocked@example.com', user_id: 'auth0|blocked-1', password: PASSWORD, blocked: true },
  ],
};

/** POST /oauth/token as cy.request sends an object body: JSON, from the given address. */
function tokenRequest(app: FastifyInstance, body: Record<string, unknown>, ip = '10.9.0.1') {
  return app.inject({ method: 'POST', url: '/oauth/token', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' }, remoteAddress: ip });
}

/** The body of Cypress's loginByAuth0Api, password-realm variant. */
const loginByAuth0Api = (username: string, password: string, extra: Record<string, unknown> = {}) => ({
  grant_type: PASSWORD_REALM,
  realm: DB,
  username,
  password,
  audience: API,
  scope: SCOPE,
  client_id: CLIENT.id,
  client_secret: CLIENT.secret,
  ...extra,
});

describe('POST /oauth/token with the password grants', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({ tenant });
  });
  afterEach(() => t.app.close());

  it('logs in a request shaped like Cypress loginByAuth0Api (password-realm): an access token for the API and an ID token of the user', async () => {
    const response = await tokenRequest(t.app, loginByAuth0Api('dana@example.com', PASSWORD));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 86400 });
    expect(body.refresh_token).toBeUndefined();

    const claims = await verifyJwt(t.app, body.id_token, t.issuer, t.clock.now(), CLIENT.id);
    expect(claims).toMatchObject({ sub: 'auth0|dana-1', email: 'dana@example.com', name: 'Dana Scully', nickname: 'dana', aud: CLIENT.id });
    expect('nonce' in claims).toBe(false);

    const access = decodeJwt(body.access_token);
    expect(access).toMatchObject({ sub: 'auth0|dana-1', azp: CLIENT.id, aud: [API, `${t.issuer}userinfo`] });
    // A password grant that names none of the API's scopes gets them all, as Auth0 grants them.
    expect(String(access.scope).split(' ').sort()).toEqual(['email', 'openid', 'profile', 'read:orders', 'write:orders']);
    const userinfo = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${body.access_token}` } });
    expect(userinfo.json()).toMatchObject({ sub: 'auth0|dana-1', email: 'dana@example.com' });
  });

  it('logs in grant_type=password (Cypress docs recipe) on the tenant default_directory, and counts the login', async () => {
    const { realm: _realm, ...body } = loginByAuth0Api('Dana@Example.com', PASSWORD, { grant_type: 'password', scope: 'openid email read:orders' });
    const response = await tokenRequest(t.app, body);
    expect(response.statusCode, response.body).toBe(200);
    expect(decodeJwt(response.json().access_token).scope).toBe('openid email read:orders');
    expect(decodeJwt(response.json().id_token).sub).toBe('auth0|dana-1');
    expect((await t.app.deps.store.getUser('auth0|dana-1'))?.logins_count).toBe(1);
  });

  it('a form body works too, and offline_access brings a refresh token', async () => {
    const form = new URLSearchParams({ ...loginByAuth0Api('dana@example.com', PASSWORD), scope: 'openid offline_access' } as Record<string, string>);
    const response = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.statusCode, response.body).toBe(200);
    expect(typeof response.json().refresh_token).toBe('string');
  });

  it('refuses a wrong password and an unknown user alike: 403 invalid_grant "Wrong email or password."', async () => {
    expect(errorOf(await tokenRequest(t.app, loginByAuth0Api('dana@example.com', 'incorrect horse')))).toEqual(WRONG);
    expect(errorOf(await tokenRequest(t.app, loginByAuth0Api('nobody@example.com', PASSWORD)))).toEqual(WRONG);
    expect(errorOf(await tokenRequest(t.app, loginByAuth0Api('not an email', PASSWORD)))).toEqual(WRONG);
  });

  it('refuses a wrong realm with the errors Auth0 gives every grant', async () => {
    const notFound = { status: 400, body: { error: 'invalid_request', error_description: 'the connection was not found' } };
    expect(errorOf(await tokenRequest(t.app, loginByAuth0Api('dana@example.com', PASSWORD, { realm: 'no-such-db' })))).toEqual(notFound);
    const disabled = { status: 400, body: { error: 'invalid_request', error_description: 'the connection was disabled' } };
    expect(errorOf(await tokenRequest(t.app, loginByAuth0Api('dana@example.com', PASSWORD, { realm: 'staff' })))).toEqual(disabled);
    const notDatabase = { status: 400, body: { error: 'invalid_request', error_description: 'specified strategy does not support requested operation' } };
    expect(errorOf(await tokenRequest(t.app, loginByAuth0Api('dana@example.com', PASSWORD, { realm: 'email' })))).toEqual(notDatabase);
    expect(errorOf(await tokenRequest(t.app, loginByAuth0Api('dana@example.com', PASSWORD, { realm: undefined })))).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'Missing required parameter: realm' },
    });
  });

  it('refuses a client whose grant_types lack the grant (as Auth0 applications are created), and an unknown audience', async () => {
    const defaults = loginByAuth0Api('dana@example.com', PASSWORD, { client_id: 'default-web', client_secret: 'default-web-secret' });
    expect(errorOf(await tokenRequest(t.app, defaults))).toEqual({
      status: 403,
      body: { error: 'unauthorized_client', error_description: `Grant type '${PASSWORD_REALM}' not allowed for the client.` },
    });
    expect(errorOf(await tokenRequest(t.app, { ...defaults, grant_type: 'password', realm: undefined }))).toEqual({
      status: 403,
      body: { error: 'unauthorized_client', error_description: "Grant type 'password' not allowed for the client." },
    });
    expect(errorOf(await tokenRequest(t.app, loginByAuth0Api('dana@example.com', PASSWORD, { audience: 'https://nope.example/' })))).toEqual({
      status: 403,
      body: { error: 'access_denied', error_description: 'Service not found: https://nope.example/' },
    });
  });

  it('refuses a blocked user with 401 "user is blocked", the right password or not counted as no login', async () => {
    expect(errorOf(await tokenRequest(t.app, loginByAuth0Api('blocked@example.com', PASSWORD)))).toEqual({
      status: 401,
      body: { error: 'unauthorized', error_description: 'user is blocked' },
    });
    expect((await t.app.deps.store.getUser('auth0|blocked-1'))?.logins_count).toBe(0);
  });

  it('blocks an identifier from an address after 10 wrong passwords (429 too_many_attempts), the right one included; other addresses still log in', async () => {
    for (let i = 1; i <= 10; i++) {
      expect(errorOf(await tokenRequest(t.app, loginByAuth0Api('dana@example.com', `guess-${i}`), '10.9.1.1')), `attempt ${i}`).toEqual(WRONG);
    }
    const blocked = { status: 429, body: { error: 'too_many_attempts', error_description: BLOCKED_API_TEXT } };
    expect(errorOf(await tokenRequest(t.app, loginByAuth0Api('dana@example.com', PASSWORD), '10.9.1.1'))).toEqual(blocked);
    // The same block as the password screen's: both grants, one guard.
    expect(errorOf(await tokenRequest(t.app, { ...loginByAuth0Api('dana@example.com', PASSWORD), grant_type: 'password', realm: undefined }, '10.9.1.1'))).toEqual(blocked);
    expect((await tokenRequest(t.app, loginByAuth0Api('dana@example.com', PASSWORD), '10.9.1.2')).statusCode).toBe(200);
    expect(t.app.deps.bruteForce.blocksFor('dana@example.com')).toEqual([{ connection: DB, identifier: 'dana@example.com', ip: '10.9.1.1' }]);
  });

  it('without a default_directory, grant_type=password answers Auth0 server_error', async () => {
    await t.app.close();
    t = await buildTestApp({ tenant: { ...tenant, tenant: { friendly_name: 'No Directory' } } });
    const { realm: _realm, ...body } = loginByAuth0Api('dana@example.com', PASSWORD, { grant_type: 'password' });
    expect(errorOf(await tokenRequest(t.app, body))).toEqual({
      status: 500,
      body: { error: 'server_error', error_description: 'Authorization server not configured with default connection.' },
    });
    // password-realm names its connection, so it needs no default.
    expect((await tokenRequest(t.app, loginByAuth0Api('dana@example.com', PASSWORD))).statusCode).toBe(200);
  });
});

describe('the password grant ends its login through post-login Actions', () => {
  let t: TestApp;
  let exported: WrittenExport;
  const CLAIMS = `
exports.onExecutePostLogin = async (event, api) => {
  if (event.user.email === 'denied@example.com') return api.access.deny('No fixtures for you');
  api.idToken.setCustomClaim('https://fixture.example/protocol', event.transaction.protocol);
  api.idToken.setCustomClaim('https://fixture.example/method', event.authentication.methods.map((m) => m.name).join(','));
  api.accessToken.setCustomClaim('https://fixture.example/logins', event.stats.logins_count);
};`;
  beforeAll(async () => {
    exported = writeActionsExport({
      actions: [{ name: 'Fixture claims', trigger: 'post-login', code: CLAIMS }],
      clients: [tenant.clients[0]!],
      connections: [{ name: DB, strategy: 'auth0', enabled_clients: ['Cypress Web'] }],
      resourceServers: tenant.resourceServers,
    });
    const raw = exported.read() as Record<string, unknown>;
    const users = [
      { connection: DB, email: 'dana@example.com', user_id: 'auth0|dana-1', password: PASSWORD },
      { connection: DB, email: 'denied@example.com', user_id: 'auth0|denied-1', password: PASSWORD },
    ];
    t = await buildTestApp({ tenant: { ...raw, users }, tenantSource: exported.dir });
  });
  afterAll(async () => {
    await t.app.close();
    exported.remove();
  });

  it("puts the action's claims in the tokens, with protocol oauth2-password and method pwd", async () => {
    const response = await tokenRequest(t.app, loginByAuth0Api('dana@example.com', PASSWORD));
    expect(response.statusCode, response.body).toBe(200);
    expect(decodeJwt(response.json().id_token)).toMatchObject({
      'https://fixture.example/protocol': 'oauth2-password',
      'https://fixture.example/method': 'pwd',
    });
    expect(decodeJwt(response.json().access_token)['https://fixture.example/logins']).toBe(1);
  });

  it("answers the action's denial as Auth0 does at the token endpoint: 500 access_denied", async () => {
    expect(errorOf(await tokenRequest(t.app, loginByAuth0Api('denied@example.com', PASSWORD)))).toEqual({
      status: 500,
      body: { error: 'access_denied', error_description: 'No fixtures for you' },
    });
  });
});
