import { describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import type * as SpaV2 from '@auth0/auth0-spa-js';
import type * as SpaV1 from 'auth0-spa-js-v1';
import { browserPerTest } from '../support/chromium.js';
import {
  CLIENT_ID,
  CLIENT_ID_NO_WEB_ORIGINS,
  SDK_V1,
  SDK_V2,
  at,
  completePasswordlessScreens,
  startConformanceEnv,
  uniqueEmail,
  type ConformanceEnv,
} from '../support/spa-harness.js';

/**
 * auth0-spa-js, both lines (the newest 2.x and the newest 1.x), unmodified in real Chromium against a
 * listening Understudy: the published browser bundle on a static page at http://localhost:<appPort>,
 * Understudy as its `domain` at http://localhost:<port>. The tests call the SDK's API in the page as
 * an app does and drive Understudy's screens as a user does.
 */

/** What the app pages put on `window`: the UMD globals, and the client the test created. */
interface AppWindow {
  auth0: typeof SpaV2;
  /** v1 UMD: `window.createAuth0Client` (the default export). */
  createAuth0Client: (options: SpaV1.Auth0ClientOptions) => Promise<SpaV1.Auth0Client>;
  spa: SpaV2.Auth0Client;
  spa1: SpaV1.Auth0Client;
}

interface SdkErrorShape {
  error?: string;
  error_description?: string;
  message?: string;
}

const TEST_TIMEOUT = 90_000;
const PHONE = '+15551234567';

let browser: Browser;
let env: ConformanceEnv;
let context: BrowserContext;
let page: Page;

browserPerTest(startConformanceEnv, (session) => ({ browser, env, context, page } = session));

const isAuthorize = (request: Request, params: Record<string, string>): boolean => {
  const url = new URL(request.url());
  if (url.origin !== env.domain || url.pathname !== '/authorize') return false;
  return Object.entries(params).every(([k, v]) => url.searchParams.get(k) === v);
};

const isTokenRequest = (request: Request, grantType: string): boolean =>
  request.method() === 'POST' &&
  request.url() === `${env.domain}/oauth/token` &&
  new URLSearchParams(request.postData() ?? '').get('grant_type') === grantType;

/** The access token is one Understudy's /userinfo accepts, for the user the SDK reports. */
async function userinfo(accessToken: string | undefined): Promise<Record<string, unknown>> {
  expect(typeof accessToken).toBe('string');
  const response = await fetch(`${env.domain}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

function cookieNames(cookies: { name: string }[]): string[] {
  return cookies.map((c) => c.name);
}

/** The options as the SDK's createAuth0Client overloads take them without DPoP (refreshTokenMode "offline", the default). */
type V2Options = SpaV2.Auth0ClientOptions & { refreshTokenMode?: 'offline' };

describe(`${SDK_V2.label} (v2 API)`, () => {
  const v2Options = (authorizationParams: SpaV2.AuthorizationParams = {}, extra: Partial<V2Options> = {}): V2Options => ({
    domain: env.domain,
    clientId: CLIENT_ID,
    authorizationParams: { redirect_uri: `${env.appOrigin}/v2/callback`, connection: 'email', ...authorizationParams },
    ...extra,
  });

  /** loginWithRedirect → screens → back on /v2/callback → handleRedirectCallback; the client stays on window.spa. */
  async function loginWithRedirect(options: V2Options, identifier: string) {
    await page.goto(`${env.appOrigin}/v2/`);
    const authorize = page.waitForRequest((r) => isAuthorize(r, { client_id: options.clientId, response_type: 'code', response_mode: 'query' }));
    await page.evaluate(async (opts) => {
      const w = window as unknown as AppWindow;
      const client = await w.auth0.createAuth0Client(opts);
      void client.loginWithRedirect({ appState: { returnTo: '/v2/profile' } });
    }, options);
    const authorizeUrl = new URL((await authorize).url());
    await completePasswordlessScreens(page, env.domain, identifier);
    await page.waitForURL(at(env.appOrigin, '/v2/callback'));
    const callback = new URL(page.url());
    const result = await page.evaluate(async (opts) => {
      const w = window as unknown as AppWindow;
      w.spa = await w.auth0.createAuth0Client(opts);
      const { appState } = await w.spa.handleRedirectCallback();
      return {
        appState: appState as unknown,
        user: await w.spa.getUser(),
        token: await w.spa.getTokenSilently(),
        authenticated: await w.spa.isAuthenticated(),
      };
    }, options);
    return { ...result, authorizeUrl, callback };
  }

  test(`${SDK_V2.label}: loginWithRedirect → email code → handleRedirectCallback → getUser / getTokenSilently`, async () => {
    const email = uniqueEmail('v2-redirect');
    const { authorizeUrl, callback, user, token, appState, authenticated } = await loginWithRedirect(v2Options(), email);

    // What the SDK sent: the v2 authorizationParams, PKCE, its own state and nonce.
    expect(authorizeUrl.searchParams.get('connection')).toBe('email');
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`${env.appOrigin}/v2/callback`);
    // What came back: code and the SDK's state byte for byte, in the query.
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe(authorizeUrl.searchParams.get('state'));

    expect(appState).toEqual({ returnTo: '/v2/profile' });
    expect(authenticated).toBe(true);
    expect(user).toMatchObject({ email, email_verified: true, name: email, nickname: email.split('@')[0] });
    expect(user?.sub).toMatch(/^email\|/);
    expect(typeof token).toBe('string');
    expect(await userinfo(token)).toMatchObject({ sub: user?.sub, email });
    // The SDK's own first-party hint cookie that later page loads use for checkSession.
    expect(cookieNames(await context.cookies(env.appOrigin))).toContain(`auth0.${CLIENT_ID}.is.authenticated`);
  }, TEST_TIMEOUT);

  test(`${SDK_V2.label}: silent authentication through the hidden iframe (web_message, prompt=none) and checkSession after a new page load`, async () => {
    const email = uniqueEmail('v2-silent');
    const first = await loginWithRedirect(v2Options(), email);

    // A new page load: the in-memory cache is gone; only Understudy's session cookie remains.
    await page.goto(`${env.appOrigin}/v2/`);
    const silent = page.waitForRequest((r) => isAuthorize(r, { prompt: 'none', response_mode: 'web_message' }));
    const exchanged = page.waitForRequest((r) => isTokenRequest(r, 'authorization_code'));
    const afterSilent = await page.evaluate(async (opts) => {
      const w = window as unknown as AppWindow;
      // The constructor, not createAuth0Client, so that getTokenSilently (not checkSession) is what runs the iframe.
      w.spa = new w.auth0.Auth0Client({ ...opts, cacheLocation: 'memory' });
      const before = await w.spa.getUser();
      const token = await w.spa.getTokenSilently();
      return { before: before ?? null, token, user: await w.spa.getUser() };
    }, v2Options());
    const silentRequest = await silent;
    const silentUrl = new URL(silentRequest.url());
    expect(silentUrl.searchParams.get('redirect_uri')).toBe(`${env.appOrigin}/v2/callback`);
    // Answered at once from the SSO session with the web_message page, never cached.
    const silentResponse = await silentRequest.response();
    expect(silentResponse?.status()).toBe(200);
    expect(silentResponse?.headers()['cache-control']).toContain('no-store');
    await exchanged;
    expect(afterSilent.before).toBeNull();
    expect(afterSilent.token).not.toBe(first.token);
    expect(afterSilent.user).toMatchObject({ email, sub: first.user?.sub });
    expect(await userinfo(afterSilent.token)).toMatchObject({ email });

    // Another page load: createAuth0Client runs checkSession, which sees the SDK's is.authenticated cookie.
    await page.goto(`${env.appOrigin}/v2/`);
    const checkSessionIframe = page.waitForRequest((r) => isAuthorize(r, { prompt: 'none', response_mode: 'web_message' }));
    const afterCheck = await page.evaluate(async (opts) => {
      const w = window as unknown as AppWindow;
      w.spa = new w.auth0.Auth0Client(opts);
      await w.spa.checkSession();
      return { authenticated: await w.spa.isAuthenticated(), user: await w.spa.getUser() };
    }, v2Options());
    await checkSessionIframe;
    expect(afterCheck.authenticated).toBe(true);
    expect(afterCheck.user).toMatchObject({ email });
  }, TEST_TIMEOUT);

  test(`${SDK_V2.label}: useRefreshTokens + offline_access refreshes through /oauth/token (grant_type=refresh_token, rotating)`, async () => {
    const email = uniqueEmail('v2-refresh');
    const options = v2Options({ scope: 'openid profile email offline_access' }, { useRefreshTokens: true });
    const first = await loginWithRedirect(options, email);
    expect(first.user).toMatchObject({ email });

    const refresh = async (): Promise<{ request: Request; token: string | undefined; user: SpaV2.User | undefined }> => {
      const request = page.context().waitForEvent('request', (r) => isTokenRequest(r, 'refresh_token'));
      const result = await page.evaluate(async () => {
        const w = window as unknown as AppWindow;
        const token = await w.spa.getTokenSilently({ cacheMode: 'off' });
        return { token, user: await w.spa.getUser() };
      });
      return { request: await request, ...result };
    };

    const second = await refresh();
    const firstRefreshToken = new URLSearchParams(second.request.postData() ?? '').get('refresh_token');
    expect(firstRefreshToken).toBeTruthy();
    // The SDK (here in its Web Worker) sends its telemetry header, so CORS must have allowed it.
    expect(await second.request.headerValue('auth0-client')).toBeTruthy();
    const response = await second.request.response();
    expect(response?.status()).toBe(200);
    expect(response?.headers()['cache-control']).toContain('no-store');
    expect(response?.headers()['access-control-allow-origin']).toBe(env.appOrigin);
    const body = (await response?.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    expect(second.token).not.toBe(first.token);
    // The refresh response carried an id_token: the SDK still has the user, from a fresh ID token.
    expect(second.user).toMatchObject({ email, sub: first.user?.sub });
    expect(await userinfo(second.token)).toMatchObject({ email });

    // Rotation: the next refresh presents the refresh token the previous one returned.
    const third = await refresh();
    const secondRefreshToken = new URLSearchParams(third.request.postData() ?? '').get('refresh_token');
    expect(secondRefreshToken).toBeTruthy();
    expect(secondRefreshToken).not.toBe(firstRefreshToken);
    expect(third.token).not.toBe(second.token);
    expect(third.user).toMatchObject({ email });
  }, TEST_TIMEOUT);

  test(`${SDK_V2.label}: useRefreshTokens with cacheLocation localstorage refreshes after a page reload`, async () => {
    const email = uniqueEmail('v2-refresh-ls');
    const options = v2Options({ scope: 'openid profile email offline_access' }, { useRefreshTokens: true, cacheLocation: 'localstorage' });
    const first = await loginWithRedirect(options, email);

    await page.goto(`${env.appOrigin}/v2/`);
    const request = page.waitForRequest((r) => isTokenRequest(r, 'refresh_token'));
    const result = await page.evaluate(async (opts) => {
      const w = window as unknown as AppWindow;
      w.spa = new w.auth0.Auth0Client(opts);
      const token = await w.spa.getTokenSilently({ cacheMode: 'off' });
      return { token, user: await w.spa.getUser() };
    }, options);
    const sent = await request;
    expect(await sent.headerValue('auth0-client')).toBeTruthy();
    expect(result.token).not.toBe(first.token);
    expect(result.user).toMatchObject({ email });
  }, TEST_TIMEOUT);

  test(`${SDK_V2.label}: loginWithPopup → screens in the popup → web_message to the opener`, async () => {
    const email = uniqueEmail('v2-popup');
    await page.goto(`${env.appOrigin}/v2/`);
    await page.evaluate(async (opts) => {
      const w = window as unknown as AppWindow;
      w.spa = await w.auth0.createAuth0Client(opts);
    }, v2Options());
    const popupOpened = page.waitForEvent('popup');
    const authorize = page.context().waitForEvent('request', (r) => isAuthorize(r, { response_mode: 'web_message' }));
    const login = page.evaluate(async () => {
      const w = window as unknown as AppWindow;
      await w.spa.loginWithPopup();
      return { user: await w.spa.getUser(), token: await w.spa.getTokenSilently() };
    });
    const popup = await popupOpened;
    const popupClosed = popup.waitForEvent('close');
    expect(new URL((await authorize).url()).searchParams.get('connection')).toBe('email');
    await completePasswordlessScreens(popup, env.domain, email);
    const result = await login;
    await popupClosed;
    expect(result.user).toMatchObject({ email });
    expect(await userinfo(result.token)).toMatchObject({ email });
  }, TEST_TIMEOUT);

  test(`${SDK_V2.label}: logout({ logoutParams: { returnTo } }) ends the session; getTokenSilently then fails with login_required`, async () => {
    const email = uniqueEmail('v2-logout');
    await loginWithRedirect(v2Options(), email);
    expect(cookieNames(await context.cookies(env.domain))).toContain('auth0');

    const returnTo = `${env.appOrigin}/v2/`;
    const logoutRequest = page.waitForRequest((r) => new URL(r.url()).origin === env.domain && new URL(r.url()).pathname === '/v2/logout');
    await page.evaluate(async (to) => {
      const w = window as unknown as AppWindow;
      void w.spa.logout({ logoutParams: { returnTo: to } });
    }, returnTo);
    const logoutUrl = new URL((await logoutRequest).url());
    expect(logoutUrl.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(logoutUrl.searchParams.get('returnTo')).toBe(returnTo);
    await page.waitForURL(at(env.appOrigin, '/v2/'));

    const cookies = cookieNames(await context.cookies(env.domain));
    expect(cookies).not.toContain('auth0');
    expect(cookies).not.toContain(`auth0.${CLIENT_ID}.is.authenticated`);

    const silent = page.waitForRequest((r) => isAuthorize(r, { prompt: 'none', response_mode: 'web_message' }));
    const outcome = await page.evaluate(async (opts) => {
      const w = window as unknown as AppWindow;
      w.spa = await w.auth0.createAuth0Client(opts);
      const authenticated = await w.spa.isAuthenticated();
      try {
        await w.spa.getTokenSilently();
        return { authenticated, error: null };
      } catch (err) {
        const e = err as SdkErrorShape;
        return { authenticated, error: { error: e.error, error_description: e.error_description } };
      }
    }, v2Options());
    await silent;
    expect(outcome.authenticated).toBe(false);
    expect(outcome.error).toEqual({ error: 'login_required', error_description: 'Login required' });
  }, TEST_TIMEOUT);

  test(`${SDK_V2.label}: silent authentication from an origin missing from Allowed Web Origins gets a 400 page and times out, as on Auth0`, async () => {
    const email = uniqueEmail('v2-no-web-origin');
    const options = { ...v2Options(), clientId: CLIENT_ID_NO_WEB_ORIGINS };
    // Redirect login needs only the callback URL (the token exchange's CORS allows callback origins).
    const first = await loginWithRedirect(options, email);
    expect(first.user).toMatchObject({ email });

    await page.goto(`${env.appOrigin}/v2/`);
    const silent = page.waitForRequest((r) => isAuthorize(r, { client_id: CLIENT_ID_NO_WEB_ORIGINS, prompt: 'none', response_mode: 'web_message' }));
    const outcome = await page.evaluate(async (opts) => {
      const w = window as unknown as AppWindow;
      w.spa = new w.auth0.Auth0Client({ ...opts, authorizeTimeoutInSeconds: 2 });
      try {
        await w.spa.getTokenSilently();
        return null;
      } catch (err) {
        const e = err as SdkErrorShape;
        return { error: e.error, error_description: e.error_description };
      }
    }, options);
    const silentRequest = await silent;
    expect((await silentRequest.response())?.status()).toBe(400);
    // In the iframe Chromium shows its own "blocked" page (the error page is not frameable); the page itself names the problem.
    const page400 = await fetch(silentRequest.url());
    expect(page400.status).toBe(400);
    expect(await page400.text()).toContain(`The specified redirect_uri &#39;${env.appOrigin}/v2/callback&#39; does not have a registered origin.`);
    expect(outcome).toEqual({ error: 'timeout', error_description: 'Timeout' });
  }, TEST_TIMEOUT);

  test(`${SDK_V2.label}: loginWithRedirect with the SMS connection (${PHONE}) → handleRedirectCallback → getUser`, async () => {
    const { authorizeUrl, user, token } = await loginWithRedirect(v2Options({ connection: 'sms', scope: 'openid profile email phone' }), PHONE);
    expect(authorizeUrl.searchParams.get('connection')).toBe('sms');
    expect(user).toMatchObject({ name: PHONE, nickname: PHONE, phone_number: PHONE, phone_number_verified: true });
    expect(user?.sub).toMatch(/^sms\|/);
    expect(await userinfo(token)).toMatchObject({ sub: user?.sub, phone_number: PHONE });
  }, TEST_TIMEOUT);
});

