import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA, authorizeUrl, exchangeCode, latestMessage, passwordlessLogin, pkcePair } from '../support/flows.js';
import { OTP_GRANT, errorOf, post, token } from '../support/api.js';
import { writeActionsExport, type WrittenExport } from '../support/actions-export.js';
import { ADMIN_CLIENT, adminGrant, machineToken } from '../support/management.js';

/**
 * The tenant's post-login Actions, run by every way a login completes: the Universal Login screens,
 * the passwordless OTP grant and a refresh. Two bound actions, in trigger order: one that decides
 * (deny, throw, loop), one that sets claims from the event and writes metadata.
 */
const API = 'https://api.example.com/';
const GATE = `
exports.onExecutePostLogin = async (event, api) => {
  const email = event.user.email || '';
  console.log('gate saw ' + email + ' via ' + event.transaction.protocol);
  if (email.endsWith('@outsider.example')) return api.access.deny('Only crew members may sign in');
  if (email.startsWith('throw')) throw new Error('the crew directory is down');
  if (email.startsWith('loop')) { while (true) {} }
  if (email.startsWith('consent')) api.redirect.sendUserTo('https://consent.example/ask');
  api.multifactor.enable('any');
};`;
const CLAIMS = `
exports.onExecutePostLogin = async (event, api) => {
  const ns = 'https://example.com/';
  api.idToken.setCustomClaim(ns + 'connection', event.connection.name);
  api.idToken.setCustomClaim(ns + 'plan', event.user.app_metadata.plan || 'none');
  api.idToken.setCustomClaim(ns + 'client', event.client.name);
  api.idToken.setCustomClaim(ns + 'method', event.authentication.methods.map((m) => m.name).join(','));
  api.accessToken.setCustomClaim(ns + 'email', event.user.email);
  api.accessToken.setCustomClaim(ns + 'protocol', event.transaction.protocol);
  api.accessToken.setCustomClaim(ns + 'logins', event.stats.logins_count);
  api.accessToken.setCustomClaim(ns + 'env', Object.keys(process.env).length);
  if ((event.user.email || '').startsWith('upgrade')) api.user.setAppMetadata('plan', 'gold');
};`;

