import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';
import { CALLBACK, authorizeUrl, exchangeCode, passwordlessLogin, pkcePair, transactionState } from '../support/flows.js';
import { OTP_GRANT, errorOf, post, token } from '../support/api.js';
import { latestMessage } from '../support/flows.js';

/**
 * What an export says about a login, Understudy does: an API's allow_offline_access, the tenant's
 * default_audience, a database connection's requires_username, enterprise connections' home-realm
 * discovery, and single sign-on kept within each client's connections. Expected values come from
 * Auth0's documentation (docs/research/auth0-tenant-settings.md §1–§5), not from Understudy's code.
 */
const ORDERS = 'https://orders.harbor.example';
const REPORTS = 'https://reports.harbor.example';
const DB = 'Harbor-Users';
const SAML = 'harbor-saml';

const tenant = {
  tenant: { friendly_name: 'Harbor', default_audience: ORDERS },
  clients: [
    { name: 'Harbor SPA', client_id: 'harbor-spa', app_type: 'spa', callbacks: [CALLBACK], grant_types: ['authorization_code', 'refresh_token', OTP_GRANT, 'http://auth0.com/oauth/grant-type/password-realm'] },
    { name: 'Harbor Admin', client_id: 'harbor-admin', app_type: 'spa', callbacks: [CALLBACK] },
    { name: 'Harbor Mail', client_id: 'harbor-mail', app_type: 'spa', callbacks: [CALLBACK] },
    { name: 'Harbor M2M', client_id: 'harbor-m2m', client_secret: 'harbor-m2m-secret', app_type: 'non_interactive' },
  ],
  connections: [
    { name: 'email', strategy: 'email', enabled_clients: ['Harbor SPA', 'Harbor Mail'] },
    { name: SAML, strategy: 'samlp', enabled_clients: ['Harbor Admin'], show_as_button: false, options: { domain_aliases: ['crew.harbor.example'], signInEndpoint: 'https://idp.example/sso', cert: 'MIIB...' } },
    { name: 'google-oauth2', strategy: 'google-oauth2', enabled_clients: ['Harbor Admin'], options: { email: true, profile: true } },
  ],
  databases: [{ name: DB, enabled_clients: ['Harbor Admin', 'Harbor SPA'], options: { requires_username: true, validation: { username: { min: 3, max: 20 } } } }],
  resourceServers: [
    { identifier: ORDERS, name: 'Orders', allow_offline_access: false, scopes: [{ value: 'read:orders' }] },
    { identifier: REPORTS, name: 'Reports', allow_offline_access: true, scopes: [{ value: 'read:reports' }] },
  ],
  users: [{ connection: DB, email: 'ada@harbor.example', username: 'Ada_L', password: 'Correct-Horse-9' }],
};

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ tenant });
});
afterAll(async () => t.app.close());

async function otpTokens(email: string, extra: Record<string, string>): Promise<{ access_token: string; scope: string; refresh_token?: string }> {
  const started = await post(t.app, '/passwordless/start', { client_id: 'harbor-spa', connection: 'email', send: 'code', email });
  expect(started.statusCode, started.body).toBe(200);
  const { code } = await latestMessage(t.app, email);
  const granted = await token(t.app, { grant_type: OTP_GRANT, client_id: 'harbor-spa', realm: 'email', username: email, otp: code, ...extra });
  expect(granted.statusCode, granted.body).toBe(200);
  return granted.json();
}

describe("an API's allow_offline_access", () => {
  it('false: offline_access is left out of the scope and no refresh token is issued', async () => {
    const tokens = await otpTokens('rin@harbor.example', { scope: 'openid offline_access read:orders', audience: ORDERS });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope.split(' ').sort()).toEqual(['openid', 'read:orders']);
  });

  it('true: the same request gets a refresh token', async () => {
    const tokens = await otpTokens('rin@harbor.example', { scope: 'openid offline_access read:reports', audience: REPORTS });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.scope.split(' ')).toContain('offline_access');
  });
});

describe("the tenant's default_audience", () => {
  it('a login that names no audience gets a JWT access token for the default API', async () => {
    const tokens = await otpTokens('kai@harbor.example', { scope: 'openid read:orders' });
    const access = decodeJwt(tokens.access_token);
    expect(access.aud).toEqual([ORDERS, `${t.issuer}userinfo`]);
    expect(access.scope).toBe('openid read:orders');
  });

  it('so does a Universal Login code, and client_credentials without an audience', async () => {
    const { callback, verifier } = await passwordlessLogin(t.app, { identifier: 'lee@harbor.example', clientId: 'harbor-spa', params: { connection: 'email' } });
    const exchanged = await exchangeCode(t.app, { client_id: 'harbor-spa', code: callback.searchParams.get('code')!, code_verifier: verifier });
    expect(exchanged.statusCode, exchanged.body).toBe(200);
    expect(decodeJwt(exchanged.json().access_token).aud).toContain(ORDERS);

    const machine = await token(t.app, { grant_type: 'client_credentials', client_id: 'harbor-m2m', client_secret: 'harbor-m2m-secret' });
    expect(machine.statusCode, machine.body).toBe(200);
    expect(decodeJwt(machine.json().access_token).aud).toBe(ORDERS);
  });
});