describe(`${SDK_V1.label} (v1 API, the seed's own snippet)`, () => {
  /** Exactly the seed's snippet: unknown top-level options (`connection`) become /authorize parameters. */
  const snippet = (connection: 'email' | 'sms'): SpaV1.Auth0ClientOptions => ({
    domain: env.domain,
    client_id: CLIENT_ID,
    connection,
    redirect_uri: `${env.appOrigin}/v1/callback`,
  });

  async function loginWithRedirect(options: SpaV1.Auth0ClientOptions, identifier: string) {
    await page.goto(`${env.appOrigin}/v1/`);
    const authorize = page.waitForRequest((r) => isAuthorize(r, { client_id: CLIENT_ID, response_type: 'code', response_mode: 'query' }));
    await page.evaluate(async (opts) => {
      const w = window as unknown as AppWindow;
      const auth0 = await w.createAuth0Client(opts);
      void auth0.loginWithRedirect();
    }, options);
    const authorizeUrl = new URL((await authorize).url());
    await completePasswordlessScreens(page, env.domain, identifier);
    await page.waitForURL(at(env.appOrigin, '/v1/callback'));
    const result = await page.evaluate(async (opts) => {
      const w = window as unknown as AppWindow;
      w.spa1 = await w.createAuth0Client(opts);
      await w.spa1.handleRedirectCallback();
      return { user: await w.spa1.getUser(), token: await w.spa1.getTokenSilently(), authenticated: await w.spa1.isAuthenticated() };
    }, options);
    return { ...result, authorizeUrl };
  }

  test(`${SDK_V1.label}: createAuth0Client({ domain, client_id, connection: "email", redirect_uri }) → loginWithRedirect → handleRedirectCallback → getUser; getTokenSilently through the iframe`, async () => {
    const email = uniqueEmail('v1-email');
    const { authorizeUrl, user, token, authenticated } = await loginWithRedirect(snippet('email'), email);
    expect(authorizeUrl.searchParams.get('connection')).toBe('email');
    expect(authenticated).toBe(true);
    expect(user).toMatchObject({ email, email_verified: true, name: email });
    expect(await userinfo(token)).toMatchObject({ email });

    // A new page load: v1's createAuth0Client runs checkSession through the iframe (auth0.is.authenticated cookie),
    // then getTokenSilently({ ignoreCache }) goes through the iframe again.
    await page.goto(`${env.appOrigin}/v1/`);
    const checkSession = page.waitForRequest((r) => isAuthorize(r, { prompt: 'none', response_mode: 'web_message', connection: 'email' }));
    const restored = await page.evaluate(async (opts) => {
      const w = window as unknown as AppWindow;
      w.spa1 = await w.createAuth0Client(opts);
      return { authenticated: await w.spa1.isAuthenticated(), user: await w.spa1.getUser() };
    }, snippet('email'));
    await checkSession;
    expect(restored).toMatchObject({ authenticated: true, user: { email } });

    const silent = page.waitForRequest((r) => isAuthorize(r, { prompt: 'none', response_mode: 'web_message' }));
    const silentToken = await page.evaluate(async () => {
      const w = window as unknown as AppWindow;
      return w.spa1.getTokenSilently({ ignoreCache: true });
    });
    await silent;
    expect(silentToken).not.toBe(token);
    expect(await userinfo(silentToken)).toMatchObject({ email });
  }, TEST_TIMEOUT);

  test(`${SDK_V1.label}: createAuth0Client({ domain, client_id, connection: "sms", redirect_uri }) → loginWithRedirect (${PHONE}) → getUser`, async () => {
    const { authorizeUrl, user, authenticated } = await loginWithRedirect(snippet('sms'), PHONE);
    expect(authorizeUrl.searchParams.get('connection')).toBe('sms');
    expect(authenticated).toBe(true);
    expect(user).toMatchObject({ name: PHONE, nickname: PHONE });
    expect(user?.sub).toMatch(/^sms\|/);
  }, TEST_TIMEOUT);
});
