import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { defaultTenant } from '../../src/config/default-tenant.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { SPA, latestMessage } from '../support/flows.js';
import { alertText } from '../support/browser.js';
import { enterIdentifier, startLogin } from '../support/screens.js';
import { OTP_GRANT, errorOf, post, token } from '../support/api.js';

/**
 * The Management API v2 subset through HTTP: client_credentials tokens for `<issuer>api/v2/`, the
 * Bearer and scope checks, and the users, clients and connections endpoints, in Auth0's error shape.
 */
const DB = 'Username-Password-Authentication';
const API = 'https://things.example.com';
const JANE_ID = 'email|a1b2c3d4e5f6a1b2c3d4e5f6';
const tenant = {
  ...defaultTenant,
  clients: [
    ...(defaultTenant.clients ?? []),
    { name: 'Reader', client_id: 'reader', client_secret: 'reader-secret', app_type: 'non_interactive' },
    { name: 'Keys Reader', client_id: 'keys', client_secret: 'keys-secret', app_type: 'non_interactive' },
    { name: 'No Grant', client_id: 'nogrant', client_secret: 'nogrant-secret', app_type: 'non_interactive' },
  ],
  clientGrants: [
    ...(defaultTenant.clientGrants ?? []),
    // Grants from an export name the real tenant's domain: the /api/v2/ path is what counts.
    { client_id: 'Reader', audience: 'https://acme.eu.auth0.com/api/v2/', scope: ['read:users'] },
    { client_id: 'keys', audience: 'https://acme.eu.auth0.com/api/v2/', scope: ['read:clients', 'read:client_keys'] },
  ],
  connections: [...(defaultTenant.connections ?? []), { name: DB, strategy: 'auth0' }],
  resourceServers: [{ identifier: API, name: 'Things', scopes: [{ value: 'read:things' }] }],
  users: [
    { connection: 'email', email: 'jane@example.com', user_id: JANE_ID, app_metadata: { roles: ['admin'] } },
    { connection: 'email', email: 'janet@example.com' },
    { connection: 'email', email: 'bob@example.com' },
    { connection: 'sms', phone_number: '+15551234567' },
  ],
};

