import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { type ListeningTestApp, listeningTestApp } from '../support/app.js';
import { decodeEntities } from '../support/browser.js';
import { CALLBACK, SPA, WEB, WEB_SECRET } from '../support/flows.js';
import { writeActionsExport, type WrittenExport } from '../support/actions-export.js';

/**
 * The real `openid-client` (v6, panva) against Understudy listening on a real port: discovery,
 * PKCE S256, state, nonce, the code exchange with its strict ID token validation, and /userinfo.
 * The screens are driven over HTTP with fetch, keeping cookies as a browser would.
 */


/** A minimal browser over fetch: a cookie jar, no automatic redirects. */
class HttpBrowser {
  private readonly jar = new Map<string, string>();

  constructor(private readonly base: string) {}

  private remember(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async request(url: string | URL, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.jar.size) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(new URL(url, this.base), {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    this.remember(response);
    return response;
  }
}

function location(response: Response, base: string): URL {
  expect(response.status, `expected a redirect, got ${response.status}`).toBe(302);
  const value = response.headers.get('location');
  expect(value).toBeTruthy();
  return new URL(value!, base);
}

/**
 * Walks the Universal Login screens for `authorizationUrl` (on whichever server it names) with the
 * code from the dev mailbox and returns the last response: the redirect to the client's callback.
 */
async function screensLogin(authorizationUrl: URL, identifier: string, recipient: string): Promise<Response> {
  const issuer = `${authorizationUrl.origin}/`;
  const browser = new HttpBrowser(issuer);

  const loginId = location(await browser.request(authorizationUrl), issuer);
  expect(loginId.pathname).toBe('/u/login/identifier');
  const state = loginId.searchParams.get('state')!;

  const page = await browser.request(loginId);
  expect(page.status).toBe(200);
  await page.text();

  const challenge = location(await browser.request(loginId, { form: { state, username: identifier, action: 'default' } }), issuer);
  expect(challenge.pathname).toMatch(/^\/u\/login\/passwordless-(email|sms)-challenge$/);

  const latest = await fetch(new URL(`/_dev/api/messages/latest?${new URLSearchParams({ to: recipient })}`, issuer), { signal: AbortSignal.timeout(10_000) });
  expect(latest.status).toBe(200);
  const message = (await latest.json()) as { code: string };

  const resume = location(await browser.request(challenge, { form: { state, code: message.code, action: 'default' } }), issuer);
  expect(resume.pathname).toBe('/authorize/resume');
  return browser.request(resume);
}

describe('openid-client v6 against a listening Understudy', () => {
  let t: ListeningTestApp;
  let issuer: string;

  beforeAll(async () => {
    t = await listeningTestApp({});
    issuer = t.issuer;
  });
  afterAll(() => t?.app.close());

  const discover = (clientId: string, secret: string | undefined, auth: client.ClientAuth) =>
    client.discovery(new URL(issuer), clientId, secret, auth, { execute: [client.allowInsecureRequests] });

  const login = screensLogin;

  it('discovers the issuer with a trailing slash and Auth0 endpoints', async () => {
    const config = await discover(WEB, WEB_SECRET, client.ClientSecretPost(WEB_SECRET));
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.authorization_endpoint).toBe(`${issuer}authorize`);
    expect(metadata.token_endpoint).toBe(`${issuer}oauth/token`);
    expect(metadata.userinfo_endpoint).toBe(`${issuer}userinfo`);
    expect(metadata.jwks_uri).toBe(`${issuer}.well-known/jwks.json`);
    expect(metadata.code_challenge_methods_supported).toContain('S256');
  });

  it('confidential web client: email login, code exchange with strict ID token checks, and /userinfo', async () => {
    const config = await discover(WEB, WEB_SECRET, client.ClientSecretPost(WEB_SECRET));
    // Also verify the ID token signature against jwks_uri (openid-client skips it by default over TLS).
    client.enableNonRepudiationChecks(config);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });

    const callback = location(await login(authorizationUrl, 'Interop.User@Example.com', 'interop.user@example.com'), issuer);
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect(callback.searchParams.get('state')).toBe(state);

    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope).toBe('openid profile email');
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: issuer, aud: WEB, nonce, email: 'interop.user@example.com', email_verified: true, name: 'interop.user@example.com', nickname: 'interop.user' });
    expect(claims.sub).toMatch(/^email\|[0-9a-f]{24}$/);
    expect(claims.exp - claims.iat).toBe(36000);

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: claims.sub, email: 'interop.user@example.com', email_verified: true, nickname: 'interop.user' });
  });

  it('public SPA client (auth none): SMS login with phone claims, max_age and auth_time', async () => {
    const config = await discover(SPA, undefined, client.None());
    client.enableNonRepudiationChecks(config);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid profile phone',
      connection: 'sms',
      max_age: '3600',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });

    const callback = location(await login(authorizationUrl, '+1 (555) 123-4567', '+15551234567'), issuer);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, maxAge: 3600 });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: issuer, aud: SPA, nonce, phone_number: '+15551234567', phone_number_verified: true, name: '+15551234567' });
    expect(claims.sub).toMatch(/^sms\|[0-9a-f]{24}$/);
    expect(typeof claims.auth_time).toBe('number');
    expect(claims.email).toBeUndefined();

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: claims.sub, phone_number: '+15551234567', phone_number_verified: true });
  });

  it('form_post response mode: openid-client accepts the POSTed callback', async () => {
    const config = await discover(WEB, WEB_SECRET, client.ClientSecretBasic(WEB_SECRET));
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email',
      response_mode: 'form_post',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });

    const page = await login(authorizationUrl, 'form.post@example.com', 'form.post@example.com');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`action="${CALLBACK}"`);
    const fields = new URLSearchParams();
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.set(name!, decodeEntities(value!));
    expect(fields.get('state')).toBe(state);

    const callbackRequest = new Request(CALLBACK, { method: 'POST', body: fields, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const tokens = await client.authorizationCodeGrant(config, callbackRequest, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()).toMatchObject({ iss: issuer, aud: WEB, email: 'form.post@example.com' });
    expect(tokens.claims()?.nonce).toBeUndefined();
  });

  it('a wrong PKCE verifier fails in openid-client as invalid_grant "Failed to verify code verifier"', async () => {
    const config = await discover(SPA, undefined, client.None());
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const callback = location(await login(authorizationUrl, 'wrong.verifier@example.com', 'wrong.verifier@example.com'), issuer);

    const wrong = client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: state });
    await expect(wrong).rejects.toMatchObject({ error: 'invalid_grant', error_description: 'Failed to verify code verifier' });
  });

  it('a reused authorization code is refused after a successful exchange', async () => {
    const config = await discover(SPA, undefined, client.None());
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const callback = location(await login(authorizationUrl, 'reuse@example.com', 'reuse@example.com'), issuer);
    const first = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(first.claims()?.sub).toMatch(/^email\|/);
    await expect(client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state })).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});

