import { afterEach, describe, expect, it } from 'vitest';
import { EncryptJWT, SignJWT, decodeJwt, generateKeyPair } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';
import { CALLBACK, SPA, authorizeUrl, latestMessage, passwordlessLogin, pkcePair } from '../support/flows.js';
import { postChallenge, reachChallenge, startLogin, tokensFor, verifyJwt } from '../support/screens.js';
import { tenantWith } from '../support/api.js';

const HOUR = 3_600_000;

describe('SSO sessions, silent authentication and logout', () => {
  let t: TestApp;
  afterEach(() => t.app.close());
  const setup = async (options: Parameters<typeof buildTestApp>[0] = {}) => {
    t = await buildTestApp(options);
  };

  /** GET /authorize for the SPA in a browser, PKCE included; returns the response and the verifier. */
  async function authorize(browser: Browser, params: Record<string, string> = {}): Promise<{ response: LightMyRequestResponse; verifier: string }> {
    const { verifier, challenge } = pkcePair();
    const response = await browser.get(
      authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid email', state: 'st-1', code_challenge: challenge, code_challenge_method: 'S256', ...params }),
    );
    return { response, verifier };
  }
  const silent = (browser: Browser, params: Record<string, string> = {}) => authorize(browser, { prompt: 'none', ...params });
  const callbackParams = (response: LightMyRequestResponse): URLSearchParams => {
    expect(response.statusCode, response.body).toBe(302);
    const location = new URL(String(response.headers.location));
    expect(location.origin + location.pathname).toBe(CALLBACK);
    return location.searchParams;
  };
  const loggedIn = async (identifier = 'jane@example.com') => passwordlessLogin(t.app, { identifier });
  const setCookies = (response: LightMyRequestResponse): string[] => [response.headers['set-cookie'] ?? []].flat().map(String);
  /** The JSON the web_message page posts, and the target origin it posts to. */
  const webMessage = (html: string): { origin: unknown; message: any } => ({
    origin: JSON.parse(/var targetOrigin = (.*);/.exec(html)![1]!),
    message: JSON.parse(/var authorizationResponse = (.*);/.exec(html)![1]!),
  });

  describe('/authorize with a session', () => {
    it('skips the screens on a second /authorize and redirects straight to the callback with a code', async () => {
      await setup();
      const { browser } = await loggedIn();
      const { response, verifier } = await authorize(browser);
      const params = callbackParams(response);
      expect(params.get('state')).toBe('st-1');
      const tokens = await tokensFor(t.app, new URL(String(response.headers.location)), verifier);
      expect(decodeJwt(tokens.id_token).email).toBe('jane@example.com');
    });

    it('shows the screens again with prompt=login', async () => {
      await setup();
      const { browser } = await loggedIn();
      const { response } = await authorize(browser, { prompt: 'login' });
      expect(response.statusCode).toBe(302);
      expect(String(response.headers.location)).toMatch(/^\/u\/login\/identifier\?state=/);
    });

    it('answers prompt=none with a code when the session is live', async () => {
      await setup();
      const { browser } = await loggedIn();
      const params = callbackParams((await silent(browser)).response);
      expect(params.get('code')).toBeTruthy();
      expect(params.get('state')).toBe('st-1');
    });

    it('answers prompt=none without a session with error=login_required, "Login required" and the state', async () => {
      await setup();
      const { response } = await silent(new Browser(t.app), { state: 'xyz' });
      expect(response.statusCode).toBe(302);
      expect(response.headers.location).toBe(`${CALLBACK}?error=login_required&error_description=Login+required&state=xyz`);
    });

    it('forces a login when the session is older than max_age, and answers login_required to prompt=none', async () => {
      await setup();
      const { browser } = await loggedIn();
      const loginTime = Math.floor(t.clock.now() / 1000);
      t.clock.advance(120_000);

      const fresh = await authorize(browser, { max_age: '300' });
      const tokens = await tokensFor(t.app, new URL(String(fresh.response.headers.location)), fresh.verifier);
      expect((await verifyJwt(t.app, tokens.id_token, t.issuer, t.clock.now(), SPA)).auth_time).toBe(loginTime);

      const tooOld = await authorize(browser, { max_age: '60' });
      expect(String(tooOld.response.headers.location)).toMatch(/^\/u\/login\/identifier\?state=/);
      const params = callbackParams((await silent(browser, { max_age: '60' })).response);
      expect(params.get('error')).toBe('login_required');
    });

    it('answers response_mode=web_message&prompt=none with a page posting the code and state to the callback origin', async () => {
      await setup();
      const { browser } = await loggedIn();
      const { response } = await silent(browser, { response_mode: 'web_message', state: 'wm-state' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      const { origin, message } = webMessage(response.body);
      expect(origin).toBe('http://localhost:3000');
      expect(message).toEqual({ type: 'authorization_response', response: { code: expect.any(String), state: 'wm-state' } });
      expect(response.body).toContain('window.opener ? window.opener : window.parent');
    });

    it('posts login_required through web_message when there is no session', async () => {
      await setup();
      const { response } = await silent(new Browser(t.app), { response_mode: 'web_message', state: 'wm-state' });
      expect(response.statusCode).toBe(200);
      expect(webMessage(response.body)).toEqual({
        origin: 'http://localhost:3000',
        message: { type: 'authorization_response', response: { error: 'login_required', error_description: 'Login required', state: 'wm-state' } },
      });
    });
  });

  describe('session lifetimes', () => {
    const shortSessions = tenantWith({ tenant: { session_lifetime: 2, idle_session_lifetime: 1 } });

    it('ends a session left idle for idle_session_lifetime hours', async () => {
      await setup({ tenant: shortSessions });
      const { browser } = await loggedIn();
      t.clock.advance(HOUR - 60_000);
      expect(callbackParams((await silent(browser)).response).get('code')).toBeTruthy();
      t.clock.advance(HOUR);
      expect(callbackParams((await silent(browser)).response).get('error')).toBe('login_required');
    });

    it('ends a session in use after session_lifetime hours', async () => {
      await setup({ tenant: shortSessions });
      const { browser } = await loggedIn();
      for (let i = 0; i < 2; i++) {
        t.clock.advance(50 * 60_000);
        expect(callbackParams((await silent(browser)).response).get('code')).toBeTruthy();
      }
      t.clock.advance(21 * 60_000);
      expect(callbackParams((await silent(browser)).response).get('error')).toBe('login_required');
    });
  });

  describe('cookies', () => {
    /** Walks the screens by hand and returns the challenge response that opens the session. */
    async function sessionResponse(browser: Browser): Promise<LightMyRequestResponse> {
      const started = await startLogin(t.app, {}, browser);
      const challenge = await reachChallenge(started, 'cookie@example.com');
      const { code } = await latestMessage(t.app, 'cookie@example.com');
      const verified = await postChallenge(started, challenge, { code });
      expect(verified.statusCode, verified.body).toBe(302);
      return verified;
    }

    it('sets auth0 HttpOnly and SameSite=Lax, without Secure or a compat twin, over http', async () => {
      await setup();
      const cookies = setCookies(await sessionResponse(new Browser(t.app)));
      const auth0 = cookies.find((c) => c.startsWith('auth0='));
      expect(auth0).toMatch(/; HttpOnly/);
      expect(auth0).toMatch(/; SameSite=Lax/);
      expect(auth0).not.toMatch(/Secure/);
      expect(cookies.some((c) => c.startsWith('auth0_compat='))).toBe(false);
    });

    it('sets auth0 SameSite=None; Secure and an auth0_compat twin with an https issuer, and either one keeps the session', async () => {
      await setup({ issuer: 'https://understudy.test/' });
      const browser = new Browser(t.app, 'https://understudy.test');
      const cookies = setCookies(await sessionResponse(browser));
      const auth0 = cookies.find((c) => c.startsWith('auth0='));
      const compat = cookies.find((c) => c.startsWith('auth0_compat='));
      expect(auth0).toMatch(/; HttpOnly/);
      expect(auth0).toMatch(/; Secure/);
      expect(auth0).toMatch(/; SameSite=None/);
      expect(compat).toMatch(/; HttpOnly/);
      expect(compat).toMatch(/; Secure/);
      expect(compat).not.toMatch(/SameSite/);
      expect(compat?.split(';')[0]?.split('=')[1]).toBe(auth0?.split(';')[0]?.split('=')[1]);

      // A browser that drops SameSite=None cookies still sends the twin.
      browser.cookies.delete('auth0');
      expect(callbackParams((await silent(browser)).response).get('code')).toBeTruthy();
    });
  });

  describe('GET /v2/logout', () => {
    it('redirects to an allowed returnTo, clears the cookie and ends the session', async () => {
      await setup();
      const { browser } = await loggedIn();
      const stolenCookie = browser.cookies.get('auth0')!;
      const response = await browser.get('/v2/logout?client_id=understudy-spa&returnTo=http%3A%2F%2Flocalhost%3A3000');
      expect(response.statusCode).toBe(302);
      expect(response.headers.location).toBe('http://localhost:3000');
      expect(setCookies(response).find((c) => c.startsWith('auth0='))).toMatch(/^auth0=;.*Expires=Thu, 01 Jan 1970/);
      expect(browser.cookies.has('auth0')).toBe(false);
      expect(callbackParams((await silent(browser)).response).get('error')).toBe('login_required');

      // The old cookie value is worthless too: the session ended on the server.
      browser.cookies.set('auth0', stolenCookie);
      expect(callbackParams((await silent(browser)).response).get('error')).toBe('login_required');
    });

    it('refuses a returnTo that is not allowed with a 400 page naming it and no redirect', async () => {
      await setup();
      const response = await t.app.inject('/v2/logout?client_id=understudy-spa&returnTo=https%3A%2F%2Fevil.example%2F');
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('https://evil.example/');
    });

    it('refuses a returnTo without client_id when the tenant allows no logout URLs', async () => {
      await setup();
      const response = await t.app.inject('/v2/logout?returnTo=http%3A%2F%2Flocalhost%3A3000');
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
    });

    it('follows a returnTo without client_id that is in the tenant\'s allowed_logout_urls', async () => {
      await setup({ tenant: tenantWith({ tenant: { allowed_logout_urls: ['http://localhost:4000/bye'] } }) });
      const response = await t.app.inject('/v2/logout?returnTo=http%3A%2F%2Flocalhost%3A4000%2Fbye');
      expect(response.statusCode).toBe(302);
      expect(response.headers.location).toBe('http://localhost:4000/bye');
    });

    it('sends a client_id without returnTo to the client\'s first allowed logout URL', async () => {
      await setup();
      const response = await t.app.inject('/v2/logout?client_id=understudy-spa');
      expect(response.statusCode).toBe(302);
      expect(response.headers.location).toBe('http://localhost:3000');
    });

    it('shows a logged-out page without client_id and returnTo', async () => {
      await setup();
      const { browser } = await loggedIn();
      const response = await browser.get('/v2/logout');
      expect(response.statusCode).toBe(200);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).toContain('You are logged out');
      expect(callbackParams((await silent(browser)).response).get('error')).toBe('login_required');
    });
  });

  describe('GET /oidc/logout', () => {
    it('redirects to post_logout_redirect_uri with the state and ends the calling browser\'s session, never the one another browser\'s id_token_hint names', async () => {
      await setup();
      const { browser, callback, verifier } = await loggedIn();
      const { id_token } = await tokensFor(t.app, callback, verifier);
      // From another browser (no cookie): the hint is valid, the redirect happens, the victim's session stays.
      const query = new URLSearchParams({ id_token_hint: id_token, post_logout_redirect_uri: 'http://localhost:3000', state: 'bye-state' });
      const response = await new Browser(t.app).get(`/oidc/logout?${query}`);
      expect(response.statusCode).toBe(302);
      const location = new URL(String(response.headers.location));
      expect(location.origin).toBe('http://localhost:3000');
      expect(location.searchParams.get('state')).toBe('bye-state');
      expect(callbackParams((await silent(browser)).response).get('code')).toBeTruthy();
      // The same logout from the browser that holds the session ends it.
      expect((await browser.get(`/oidc/logout?${query}`)).statusCode).toBe(302);
      expect(callbackParams((await silent(browser)).response).get('error')).toBe('login_required');
    });

    it('refuses an id_token_hint signed by another key with 400 and no redirect', async () => {
      await setup();
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT({ sub: 'email|000000000000000000000000', aud: SPA, sid: 'x' })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
        .setIssuer(t.issuer)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
      const query = new URLSearchParams({ id_token_hint: forged, post_logout_redirect_uri: 'http://localhost:3000' });
      const response = await t.app.inject(`/oidc/logout?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
    });

    it('refuses a post_logout_redirect_uri that is not allowed with 400 and no redirect', async () => {
      await setup();
      const response = await t.app.inject('/oidc/logout?client_id=understudy-spa&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F');
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).toContain('https://evil.example/');
    });
  });

  describe('/userinfo rejects bad access tokens with 401 invalid_token', () => {
    const expectInvalidToken = (response: LightMyRequestResponse) => {
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toBe('invalid_token');
      expect(String(response.headers['www-authenticate'])).toMatch(/^Bearer .*error="invalid_token"/);
    };
    const userinfo = (accessToken: string) => t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${accessToken}` } });

    it('an expired access token (after 24 h)', async () => {
      await setup();
      const { callback, verifier } = await loggedIn();
      const { access_token } = await tokensFor(t.app, callback, verifier);
      expect((await userinfo(access_token)).statusCode).toBe(200);
      t.clock.advance(24 * HOUR + 1000);
      expectInvalidToken(await userinfo(access_token));
    });

    it('a JWT signed by another key and an opaque token sealed with another key', async () => {
      await setup();
      const { privateKey } = await generateKeyPair('RS256');
      const claims = { sub: 'email|000000000000000000000000', aud: `${t.issuer}userinfo`, scope: 'openid' };
      const signed = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).setIssuer(t.issuer).setIssuedAt().setExpirationTime('1h').sign(privateKey);
      expectInvalidToken(await userinfo(signed));
      const sealed = await new EncryptJWT(claims)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', iss: t.issuer })
        .setIssuer(t.issuer)
        .setExpirationTime('1h')
        .encrypt(new Uint8Array(32).fill(7));
      expectInvalidToken(await userinfo(sealed));
    });

    it('a garbage token', async () => {
      await setup();
      expectInvalidToken(await userinfo('garbage'));
      expectInvalidToken(await userinfo('a.b.c'));
    });
  });
});