describe('Management API v2 (/api/v2)', () => {
  let t: TestApp;
  let bearer: string;
  /** Every response body seen, to check that no password hash ever leaves the server. */
  let bodies: string[];
  beforeEach(async () => {
    t = await buildTestApp({ tenant });
    bodies = [];
    bearer = await mgmtToken('understudy-m2m', 'understudy-m2m-secret');
  });
  afterEach(() => t.app.close());

  async function mgmtToken(clientId: string, secret: string, audience = `${t.issuer}api/v2/`): Promise<string> {
    const response = await token(t.app, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().access_token;
  }

  async function api(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, auth: string | null = bearer): Promise<LightMyRequestResponse> {
    const response = await t.app.inject({
      method,
      url: `/api/v2/${url}`,
      headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    bodies.push(response.body);
    return response;
  }
  const ok = async (response: Promise<LightMyRequestResponse>, status = 200): Promise<any> => {
    const r = await response;
    expect(r.statusCode, r.body).toBe(status);
    return r.json();
  };
  const mgmtError = (r: LightMyRequestResponse) => ({ status: r.statusCode, body: r.json() });
  const emails = (users: { email?: string }[]) => users.map((u) => u.email);

  describe('tokens and authorization', () => {
    it('gives understudy-m2m a token for <issuer>api/v2/ with its granted scopes', async () => {
      const response = await token(t.app, { grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: 'understudy-m2m-secret', audience: `${t.issuer}api/v2/` });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().scope.split(' ')).toEqual(expect.arrayContaining(['read:users', 'create:users', 'update:users', 'delete:users']));
    });

    it('refuses a client without a grant with 403 access_denied and Auth0\'s client-grant text', async () => {
      const response = await token(t.app, { grant_type: 'client_credentials', client_id: 'nogrant', client_secret: 'nogrant-secret', audience: `${t.issuer}api/v2/` });
      expect(errorOf(response)).toEqual({
        status: 403,
        body: {
          error: 'access_denied',
          error_description: `Client is not authorized to access "${t.issuer}api/v2/". You need to create a "client-grant" associated to this API.`,
        },
      });
    });

    it('answers a call without a token with 401 in the Management error shape', async () => {
      const r = await api('GET', 'users', undefined, null);
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String), errorCode: expect.any(String) });
    });

    it('answers a token for another audience, or a forged one, with 401', async () => {
      const other = await mgmtToken('understudy-m2m', 'understudy-m2m-secret', API);
      expect(mgmtError(await api('GET', 'users', undefined, other))).toMatchObject({ status: 401, body: { statusCode: 401, error: 'Unauthorized' } });
      expect(mgmtError(await api('GET', 'users', undefined, 'not.a.jwt'))).toMatchObject({ status: 401, body: { statusCode: 401, error: 'Unauthorized' } });
    });

    it('answers a call whose scope the token lacks with 403 insufficient_scope', async () => {
      const reader = await mgmtToken('reader', 'reader-secret');
      expect((await api('GET', 'users', undefined, reader)).statusCode).toBe(200);
      const r = await api('POST', 'users', { connection: 'email', email: 'new@example.com' }, reader);
      expect(mgmtError(r)).toEqual({
        status: 403,
        body: { statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: create:users', errorCode: 'insufficient_scope' },
      });
    });
  });

  describe('GET /users and /users-by-email', () => {
    it('lists users as an array, or {start, limit, length, total, users} with include_totals=true', async () => {
      const list = await ok(api('GET', 'users'));
      expect(Array.isArray(list)).toBe(true);
      expect(list).toHaveLength(4);
      const totals = await ok(api('GET', 'users?include_totals=true&per_page=3'));
      expect(totals).toMatchObject({ start: 0, limit: 3, length: 3, total: 4 });
      expect(totals.users).toHaveLength(3);
    });

    it('pages with page and per_page', async () => {
      const first = await ok(api('GET', 'users?per_page=2&page=0'));
      const second = await ok(api('GET', 'users?per_page=2&page=1'));
      const third = await ok(api('GET', 'users?per_page=2&page=2&include_totals=true'));
      expect(first).toHaveLength(2);
      expect(second).toHaveLength(2);
      expect(new Set([...first, ...second].map((u: { user_id: string }) => u.user_id)).size).toBe(4);
      expect(third).toMatchObject({ start: 4, limit: 2, length: 0, total: 4, users: [] });
    });

    it('filters by connection', async () => {
      const sms = await ok(api('GET', 'users?connection=sms'));
      expect(sms.map((u: { phone_number: string }) => u.phone_number)).toEqual(['+15551234567']);
    });

    it('searches q=email:"…" exactly and q=email:jane* by prefix', async () => {
      expect(emails(await ok(api('GET', `users?q=${encodeURIComponent('email:"jane@example.com"')}`)))).toEqual(['jane@example.com']);
      expect(emails(await ok(api('GET', `users?q=${encodeURIComponent('email:jane*')}&search_engine=v3`))).sort()).toEqual(['jane@example.com', 'janet@example.com']);
      expect(await ok(api('GET', `users?q=${encodeURIComponent('phone_number:"+15551234567"')}`))).toHaveLength(1);
    });

    it('answers a q it cannot parse with 400 in the Management shape', async () => {
      const r = await api('GET', `users?q=${encodeURIComponent('favourite_colour:blue')}`);
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', errorCode: 'invalid_query_string' });
    });

    it('finds users by email, ignoring case', async () => {
      expect((await ok(api('GET', 'users-by-email?email=JANE%40example.com'))).map((u: { user_id: string }) => u.user_id)).toEqual([JANE_ID]);
      expect(await ok(api('GET', 'users-by-email?email=nobody%40example.com'))).toEqual([]);
    });
  });

  describe('GET /users/{id}', () => {
    it('reads a user by its URL-encoded id', async () => {
      const user = await ok(api('GET', `users/${encodeURIComponent(JANE_ID)}`));
      expect(user).toMatchObject({ user_id: JANE_ID, email: 'jane@example.com', app_metadata: { roles: ['admin'] } });
      expect(user.identities).toEqual([{ provider: 'email', connection: 'email', user_id: JANE_ID.slice(6), isSocial: false }]);
    });

    it('answers an unknown id with Auth0\'s inexistent_user 404', async () => {
      expect(mgmtError(await api('GET', 'users/email%7C000000000000000000000000'))).toEqual({
        status: 404,
        body: { statusCode: 404, error: 'Not Found', message: 'The user does not exist.', errorCode: 'inexistent_user' },
      });
    });
  });

  describe('POST /users', () => {
    it('creates an email user with metadata', async () => {
      const created = await ok(api('POST', 'users', { connection: 'email', email: 'New@Example.com', app_metadata: { roles: ['editor'] }, user_metadata: { theme: 'dark' } }), 201);
      expect(created).toMatchObject({ email: 'new@example.com', app_metadata: { roles: ['editor'] }, user_metadata: { theme: 'dark' }, blocked: false });
      expect(created.user_id).toMatch(/^email\|[0-9a-f]{24}$/);
      expect(await ok(api('GET', `users/${encodeURIComponent(created.user_id)}`))).toEqual(created);
    });

    it('creates an sms user', async () => {
      const created = await ok(api('POST', 'users', { connection: 'sms', phone_number: '+15557654321' }), 201);
      expect(created).toMatchObject({ phone_number: '+15557654321', identities: [{ provider: 'sms', connection: 'sms' }] });
      expect(created.user_id).toMatch(/^sms\|/);
    });

    it('creates a database user (auth0|…) whose PATCHed password logs in; no response carries the password or its hash', async () => {
      const created = await ok(api('POST', 'users', { connection: DB, email: 'db@example.com', password: 'Secret-Passw0rd!' }), 201);
      expect(created.user_id).toMatch(/^auth0\|/);
      await ok(api('GET', `users/${encodeURIComponent(created.user_id)}`));
      await ok(api('GET', 'users'));
      await ok(api('GET', 'users-by-email?email=db%40example.com'));
      await ok(api('PATCH', `users/${encodeURIComponent(created.user_id)}`, { password: 'Other-Passw0rd!' }));
      for (const body of bodies) {
        expect(body).not.toMatch(/password_hash|scrypt\$/);
        expect(body).not.toContain('Passw0rd');
      }
      // The changed password is the one that works on the password screen.
      const s = await startLogin(t.app, { connection: DB });
      expect((await enterIdentifier(s, 'db@example.com')).statusCode).toBe(302);
      const password = (value: string) => s.browser.post(`/u/login/password?state=${encodeURIComponent(s.state)}`, { state: s.state, password: value, action: 'default' });
      expect((await password('Secret-Passw0rd!')).statusCode).toBe(400);
      const accepted = await password('Other-Passw0rd!');
      expect(accepted.statusCode, accepted.body).toBe(302);
      expect(String(accepted.headers.location)).toMatch(/^\/authorize\/resume\?state=/);
    });

    it('answers a duplicate with 409', async () => {
      const r = await api('POST', 'users', { connection: 'email', email: 'jane@example.com' });
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ statusCode: 409, error: 'Conflict', message: 'The user already exists.' });
    });

    it('creates one of several concurrent database users with the same email, and answers the others 409', async () => {
      // The password hash runs on the thread pool, so the creates overlap while they hash.
      const responses = await Promise.all(Array.from({ length: 4 }, (_, i) => api('POST', 'users', { connection: DB, email: 'twice@example.com', password: `Concurrent-Passw0rd-${i}!` })));
      expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409]);
      const listed = await api('GET', 'users-by-email?email=twice%40example.com');
      expect(listed.json()).toHaveLength(1);
      expect(listed.json()[0].user_id).toBe(responses.find((r) => r.statusCode === 201)?.json().user_id);
    });

    it.each([
      ['no connection', { email: 'x@example.com' }],
      ['an unknown connection', { connection: 'nope', email: 'x@example.com' }],
      ['an email user without email', { connection: 'email' }],
      ['a database user without password', { connection: DB, email: 'x@example.com' }],
      ['app_metadata that is not an object', { connection: 'email', email: 'x@example.com', app_metadata: 'admin' }],
    ])('answers %s with 400', async (_name, body) => {
      const r = await api('POST', 'users', body);
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });

    it('answers malformed JSON with 400 in the Management shape', async () => {
      const r = await api('POST', 'users', '{"connection": "email",');
      expect(r.statusCode).toBe(400);
      expect(Object.keys(r.json()).sort()).toEqual(['error', 'errorCode', 'message', 'statusCode']);
      expect(r.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });
  });

  describe('blocked users', () => {
    beforeEach(async () => {
      await ok(api('POST', 'users', { connection: 'email', email: 'blocked@example.com', blocked: true }), 201);
    });

    it('shows the blocked message on the screens', async () => {
      const s = await startLogin(t.app, { connection: 'email' });
      const page = await enterIdentifier(s, 'blocked@example.com');
      expect(page.statusCode).toBe(401);
      expect(alertText(page.body)).toContain('Your account has been blocked');
    });

    it('refuses the OTP grant with 401 unauthorized "user is blocked"', async () => {
      expect((await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', email: 'blocked@example.com', send: 'code' })).statusCode).toBe(200);
      const { code } = await latestMessage(t.app, 'blocked@example.com');
      const r = await token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: 'blocked@example.com', otp: code, scope: 'openid' });
      expect(errorOf(r)).toEqual({ status: 401, body: { error: 'unauthorized', error_description: 'user is blocked' } });
    });
  });

  describe('PATCH and DELETE /users/{id}', () => {
    it('merges app_metadata one level deep and deletes a key set to null', async () => {
      const id = encodeURIComponent(JANE_ID);
      await ok(api('PATCH', `users/${id}`, { app_metadata: { plan: 'gold', prefs: { a: 1, b: 2 } } }));
      const patched = await ok(api('PATCH', `users/${id}`, { app_metadata: { plan: null, prefs: { c: 3 } }, user_metadata: { lang: 'fr' }, name: 'Jane D' }));
      expect(patched.app_metadata).toEqual({ roles: ['admin'], prefs: { c: 3 } });
      expect(patched.user_metadata).toEqual({ lang: 'fr' });
      expect(patched.name).toBe('Jane D');
      expect(patched.user_id).toBe(JANE_ID);
      expect(await ok(api('GET', `users/${id}`))).toEqual(patched);
    });

    it('PATCH of email moves the login: the new address logs in as the same user, the old one is a new user', async () => {
      const id = encodeURIComponent(JANE_ID);
      expect((await ok(api('PATCH', `users/${id}`, { email: 'jane.doe@example.com' }))).email).toBe('jane.doe@example.com');
      const subOf = async (email: string): Promise<string> => {
        expect((await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', email, send: 'code' })).statusCode).toBe(200);
        const { code } = await latestMessage(t.app, email);
        const r = await token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: email, otp: code, scope: 'openid' });
        expect(r.statusCode, r.body).toBe(200);
        return String(decodeJwt(r.json().id_token).sub);
      };
      expect(await subOf('jane.doe@example.com')).toBe(JANE_ID);
      expect(await subOf('jane@example.com')).not.toBe(JANE_ID);
    });

    it('refuses PATCH of email to an address another user of the connection has (400 auth0_idp_error)', async () => {
      const r = await api('PATCH', `users/${encodeURIComponent(JANE_ID)}`, { email: 'bob@example.com' });
      expect(mgmtError(r)).toEqual({
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: 'The specified new email already exists', errorCode: 'auth0_idp_error' },
      });
      expect((await ok(api('GET', `users/${encodeURIComponent(JANE_ID)}`))).email).toBe('jane@example.com');
      expect(await ok(api('GET', 'users-by-email?email=bob%40example.com'))).toHaveLength(1);
    });

    it('answers PATCH of an unknown user with 404 inexistent_user', async () => {
      expect(mgmtError(await api('PATCH', 'users/email%7Cnobody', { name: 'x' })).body.errorCode).toBe('inexistent_user');
    });

    it('DELETE answers 204, the user is gone and their refresh tokens stop working', async () => {
      expect((await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', email: 'jane@example.com', send: 'code' })).statusCode).toBe(200);
      const { code } = await latestMessage(t.app, 'jane@example.com');
      const login = await token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: 'jane@example.com', otp: code, scope: 'openid offline_access' });
      const refreshToken = login.json().refresh_token;
      expect(refreshToken).toBeTruthy();

      const deleted = await api('DELETE', `users/${encodeURIComponent(JANE_ID)}`);
      expect(deleted.statusCode).toBe(204);
      expect((await api('GET', `users/${encodeURIComponent(JANE_ID)}`)).statusCode).toBe(404);
      expect(await ok(api('GET', 'users-by-email?email=jane%40example.com'))).toEqual([]);
      const refreshed = await token(t.app, { grant_type: 'refresh_token', client_id: SPA, refresh_token: refreshToken });
      expect(refreshed.statusCode).toBe(403);
      expect(refreshed.json().error).toBe('invalid_grant');
    });
  });

  describe('GET /clients and /connections', () => {
    it('lists clients without secrets unless the token has read:client_keys', async () => {
      const clients = await ok(api('GET', 'clients'));
      expect(clients.map((c: { client_id: string }) => c.client_id)).toEqual(expect.arrayContaining(['understudy-spa', 'understudy-web', 'understudy-m2m']));
      expect(clients.some((c: Record<string, unknown>) => 'client_secret' in c)).toBe(false);
      expect(JSON.stringify(clients)).not.toContain('understudy-web-secret');

      const withKeys = await ok(api('GET', 'clients', undefined, await mgmtToken('keys', 'keys-secret')));
      expect(withKeys.find((c: { client_id: string }) => c.client_id === 'understudy-web').client_secret).toBe('understudy-web-secret');
    });

    it('wraps clients and connections in {start, limit, length, total, <key>} with include_totals=true', async () => {
      const clients = await ok(api('GET', 'clients?include_totals=true&per_page=2&page=1'));
      expect(clients).toMatchObject({ start: 2, limit: 2, length: 2, total: 6 });
      expect(clients.clients.map((c: { client_id: string }) => c.client_id)).toEqual(['understudy-m2m', 'reader']);
      const connections = await ok(api('GET', 'connections?include_totals=true&take=50'));
      expect(connections).toMatchObject({ start: 0, length: 3, total: 3 });
      expect(connections.connections.map((c: { name: string }) => c.name)).toEqual(['email', 'sms', DB]);
    });

    it('lists connections with name and strategy', async () => {
      const connections = await ok(api('GET', 'connections'));
      expect(connections.map((c: { name: string; strategy: string }) => [c.name, c.strategy])).toEqual([
        ['email', 'email'],
        ['sms', 'sms'],
        [DB, 'auth0'],
      ]);
    });
  });
});