describe("openid-client v6 and the tenant's post-login Actions", () => {
  let t: ListeningTestApp;
  let issuer: string;
  let exported: WrittenExport;
  const GATE = `
exports.onExecutePostLogin = async (event, api) => {
  if (!event.user.email.endsWith('@crew.example')) return api.access.deny('Only crew members may sign in');
  api.idToken.setCustomClaim('https://example.com/crew', true);
};`;

  beforeAll(async () => {
    exported = writeActionsExport({
      actions: [{ name: 'Crew only', trigger: 'post-login', code: GATE }],
      clients: [{ name: 'Crew Web', client_id: WEB, client_secret: WEB_SECRET, app_type: 'regular_web', callbacks: [CALLBACK], token_endpoint_auth_method: 'client_secret_post' }],
      connections: [{ name: 'email', strategy: 'email', enabled_clients: ['Crew Web'] }],
    });
    t = await listeningTestApp({}, () => ({ tenant: exported.read(), tenantSource: exported.dir }));
    issuer = t.issuer;
  });
  afterAll(async () => {
    await t?.app.close();
    exported?.remove();
  });

  async function authorize(identifier: string): Promise<{ config: client.Configuration; callback: URL; verifier: string; state: string; nonce: string }> {
    const config = await client.discovery(new URL(issuer), WEB, WEB_SECRET, client.ClientSecretPost(WEB_SECRET), { execute: [client.allowInsecureRequests] });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid email', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce });
    const callback = location(await screensLogin(url, identifier, identifier), issuer);
    return { config, callback, verifier, state, nonce };
  }

  it('gets the claim an action sets in the ID token it validates', async () => {
    const { config, callback, verifier, state, nonce } = await authorize('ada@crew.example');
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    expect(tokens.claims()).toMatchObject({ email: 'ada@crew.example', 'https://example.com/crew': true });
  });

  it("reaches the callback as access_denied with the action's reason, which openid-client raises", async () => {
    const { config, callback, verifier, state } = await authorize('mallory@outsider.example');
    const refused = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(client.AuthorizationResponseError);
    expect(refused).toMatchObject({ error: 'access_denied', error_description: 'Only crew members may sign in' });
  });
});
