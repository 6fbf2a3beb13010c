import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';
import { CALLBACK, SPA, WEB, WEB_SECRET, authorizeUrl, exchangeCode, latestMessage, pkcePair } from '../support/flows.js';
import { verifyJwt } from '../support/screens.js';
import { post } from '../support/api.js';

describe('magic links: GET /passwordless/verify_redirect', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(() => t.app.close());

  /** Asks /passwordless/start for a link (understudy-web, with its secret) and returns the link's path and query. */
  async function requestLink(email: string, authParams: Record<string, unknown> = {}): Promise<string> {
    const response = await post(t.app, '/passwordless/start', {
      client_id: WEB,
      client_secret: WEB_SECRET,
      connection: 'email',
      email,
      send: 'link',
      authParams: { redirect_uri: CALLBACK, response_type: 'code', scope: 'openid profile email', state: 'link-state', ...authParams },
    });
    expect(response.statusCode, response.body).toBe(200);
    const link = new URL(String((await latestMessage(t.app, email)).link));
    expect(link.origin + '/').toBe(t.issuer);
    return link.pathname + link.search;
  }

  it('redirects to the redirect_uri with a code and the state', async () => {
    const opened = await new Browser(t.app).get(await requestLink('magic@example.com'));
    expect(opened.statusCode, opened.body).toBe(302);
    const callback = new URL(String(opened.headers.location));
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe('link-state');
  });

  it('gives a code that understudy-web exchanges with its secret and no PKCE', async () => {
    const opened = await new Browser(t.app).get(await requestLink('exchange@example.com', { nonce: 'n-123' }));
    const code = new URL(String(opened.headers.location)).searchParams.get('code')!;
    const tokens = await exchangeCode(t.app, { client_id: WEB, client_secret: WEB_SECRET, code });
    expect(tokens.statusCode, tokens.body).toBe(200);
    const claims = await verifyJwt(t.app, tokens.json().id_token, t.issuer, t.clock.now(), WEB);
    expect(claims).toMatchObject({ email: 'exchange@example.com', nonce: 'n-123' });
    expect(claims.sub).toMatch(/^email\|[0-9a-f]{24}$/);
  });

  it('gives no refresh token, even with offline_access (Auth0: refresh tokens only for OTP logins)', async () => {
    const opened = await new Browser(t.app).get(await requestLink('offline@example.com', { scope: 'openid offline_access' }));
    const code = new URL(String(opened.headers.location)).searchParams.get('code')!;
    const tokens = await exchangeCode(t.app, { client_id: WEB, client_secret: WEB_SECRET, code });
    expect(tokens.statusCode, tokens.body).toBe(200);
    expect(tokens.json().id_token).toBeTruthy();
    expect(tokens.json().refresh_token).toBeUndefined();
  });

  it('does not let a public client exchange a link code without PKCE', async () => {
    const response = await post(t.app, '/passwordless/start', {
      client_id: SPA,
      connection: 'email',
      email: 'spa.link@example.com',
      authParams: { redirect_uri: CALLBACK, response_type: 'code', scope: 'openid' },
    });
    expect(response.statusCode, response.body).toBe(200);
    const link = new URL(String((await latestMessage(t.app, 'spa.link@example.com')).link));
    const opened = await new Browser(t.app).get(link.pathname + link.search);
    const code = new URL(String(opened.headers.location)).searchParams.get('code')!;
    const tokens = await exchangeCode(t.app, { client_id: SPA, code });
    expect(tokens.statusCode).toBe(403);
    expect(tokens.json()).toEqual({ error: 'invalid_grant', error_description: 'Failed to verify code verifier' });
  });

  it('fails the second time the same link is opened, redirecting with an error and the state', async () => {
    const path = await requestLink('twice@example.com');
    const first = await new Browser(t.app).get(path);
    expect(new URL(String(first.headers.location)).searchParams.get('code')).toBeTruthy();

    const second = await new Browser(t.app).get(path);
    expect(second.statusCode).toBe(302);
    const callback = new URL(String(second.headers.location));
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect(callback.searchParams.get('code')).toBeNull();
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('link-state');
  });

  it('fails once the link has expired (180 s), naming the expiry', async () => {
    const path = await requestLink('expired@example.com');
    t.clock.advance(181_000);
    const opened = await new Browser(t.app).get(path);
    expect(opened.statusCode).toBe(302);
    const callback = new URL(String(opened.headers.location));
    expect(callback.searchParams.get('code')).toBeNull();
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('error_description')).toBe('The verification code has expired. Please try to login again.');
  });

  it('fails for a link whose verification_code was tampered with', async () => {
    const path = await requestLink('tampered@example.com');
    const url = new URL(path, t.issuer);
    const code = url.searchParams.get('verification_code')!;
    url.searchParams.set('verification_code', code === '000000' ? '111111' : '000000');
    const opened = await new Browser(t.app).get(url.pathname + url.search);
    expect(opened.statusCode).toBe(302);
    expect(new URL(String(opened.headers.location)).searchParams.get('error_description')).toBe('Wrong email or verification code.');
  });

  it('renders the error page (400, no Location) when the redirect_uri is not registered', async () => {
    const path = await requestLink('evil@example.com', { redirect_uri: 'https://evil.example/steal' });
    const opened = await new Browser(t.app).get(path);
    expect(opened.statusCode).toBe(400);
    expect(opened.headers.location).toBeUndefined();
    expect(opened.headers['content-type']).toMatch(/^text\/html/);
    expect(opened.body).toContain('https://evil.example/steal');
  });

  it('starts an SSO session: the same browser then gets a code from /authorize?prompt=none', async () => {
    const browser = new Browser(t.app);
    const opened = await browser.get(await requestLink('sso@example.com'));
    expect(opened.statusCode).toBe(302);
    expect(browser.cookies.has('auth0')).toBe(true);

    const { challenge, verifier } = pkcePair();
    const silent = await browser.get(
      authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid email', state: 's2', prompt: 'none', code_challenge: challenge, code_challenge_method: 'S256' }),
    );
    expect(silent.statusCode, silent.body).toBe(302);
    const callback = new URL(String(silent.headers.location));
    expect(callback.searchParams.get('error')).toBeNull();
    expect(callback.searchParams.get('state')).toBe('s2');
    const tokens = await exchangeCode(t.app, { client_id: SPA, code: callback.searchParams.get('code')!, code_verifier: verifier });
    expect(tokens.statusCode, tokens.body).toBe(200);
    expect((await verifyJwt(t.app, tokens.json().id_token, t.issuer, t.clock.now(), SPA)).email).toBe('sso@example.com');

    // Another browser has no session.
    const other = await new Browser(t.app).get(authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', state: 's3', prompt: 'none' }));
    expect(new URL(String(other.headers.location)).searchParams.get('error')).toBe('login_required');
  });
});