describe("a database connection's requires_username", () => {
  const realmGrant = (username: string, password: string) =>
    token(t.app, { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: 'harbor-spa', realm: DB, username, password, scope: 'openid' });

  it('the password-realm grant takes the username or the email', async () => {
    for (const username of ['Ada_L', 'ada_l', 'ada@harbor.example']) {
      const granted = await realmGrant(username, 'Correct-Horse-9');
      expect(granted.statusCode, `${username}: ${granted.body}`).toBe(200);
    }
    expect(errorOf(await realmGrant('Ada_L', 'wrong'))).toEqual({ status: 403, body: { error: 'invalid_grant', error_description: 'Wrong email or password.' } });
  });

  it('login-id asks for "Username or email address", and a username logs in through the password screen', async () => {
    const browser = new Browser(t.app);
    const { challenge } = pkcePair();
    const start = await browser.get(authorizeUrl({ client_id: 'harbor-admin', redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', state: 's', code_challenge: challenge, code_challenge_method: 'S256' }));
    const loginId = String(start.headers.location);
    const page = await browser.get(loginId);
    expect(page.body).toContain('Username or email address');
    expect(page.body).toMatch(/<input id="username" name="username"[^>]*type="text" autocomplete="username"/);
    const state = transactionState(loginId);
    const typed = await browser.post(loginId, { state, username: 'Ada_L', action: 'default' });
    expect(typed.statusCode, typed.body).toBe(302);
    expect(String(typed.headers.location)).toMatch(/^\/u\/login\/password\?/);
    const passwordPage = await browser.get(String(typed.headers.location));
    expect(passwordPage.body).toContain('Ada_L');
    const signedIn = await browser.post(String(typed.headers.location), { state, password: 'Correct-Horse-9', action: 'default' });
    expect(String(signedIn.headers.location)).toMatch(/^\/authorize\/resume\?/);
  });
});

describe('enterprise connections: home-realm discovery by domain_aliases', () => {
  it('an email at the alias goes to the connection (a mock of the IdP, with the email), and the login completes as that connection', async () => {
    const browser = new Browser(t.app);
    const { challenge, verifier } = pkcePair();
    const start = await browser.get(authorizeUrl({ client_id: 'harbor-admin', redirect_uri: CALLBACK, response_type: 'code', scope: 'openid email', state: 's', code_challenge: challenge, code_challenge_method: 'S256' }));
    const loginId = String(start.headers.location);
    const page = await browser.get(loginId);
    // show_as_button: false: no button for it; Google's button is there.
    expect(page.body).not.toContain(`value="${SAML}"`);
    expect(page.body).toContain('value="google-oauth2"');
    const state = transactionState(loginId);
    const typed = await browser.post(loginId, { state, username: 'Grace@Crew.Harbor.example', action: 'default' });
    expect(typed.statusCode, typed.body).toBe(302);
    const idp = String(typed.headers.location);
    expect(idp).toMatch(new RegExp(`^/u/login/social\\?.*connection=${SAML}`));
    const idpPage = await browser.get(idp);
    expect(idpPage.body).toContain('value="grace@crew.harbor.example"');
    const back = await browser.post(idp, { state, connection: SAML, email: 'grace@crew.harbor.example', name: 'Grace', action: 'default' });
    const resumed = await browser.get(String(back.headers.location));
    const callback = new URL(String(resumed.headers.location));
    const exchanged = await exchangeCode(t.app, { client_id: 'harbor-admin', code: callback.searchParams.get('code')!, code_verifier: verifier });
    expect(exchanged.statusCode, exchanged.body).toBe(200);
    expect(decodeJwt(exchanged.json().id_token).sub).toMatch(/^samlp\|/);
  });
});

describe('single sign-on stays within each client’s connections', () => {
  let browser: Browser;
  beforeAll(async () => {
    ({ browser } = await passwordlessLogin(t.app, { identifier: 'mo@harbor.example', clientId: 'harbor-spa', params: { connection: 'email' } }));
  });
  const authorize = (clientId: string, extra: Record<string, string> = {}) =>
    browser.get(authorizeUrl({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', state: 'sso', code_challenge: pkcePair().challenge, code_challenge_method: 'S256', ...extra }));

  it("a client with the session's connection enabled is answered at once", async () => {
    const silent = await authorize('harbor-mail', { prompt: 'none' });
    expect(new URL(String(silent.headers.location)).searchParams.get('code')).toEqual(expect.any(String));
  });

  it("a client without it gets the login page, and prompt=none answers login_required", async () => {
    const shown = await authorize('harbor-admin');
    expect(String(shown.headers.location)).toMatch(/^\/u\/login\/identifier\?/);
    const silent = await authorize('harbor-admin', { prompt: 'none' });
    expect(Object.fromEntries(new URL(String(silent.headers.location)).searchParams)).toMatchObject({ error: 'login_required', state: 'sso' });
  });

  it('/authorize naming another connection than the session’s gets that login', async () => {
    const shown = await authorize('harbor-spa', { connection: DB });
    expect(String(shown.headers.location)).toMatch(/^\/u\/login\/identifier\?/);
  });
});
