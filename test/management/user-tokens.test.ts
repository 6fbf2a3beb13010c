import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { defaultTenant } from '../../src/config/default-tenant.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA, latestMessage } from '../support/flows.js';
import { OTP_GRANT, post, token } from '../support/api.js';
import { callbackOf, startLogin, tokensFor } from '../support/screens.js';

/**
 * A user's token never does an administrator's work. Whatever a user asks for at the Management API
 * audience (through the OTP grant or /authorize), the token carries only Auth0's `*:current_user*`
 * scopes, and the Management API lets it read, change (user_metadata only) and delete that user's own
 * record and nothing else. Administrators' tokens come from client_credentials with a client grant.
 */
const EVERY_ADMIN_SCOPE = 'read:users create:users update:users delete:users read:clients read:client_keys read:connections read:authentication_methods delete:authentication_methods';
const CURRENT_USER = 'read:current_user update:current_user_metadata delete:current_user';
const OTHER_ID = 'email|0000000000000000000000aa';
const tenant = {
  ...defaultTenant,
  users: [{ connection: 'email', email: 'other@example.com', user_id: OTHER_ID, app_metadata: { plan: 'gold' } }],
};

describe('Management API: user tokens', () => {
  let t: TestApp;
  let mgmt: string;
  beforeEach(async () => {
    t = await buildTestApp({ tenant });
    mgmt = `${t.issuer}api/v2/`;
  });
  afterEach(() => t.app.close());

  /** The passwordless OTP grant for the SPA, asking for every scope of the Management API. */
  async function otpToken(email: string, scope = `openid ${EVERY_ADMIN_SCOPE} ${CURRENT_USER}`): Promise<{ accessToken: string; scope: string; sub: string }> {
    const started = await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', email, send: 'code' });
    expect(started.statusCode, started.body).toBe(200);
    const { code } = await latestMessage(t.app, email);
    const response = await token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: email, otp: code, audience: mgmt, scope });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    return { accessToken: body.access_token, scope: body.scope, sub: String(decodeJwt(body.access_token).sub) };
  }

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, bearer: string, body?: unknown): Promise<LightMyRequestResponse> =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

  const insufficient = (response: LightMyRequestResponse) => {
    expect(response.statusCode, response.body).toBe(403);
    expect(response.json()).toMatchObject({ statusCode: 403, error: 'Forbidden', errorCode: 'insufficient_scope' });
    expect(response.json().message).toMatch(/^Insufficient scope, expected any of: /);
  };

  it('the OTP grant gives a user only the *:current_user* scopes they asked for, never an administrator\'s', async () => {
    const { accessToken, scope } = await otpToken('user@example.com');
    expect(scope.split(' ').sort()).toEqual(['delete:current_user', 'openid', 'read:current_user', 'update:current_user_metadata']);
    expect(String(decodeJwt(accessToken).scope).split(' ').sort()).toEqual(scope.split(' ').sort());
    // Asking for admin scopes only: the token has none of the Management API's.
    expect((await otpToken('user@example.com', `openid ${EVERY_ADMIN_SCOPE}`)).scope).toBe('openid');
  });

  it('every administrator route refuses a user token with 403 insufficient_scope, and nothing changes', async () => {
    const { accessToken: bearer, sub } = await otpToken('user@example.com');
    const before = (await t.app.inject({ method: 'GET', url: `/_dev/api/snapshot` })).json().users;
    const routes: [method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown][] = [
      ['GET', '/api/v2/users'],
      ['GET', '/api/v2/users?q=email:"other@example.com"'],
      ['GET', '/api/v2/users-by-email?email=other@example.com'],
      ['GET', `/api/v2/users/${OTHER_ID}`],
      ['POST', '/api/v2/users', { connection: 'email', email: 'new@example.com' }],
      ['PATCH', `/api/v2/users/${OTHER_ID}`, { user_metadata: { hacked: true } }],
      ['PATCH', `/api/v2/users/${OTHER_ID}`, { blocked: true }],
      ['DELETE', `/api/v2/users/${OTHER_ID}`],
      ['GET', `/api/v2/users/${OTHER_ID}/authentication-methods`],
      ['GET', `/api/v2/users/${sub}/authentication-methods`],
      ['DELETE', `/api/v2/users/${sub}/authentication-methods/passkey|x`],
      ['GET', '/api/v2/clients'],
      ['GET', '/api/v2/clients?include_totals=true'],
      ['GET', '/api/v2/connections'],
      ['GET', `/api/v2/user-blocks/${OTHER_ID}`],
      ['GET', `/api/v2/user-blocks/${sub}`],
      ['DELETE', `/api/v2/user-blocks/${sub}`],
      ['GET', '/api/v2/user-blocks?identifier=other@example.com'],
      ['DELETE', '/api/v2/user-blocks?identifier=other@example.com'],
      // Their own record, but fields only an administrator may change.
      ['PATCH', `/api/v2/users/${sub}`, { app_metadata: { plan: 'platinum' } }],
      ['PATCH', `/api/v2/users/${sub}`, { email: 'other@example.com' }],
      ['PATCH', `/api/v2/users/${sub}`, { blocked: false, user_metadata: { a: 1 } }],
    ];
    for (const [method, url, body] of routes) {
      const response = await api(method, url, bearer, body);
      expect(response.body, `${method} ${url}`).not.toContain('"client_secret":');
      insufficient(response);
    }
    expect((await t.app.inject({ method: 'GET', url: `/_dev/api/snapshot` })).json().users).toEqual(before);
  });

  it('a user token reads, changes the user_metadata of, and deletes its own user', async () => {
    const { accessToken: bearer, sub } = await otpToken('self@example.com');
    const own = await api('GET', `/api/v2/users/${sub}`, bearer);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ user_id: sub, email: 'self@example.com' });

    const patched = await api('PATCH', `/api/v2/users/${sub}`, bearer, { user_metadata: { theme: 'dark' } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().user_metadata).toEqual({ theme: 'dark' });

    expect((await api('DELETE', `/api/v2/users/${sub}`, bearer)).statusCode).toBe(204);
    const other = await t.app.inject({ method: 'GET', url: `/_dev/api/snapshot` });
    expect(other.json().users.map((u: { user_id: string }) => u.user_id)).toEqual([OTHER_ID]);
  });

  it('a token that names administrator scopes but was issued to a user (not client_credentials) gets none of them', async () => {
    // As tokens minted before this rule were: signed by the tenant's key, audience api/v2, every scope.
    const { accessToken } = await otpToken('old@example.com');
    const claims = decodeJwt(accessToken);
    const forged = await t.app.deps.keys.sign({ ...claims, scope: `${EVERY_ADMIN_SCOPE} ${CURRENT_USER}` });
    insufficient(await api('GET', '/api/v2/clients', forged));
    insufficient(await api('GET', '/api/v2/users', forged));
    expect((await api('GET', `/api/v2/users/${claims.sub}`, forged)).statusCode).toBe(200);
  });

  it('a machine token only has the scopes its client grant still gives', async () => {
    const m2m = await token(t.app, { grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: 'understudy-m2m-secret', audience: mgmt });
    expect(m2m.statusCode, m2m.body).toBe(200);
    const claims = decodeJwt(m2m.json().access_token);
    const widened = await t.app.deps.keys.sign({ ...claims, scope: `${claims.scope} read:client_keys` });
    const clients = await api('GET', '/api/v2/clients', widened);
    expect(clients.statusCode).toBe(200);
    expect(clients.body).not.toContain('"client_secret":');
    // A sub that is not <azp>@clients is a user's, however the token says it was made.
    const posing = await t.app.deps.keys.sign({ ...claims, sub: OTHER_ID });
    insufficient(await api('GET', '/api/v2/users', posing));
  });

  it('through /authorize (a mock social login, dev routes off, no Management client grant) a user still gets no admin scope', async () => {
    await t.app.close();
    t = await buildTestApp({
      devRoutes: false,
      tenant: {
        clients: [{ name: 'Demo App', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK] }],
        connections: [{ name: 'google-oauth2', strategy: 'google-oauth2' }],
      },
    });
    mgmt = `${t.issuer}api/v2/`;
    const s = await startLogin(t.app, { audience: mgmt, scope: `openid ${EVERY_ADMIN_SCOPE} read:current_user` });
    const consentUrl = `/u/login/social?state=${encodeURIComponent(s.state)}&connection=google-oauth2`;
    const chosen = await s.browser.post(s.location, { state: s.state, action: 'default', connection: 'google-oauth2' });
    expect(chosen.headers.location).toBe(consentUrl);
    const done = await s.browser.post(consentUrl, { state: s.state, connection: 'google-oauth2', action: 'default', email: 'pat@example.com', name: 'Pat' });
    expect(done.statusCode, done.body).toBe(302);
    const tokens = await tokensFor(t.app, callbackOf(await s.browser.get(String(done.headers.location))), s.verifier);
    expect(tokens.scope.split(' ').sort()).toEqual(['openid', 'read:current_user']);
    insufficient(await api('GET', '/api/v2/clients', tokens.access_token));
    insufficient(await api('GET', '/api/v2/users', tokens.access_token));
    const sub = String(decodeJwt(tokens.access_token).sub);
    expect((await api('GET', `/api/v2/users/${sub}`, tokens.access_token)).statusCode).toBe(200);
  });
});
