import { afterEach, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { defaultTenant } from '../../src/config/default-tenant.js';
import { CALLBACK, SPA, WEB, WEB_SECRET, exchangeCode, passwordlessLogin } from '../support/flows.js';
import { tokensFor, verifyJwt } from '../support/screens.js';
import { tenantWith } from '../support/api.js';

/** POST /oauth/token (bodies, client authentication, errors), claims per scope, API audiences, CORS and /userinfo. */
const API = 'https://api.example.com';
const apiTenant = { ...defaultTenant, resourceServers: [{ identifier: API, name: 'Things API', scopes: [{ value: 'read:things' }], token_lifetime: 600 }] };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('the token endpoint', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  const login = (params: Record<string, string> = {}, clientId = SPA, identifier = 'user@example.com') =>
    passwordlessLogin(t.app, { identifier, clientId, params });
  const post = (payload: string, headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/oauth/token', payload, headers });
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

  describe('bodies and client authentication', () => {
    it('accepts a JSON body', async () => {
      t = await buildTestApp();
      const { callback, verifier } = await login();
      const response = await post(
        JSON.stringify({ grant_type: 'authorization_code', client_id: SPA, code: callback.searchParams.get('code'), code_verifier: verifier, redirect_uri: CALLBACK }),
        { 'content-type': 'application/json' },
      );
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), id_token: expect.any(String) });
    });

    it('accepts client_secret_post for the confidential client understudy-web', async () => {
      t = await buildTestApp();
      const { callback, verifier } = await login({}, WEB);
      const response = await exchangeCode(t.app, { client_id: WEB, client_secret: WEB_SECRET, code: callback.searchParams.get('code')!, code_verifier: verifier });
      expect(response.statusCode, response.body).toBe(200);
      expect(decodeJwt(response.json().id_token).aud).toBe(WEB);
    });

    it('accepts client_secret_basic for understudy-web, without PKCE', async () => {
      t = await buildTestApp();
      const { callback } = await login({ code_challenge: '', code_challenge_method: '' }, WEB);
      const response = await post(form({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: CALLBACK }), {
        ...FORM, authorization: basic(WEB, WEB_SECRET),
      });
      expect(response.statusCode, response.body).toBe(200);
    });

    it('refuses a wrong secret with 401 invalid_client', async () => {
      t = await buildTestApp();
      const { callback, verifier } = await login({}, WEB);
      const code = callback.searchParams.get('code')!;
      const viaPost = await exchangeCode(t.app, { client_id: WEB, client_secret: 'wrong', code, code_verifier: verifier });
      expect(viaPost.statusCode).toBe(401);
      expect(viaPost.json().error).toBe('invalid_client');
      const viaBasic = await post(form({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: CALLBACK }), {
        ...FORM, authorization: basic(WEB, 'wrong'),
      });
      expect(viaBasic.statusCode).toBe(401);
      expect(viaBasic.json().error).toBe('invalid_client');
      // A refused caller does not burn the code.
      const right = await exchangeCode(t.app, { client_id: WEB, client_secret: WEB_SECRET, code, code_verifier: verifier });
      expect(right.statusCode, right.body).toBe(200);
    });

    it('refuses a confidential client that sends no secret with 401 invalid_client', async () => {
      t = await buildTestApp();
      const { callback, verifier } = await login({}, WEB);
      const response = await exchangeCode(t.app, { client_id: WEB, code: callback.searchParams.get('code')!, code_verifier: verifier });
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toBe('invalid_client');
    });

    it('refuses a code issued to another client', async () => {
      t = await buildTestApp();
      const { callback, verifier } = await login({}, SPA);
      const response = await exchangeCode(t.app, { client_id: WEB, client_secret: WEB_SECRET, code: callback.searchParams.get('code')!, code_verifier: verifier });
      expect(response.json().error).toBe('invalid_grant');
    });

    it('answers an unknown grant_type with unsupported_grant_type', async () => {
      t = await buildTestApp();
      const response = await post(form({ grant_type: 'urn:example:magic', client_id: SPA }), FORM);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'unsupported_grant_type' });
    });
  });

  describe('claims per scope', () => {
    const claimsFor = async (scope: string) => {
      const { callback, verifier } = await login({ scope });
      const tokens = await tokensFor(t.app, callback, verifier);
      expect(tokens.scope).toBe(scope);
      return verifyJwt(t.app, tokens.id_token, t.issuer, t.clock.now(), SPA);
    };

    it('gives openid alone no profile or email claims', async () => {
      t = await buildTestApp();
      const claims = await claimsFor('openid');
      expect(claims.sub).toMatch(/^email\|[0-9a-f]{24}$/);
      for (const claim of ['email', 'email_verified', 'name', 'nickname', 'picture', 'updated_at']) expect(claims).not.toHaveProperty(claim);
    });

    it('gives profile name, nickname, picture and updated_at, but no email', async () => {
      t = await buildTestApp();
      const claims = await claimsFor('openid profile');
      expect(claims).toMatchObject({ name: 'user@example.com', nickname: 'user', picture: expect.stringMatching(/^https:\/\//) });
      expect(Number.isNaN(Date.parse(String(claims.updated_at)))).toBe(false);
      expect(claims).not.toHaveProperty('email');
    });

    it('gives email email and email_verified, but no profile claims', async () => {
      t = await buildTestApp();
      const claims = await claimsFor('openid email');
      expect(claims).toMatchObject({ email: 'user@example.com', email_verified: true });
      expect(claims).not.toHaveProperty('name');
    });

    it('releases the same claims at /userinfo as the scope allows', async () => {
      t = await buildTestApp();
      const { callback, verifier } = await login({ scope: 'openid email' });
      const tokens = await tokensFor(t.app, callback, verifier);
      const info = await t.app.inject({ method: 'POST', url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(info.statusCode).toBe(200);
      expect(info.json()).toEqual({ sub: expect.stringMatching(/^email\|/), email: 'user@example.com', email_verified: true });
    });
  });

  describe('an API audience', () => {
    it('issues a JWT access token for the API with aud [api, userinfo], azp, scope and the API lifetime', async () => {
      t = await buildTestApp({ tenant: apiTenant });
      const { callback, verifier } = await login({ audience: API, scope: 'openid profile read:things write:nothing' });
      const tokens = await tokensFor(t.app, callback, verifier);
      expect(tokens.expires_in).toBe(600);
      expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
      const access = await verifyJwt(t.app, tokens.access_token, t.issuer, t.clock.now(), API);
      expect(access.aud).toEqual([API, `${t.issuer}userinfo`]);
      expect(access.azp).toBe(SPA);
      expect(String(access.scope).split(' ')).toContain('read:things');
      expect(String(access.scope).split(' ')).not.toContain('write:nothing');
      expect(access.exp! - access.iat!).toBe(600);
      expect(access.sub).toBe(decodeJwt(tokens.id_token).sub);

      const info = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(info.statusCode, info.body).toBe(200);
    });

    it('gives an API access token without openid only the API audience', async () => {
      t = await buildTestApp({ tenant: apiTenant });
      const { callback, verifier } = await login({ audience: API, scope: 'read:things' });
      const tokens = await tokensFor(t.app, callback, verifier);
      expect(tokens.id_token).toBeUndefined();
      expect(decodeJwt(tokens.access_token).aud).toBe(API);
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      t.app.inject({
        method: 'OPTIONS',
        url: '/oauth/token',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'auth0-client,content-type' },
      });

    it('allows a preflight with Auth0-Client from a registered web origin', async () => {
      t = await buildTestApp();
      const response = await preflight('http://localhost:3000');
      expect(response.statusCode).toBeLessThan(300);
      expect(response.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      expect(String(response.headers['access-control-allow-headers']).toLowerCase()).toContain('auth0-client');
      expect(String(response.headers['access-control-allow-methods'])).toContain('POST');
    });

    it('does not allow a preflight from an origin no client registered', async () => {
      t = await buildTestApp();
      const response = await preflight('http://evil.example');
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });

    it("a wildcard web origin (https://*.harbor.example) allows its subdomains' preflights, one label deep, as Auth0 matches it", async () => {
      t = await buildTestApp({ tenant: tenantWith({ clients: [{ name: 'Harbor', client_id: 'harbor', app_type: 'spa', callbacks: ['https://app.harbor.example/cb'], web_origins: ['https://*.harbor.example'] }] }) });
      expect((await preflight('https://staging.harbor.example')).headers['access-control-allow-origin']).toBe('https://staging.harbor.example');
      for (const origin of ['https://a.b.harbor.example', 'https://harbor.example', 'https://evil.example', 'http://staging.harbor.example']) {
        expect((await preflight(origin)).headers['access-control-allow-origin'], origin).toBeUndefined();
      }
    });

    it('marks a token response for a registered origin as readable by it', async () => {
      t = await buildTestApp();
      const response = await t.app.inject({
        method: 'POST', url: '/oauth/token', payload: form({ grant_type: 'authorization_code', client_id: SPA, code: 'nope' }),
        headers: { ...FORM, origin: 'http://localhost:3000' },
      });
      expect(response.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    });
  });

  describe('/userinfo', () => {
    it('answers without a token with 401 and a WWW-Authenticate challenge', async () => {
      t = await buildTestApp();
      const response = await t.app.inject('/userinfo');
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('answers a forged token with 401 invalid_token', async () => {
      t = await buildTestApp();
      const response = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: 'Bearer abc.def.ghi' } });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    });

    it('refuses an access token after its lifetime', async () => {
      t = await buildTestApp();
      const { callback, verifier } = await login();
      const tokens = await tokensFor(t.app, callback, verifier);
      t.clock.advance((tokens.expires_in + 1) * 1000);
      const response = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(response.statusCode).toBe(401);
    });
  });
});

describe('bad input never yields a 500', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  it('answers a malformed JSON body at /oauth/token with 400 {error, error_description}', async () => {
    t = await buildTestApp();
    const response = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: '{"grant_type": ', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it('answers JSON values of the wrong type at /oauth/token with 400', async () => {
    t = await buildTestApp();
    for (const payload of ['[]', '"text"', 'null', '{"grant_type": 42, "client_id": "x"}', '{"grant_type": "authorization_code", "client_id": ["a"]}']) {
      const response = await t.app.inject({ method: 'POST', url: '/oauth/token', payload, headers: { 'content-type': 'application/json' } });
      expect(response.statusCode, payload).toBe(400);
      expect(response.json(), payload).toMatchObject({ error: expect.any(String), error_description: expect.any(String) });
    }
  });

  it('answers a repeated form parameter at /oauth/token with a clear 400', async () => {
    t = await buildTestApp();
    const response = await t.app.inject({
      method: 'POST', url: '/oauth/token', payload: 'grant_type=authorization_code&client_id=understudy-spa&code=a&code=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('code') });
  });

  it('answers an unsupported content type at /oauth/token with a 4xx JSON error', async () => {
    t = await buildTestApp();
    const response = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: '<xml/>', headers: { 'content-type': 'application/xml' } });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.json()).toMatchObject({ error: expect.any(String) });
  });

  it('answers an unknown route with 404 JSON', async () => {
    t = await buildTestApp();
    const response = await t.app.inject({ method: 'GET', url: '/no/such/route', headers: { accept: 'application/json' } });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'not_found', error_description: expect.stringContaining('/no/such/route') });
  });

  it('answers screens without a transaction and a bare /authorize with an error page', async () => {
    t = await buildTestApp();
    for (const url of ['/authorize', '/u/login/identifier', '/u/login/passwordless-email-challenge?state=nope', '/authorize/resume?state=nope']) {
      const response = await t.app.inject(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type'], url).toMatch(/^text\/html/);
    }
  });

  it('answers a non-numeric wait at the dev mailbox API with 400', async () => {
    t = await buildTestApp();
    const response = await t.app.inject('/_dev/api/messages/latest?to=a@example.com&wait=soon');
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_request');
  });
});