describe('post-login Actions', () => {
  let t: TestApp;
  let exported: WrittenExport;
  beforeAll(async () => {
    exported = writeActionsExport({
      actions: [
        { name: 'Crew gate', trigger: 'post-login', code: GATE },
        { name: 'Crew claims', trigger: 'post-login', code: CLAIMS },
      ],
      clients: [
        {
          name: 'Harbor SPA',
          client_id: SPA,
          app_type: 'spa',
          callbacks: [CALLBACK],
          web_origins: ['http://localhost:3000'],
          grant_types: ['authorization_code', 'refresh_token', OTP_GRANT],
        },
        ADMIN_CLIENT,
      ],
      grants: [adminGrant(['read:users'])],
      connections: [{ name: 'email', strategy: 'email', enabled_clients: ['Harbor SPA'] }],
      resourceServers: [{ identifier: API, name: 'Harbor API', scopes: [{ value: 'read:cargo' }], allow_offline_access: true }],
    });
    t = await buildTestApp({ tenant: exported.read(), tenantSource: exported.dir, app: { actions: { budgetMs: 1500 } } });
  });
  afterAll(async () => {
    await t.app.close();
    exported.remove();
  });

  async function screensLogin(email: string, params: Record<string, string> = {}): Promise<URL> {
    return (await passwordlessLogin(t.app, { identifier: email, params: { audience: API, scope: 'openid profile email offline_access', ...params } })).callback;
  }

  async function tokensFor(email: string): Promise<{ id: Record<string, unknown>; access: Record<string, unknown>; refresh?: string }> {
    const { callback, verifier } = await passwordlessLogin(t.app, { identifier: email, params: { audience: API, scope: 'openid profile email offline_access' } });
    const code = callback.searchParams.get('code');
    expect(code, callback.toString()).toBeTruthy();
    const response = await exchangeCode(t.app, { client_id: SPA, code: code!, code_verifier: verifier });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    return { id: decodeJwt(body.id_token), access: decodeJwt(body.access_token), refresh: body.refresh_token };
  }

  it('puts the claims of a Universal Login login in its ID and access tokens, from the real event', async () => {
    const { id, access } = await tokensFor('ada@crew.example');
    expect(id).toMatchObject({
      'https://example.com/connection': 'email',
      'https://example.com/plan': 'none',
      'https://example.com/client': 'Harbor SPA',
      'https://example.com/method': 'email',
    });
    expect(access).toMatchObject({
      'https://example.com/email': 'ada@crew.example',
      'https://example.com/protocol': 'oidc-basic-profile',
      'https://example.com/logins': 1,
      // The actions' process has no environment of the server's.
      'https://example.com/env': 0,
    });
    expect(id['https://example.com/email']).toBeUndefined();
  });

  it('puts them in the tokens of an OTP-grant login and of a refresh, with their protocols', async () => {
    const start = await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', send: 'code', email: 'grace@crew.example' });
    expect(start.statusCode, start.body).toBe(200);
    const { code } = await latestMessage(t.app, 'grace@crew.example');
    const granted = await token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: 'grace@crew.example', otp: code, scope: 'openid email offline_access', audience: API });
    expect(granted.statusCode, granted.body).toBe(200);
    expect(decodeJwt(granted.json().id_token)).toMatchObject({ 'https://example.com/connection': 'email' });
    expect(decodeJwt(granted.json().access_token)).toMatchObject({ 'https://example.com/protocol': 'oauth2-password', 'https://example.com/email': 'grace@crew.example' });

    const refreshed = await token(t.app, { grant_type: 'refresh_token', client_id: SPA, refresh_token: granted.json().refresh_token });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(decodeJwt(refreshed.json().id_token)).toMatchObject({ 'https://example.com/plan': 'none' });
    expect(decodeJwt(refreshed.json().access_token)).toMatchObject({ 'https://example.com/protocol': 'oauth2-refresh-token' });
  });

  it('sends a denied Universal Login login back to the app as access_denied with the reason, and answers a grant with 500 access_denied', async () => {
    const callback = await screensLogin('mallory@outsider.example');
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect(Object.fromEntries(callback.searchParams)).toEqual({ error: 'access_denied', error_description: 'Only crew members may sign in', state: 'client-state' });

    await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', send: 'code', email: 'eve@outsider.example' });
    const { code } = await latestMessage(t.app, 'eve@outsider.example');
    const refused = await token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: 'eve@outsider.example', otp: code, scope: 'openid' });
    expect(errorOf(refused)).toEqual({ status: 500, body: { error: 'access_denied', error_description: 'Only crew members may sign in' } });
  });

  it('writes setAppMetadata once the flow ends: the next login sees it, and so does the Management API', async () => {
    const first = await tokensFor('upgrade-lin@crew.example');
    expect(first.id['https://example.com/plan']).toBe('none');
    const second = await tokensFor('upgrade-lin@crew.example');
    expect(second.id['https://example.com/plan']).toBe('gold');
    expect(second.access['https://example.com/logins']).toBe(2);

    const admin = await machineToken(t.app, t.issuer);
    const found = await t.app.inject({ method: 'GET', url: `/api/v2/users-by-email?email=upgrade-lin%40crew.example`, headers: { authorization: `Bearer ${admin}` } });
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json()[0].app_metadata).toEqual({ plan: 'gold' });
  });

  it('fails the login of an action that throws, and of one that never ends, and then serves the next login', async () => {
    const thrown = await screensLogin('throw-kim@crew.example');
    expect(Object.fromEntries(thrown.searchParams)).toMatchObject({ error: 'access_denied', error_description: 'the crew directory is down' });

    const looped = await screensLogin('loop-kim@crew.example');
    expect(Object.fromEntries(looped.searchParams)).toMatchObject({ error: 'access_denied', error_description: 'Request to Webtask exceeded allowed execution time' });

    // The actions' process was replaced; the next login runs both actions again.
    const { id } = await tokensFor('after-the-loop@crew.example');
    expect(id['https://example.com/connection']).toBe('email');
  });

  it('runs on silent authentication (prompt=none) too, where a redirect fails as interaction_required', async () => {
    const first = await passwordlessLogin(t.app, { identifier: 'consent-cy@crew.example', params: { audience: API } });
    // Interactive: the redirect is not emulated, the login goes on.
    expect(first.callback.searchParams.get('code')).toBeTruthy();
    const { verifier, challenge } = pkcePair();
    const silent = await first.browser.get(
      authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid email', prompt: 'none', state: 'silent', code_challenge: challenge, code_challenge_method: 'S256', audience: API }),
    );
    const callback = new URL(String(silent.headers.location));
    expect(Object.fromEntries(callback.searchParams)).toMatchObject({ error: 'interaction_required', state: 'silent' });
    expect(verifier).toBeTruthy();

    const plain = await passwordlessLogin(t.app, { identifier: 'silent-sam@crew.example', params: { audience: API } });
    const again = pkcePair();
    const answered = await plain.browser.get(
      authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid email', prompt: 'none', state: 'silent', code_challenge: again.challenge, code_challenge_method: 'S256', audience: API }),
    );
    const code = new URL(String(answered.headers.location)).searchParams.get('code');
    expect(code, String(answered.headers.location)).toBeTruthy();
    const response = await exchangeCode(t.app, { client_id: SPA, code: code!, code_verifier: again.verifier });
    expect(decodeJwt(response.json().id_token)).toMatchObject({ 'https://example.com/connection': 'email' });
    expect(decodeJwt(response.json().access_token)).toMatchObject({ 'https://example.com/protocol': 'oidc-basic-profile', 'https://example.com/email': 'silent-sam@crew.example' });
  });

  it("shows the actions' console lines, and an MFA call on a tenant with no factor, in the dev Logs", async () => {
    await tokensFor('logs@crew.example');
    const response = await t.app.inject({ method: 'GET', url: '/_dev/api/action-logs' });
    expect(response.statusCode).toBe(200);
    const logs = response.json().logs as { action: string; level: string; line: string }[];
    expect(logs).toContainEqual(expect.objectContaining({ action: 'Crew gate', level: 'log', line: 'gate saw logs@crew.example via oidc-basic-profile' }));
    expect(logs).toContainEqual(expect.objectContaining({ action: 'Crew gate', level: 'notice', line: expect.stringMatching(/^api\.multifactor\.enable: the tenant enables no second factor Understudy emulates/) }));
  });
});
