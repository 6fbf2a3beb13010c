import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { BrowserContext, Page, Request } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import express, { type ErrorRequestHandler } from 'express';
import { auth, type ConfigParams } from 'express-openid-connect';
import { decodeJwt } from 'jose';
import { browserPerTest } from '../support/chromium.js';
import { eventually, textOf } from '../support/page-waits.js';
import { completePasswordlessScreens, uniqueEmail } from '../support/spa-harness.js';
import { localhostTestApp } from '../support/app.js';

/**
 * express-openid-connect, unmodified, in an Express app on http://localhost:<appPort> whose
 * `issuerBaseURL` is a listening Understudy on http://localhost:<port> (discovery, JWKS, /authorize,
 * /oauth/token, /userinfo, /oidc/logout all found through `/.well-known/openid-configuration`).
 * Real Chromium drives the app as a user does: /login → Understudy's Identifier First screens with
 * the email code from the dev mailbox → back to the app's /callback (the form_post page auto-submits
 * in the browser) → /profile shows `req.oidc.user`. Each app variant is a separate Express app on its
 * own port, configured as an app author would configure the library.
 */

const nodeModules = fileURLToPath(new URL('../../node_modules/', import.meta.url));
const versionOf = (name: string): string => (JSON.parse(readFileSync(`${nodeModules}${name}/package.json`, 'utf8')) as { version: string }).version;
const LABEL = `express-openid-connect ${versionOf('express-openid-connect')}`;
const EXPRESS_LABEL = `express ${versionOf('express')}`;

const CLIENT_ID = 'conformance-express';
const CLIENT_SECRET = randomBytes(32).toString('base64url');
const TEST_TIMEOUT = 120_000;

/** The app variants: each is its own Express app (own port) with its own `auth()` configuration. */
type Variant = 'implicit' | 'code' | 'hybrid' | 'quickstart' | 'silent' | 'refresh';
const VARIANTS: Variant[] = ['implicit', 'code', 'hybrid', 'quickstart', 'silent', 'refresh'];

function authConfig(variant: Variant, issuerBaseURL: string, baseURL: string): ConfigParams {
  const common: ConfigParams = {
    issuerBaseURL,
    baseURL,
    clientID: CLIENT_ID,
    secret: randomBytes(32).toString('hex'),
    authRequired: false,
  };
  switch (variant) {
    // The library's defaults: response_type=id_token, response_mode=form_post, scope "openid profile email";
    // idpLogout so /logout goes through discovery's end_session_endpoint (Understudy is not *.auth0.com).
    case 'implicit':
      return { ...common, idpLogout: true };
    case 'code':
      return {
        ...common,
        clientSecret: CLIENT_SECRET,
        clientAuthMethod: 'client_secret_basic',
        authorizationParams: { response_type: 'code', scope: 'openid profile email' },
        idpLogout: true,
      };
    // Hybrid: the code and an ID token (with c_hash) come back together by form_post, the library's default mode for it.
    case 'hybrid':
      return {
        ...common,
        clientSecret: CLIENT_SECRET,
        clientAuthMethod: 'client_secret_basic',
        authorizationParams: { response_type: 'code id_token', scope: 'openid profile email' },
        idpLogout: true,
      };
    // Auth0's Express quickstart: auth0Logout: true, which logs out through /v2/logout.
    case 'quickstart':
      return { ...common, auth0Logout: true };
    // attemptSilentLogin: the first HTML page view tries prompt=none (form_post) before showing the page logged out.
    case 'silent':
      return { ...common, attemptSilentLogin: true };
    // Code flow with offline_access and the secret in the body: req.oidc.accessToken.refresh().
    case 'refresh':
      return {
        ...common,
        clientSecret: CLIENT_SECRET,
        clientAuthMethod: 'client_secret_post',
        authorizationParams: { response_type: 'code', scope: 'openid profile email offline_access' },
      };
  }
}

interface ExpressApp {
  variant: Variant;
  origin: string;
  /** Errors the app's error handler saw, so a failed callback explains itself. */
  errors: string[];
  close(): Promise<void>;
}

/** The app an author writes: auth() plus a /profile route showing what req.oidc holds, and /userinfo. */
function expressApp(config: ConfigParams, errors: string[]): RequestListener {
  const app = express();
  app.use(auth(config));
  app.get('/', (req, res) => {
    res.type('html').send(`<!doctype html><title>Express app</title><h1 id="home">${req.oidc.isAuthenticated() ? 'Logged in' : 'Logged out'}</h1>`);
  });
  app.get('/profile', (req, res) => {
    const accessToken = req.oidc.accessToken;
    res.json({
      authenticated: req.oidc.isAuthenticated(),
      user: req.oidc.user ?? null,
      idToken: req.oidc.idToken ?? null,
      accessToken: accessToken
        ? { access_token: accessToken.access_token, token_type: accessToken.token_type, expires_in: accessToken.expires_in, expired: accessToken.isExpired() }
        : null,
    });
  });
  app.get('/userinfo', async (req, res) => {
    res.json(await req.oidc.fetchUserInfo());
  });
  app.get('/refresh', async (req, res) => {
    const before = req.oidc.accessToken;
    if (!before) throw new Error('no access token in the session');
    const after = await before.refresh();
    res.json({ before: before.access_token, after: after.access_token, refreshToken: req.oidc.refreshToken ?? null, idTokenClaims: req.oidc.idTokenClaims ?? null });
  });
  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const e = err as { status?: number; message?: string; error?: string; error_description?: string };
    errors.push(`${req.method} ${req.originalUrl}: ${e.message ?? String(err)}${e.error ? ` [${e.error}: ${e.error_description ?? ''}]` : ''}`);
    res.status(e.status ?? 500).type('text/plain').send(`app error: ${e.message ?? String(err)}`);
  };
  app.use(onError);
  return app;
}

function listen(server: Server, options: { host: string; port: number; ipv6Only?: boolean }): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/**
 * An HTTP server on http://localhost:<port> for both loopback addresses (Chromium may pick either),
 * whose handler is set later: the Express app needs Understudy's URL, and Understudy's tenant the app's.
 */
async function startLocalhostServer(): Promise<{ port: number; servers: Server[]; setHandler(handler: RequestListener): void }> {
  let handler: RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end('not ready');
  };
  const make = () => createServer((req, res) => handler(req, res));
  for (let attempt = 0; ; attempt++) {
    const v4 = make();
    const port = await listen(v4, { host: '127.0.0.1', port: 0 });
    const v6 = make();
    try {
      await listen(v6, { host: '::1', port, ipv6Only: true });
      return { port, servers: [v4, v6], setHandler: (h) => (handler = h) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return { port, servers: [v4], setHandler: (h) => (handler = h) };
      await closeServer(v4);
      if (attempt >= 5) throw err;
    }
  }
}


function tenantFor(appOrigins: string[]): unknown {
  return {
    tenant: { friendly_name: 'Conformance (express-openid-connect)' },
    clients: [
      {
        name: 'Conformance Express app',
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        app_type: 'regular_web',
        token_endpoint_auth_method: 'client_secret_basic',
        callbacks: appOrigins.map((origin) => `${origin}/callback`),
        allowed_logout_urls: appOrigins,
      },
    ],
    connections: [{ name: 'email', strategy: 'email', options: { totp: { length: 6, time_step: 180 } } }],
  };
}

/** What Understudy received, as seen on its own HTTP server (the library's back-channel calls included). */
interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

interface Env {
  domain: string;
  understudy: FastifyInstance;
  apps: Record<Variant, ExpressApp>;
  seen: SeenRequest[];
  close(): Promise<void>;
}

async function startEnv(): Promise<Env> {
  const listeners = await Promise.all(VARIANTS.map(() => startLocalhostServer()));
  const origins = listeners.map((l) => `http://localhost:${l.port}`);
  const seen: SeenRequest[] = [];
  let understudy: FastifyInstance;
  let domain: string;
  try {
    ({ app: understudy, domain } = await localhostTestApp(tenantFor(origins)));
  } catch (err) {
    await Promise.allSettled(listeners.flatMap((l) => l.servers.map(closeServer)));
    throw err;
  }
  understudy.server.on('request', (req: { method?: string; url?: string; headers: Record<string, string | string[] | undefined> }) => {
    const url = new URL(req.url ?? '/', domain);
    const authorization = req.headers.authorization;
    seen.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, authorization: typeof authorization === 'string' ? authorization : undefined });
  });
  const apps = {} as Record<Variant, ExpressApp>;
  VARIANTS.forEach((variant, i) => {
    const listener = listeners[i]!;
    const origin = origins[i]!;
    const errors: string[] = [];
    listener.setHandler(expressApp(authConfig(variant, domain, origin), errors));
    apps[variant] = { variant, origin, errors, close: async () => void (await Promise.all(listener.servers.map(closeServer))) };
  });
  const running = understudy;
  return {
    domain,
    understudy: running,
    apps,
    seen,
    async close() {
      await Promise.allSettled([running.close(), ...Object.values(apps).map((a) => a.close())]);
    },
  };
}

let env: Env;
let context: BrowserContext;
let page: Page;

browserPerTest(startEnv, (session) => ({ env, context, page } = session), {
  actionTimeoutMs: 45_000,
  async eachTest() {
    env.seen.length = 0;
    for (const app of Object.values(env.apps)) app.errors.length = 0;
  },
});

const urlOf = (request: Request): URL => new URL(request.url());
const isAt = (origin: string, pathname: string) => (url: URL): boolean => url.origin === origin && url.pathname === pathname;

/** Waits for the browser to reach `predicate`, reporting what the app's error handler saw when it does not. */
async function waitForUrl(app: ExpressApp, predicate: (url: URL) => boolean, what: string): Promise<void> {
  try {
    await page.waitForURL(predicate);
  } catch (err) {
    const body = await page.textContent('body').catch(() => '');
    throw new Error(`${what}: still at ${page.url()} (page: ${JSON.stringify(body?.slice(0, 300))}; app errors: ${JSON.stringify(app.errors)})`, { cause: err });
  }
}

interface Profile {
  authenticated: boolean;
  user: Record<string, unknown> | null;
  idToken: string | null;
  accessToken: { access_token: string; token_type: string; expires_in: number; expired: boolean } | null;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await page.goto(url);
  expect(response?.status(), `${url}: ${await response?.text()}`).toBe(200);
  return (await response!.json()) as T;
}

interface LoginResult {
  authorizeUrl: URL;
  /** The browser's request to the app's /callback: POST with a form body (form_post) or GET with a query. */
  callback: { method: string; params: URLSearchParams };
  resumeStatus: number | undefined;
  resumeContentType: string | undefined;
  profile: Profile;
}

/** The user's path: the app's /login → Understudy's screens → the app's /callback → back on the app → /profile. */
async function login(app: ExpressApp, email: string): Promise<LoginResult> {
  const authorize = page.waitForRequest((r) => isAt(env.domain, '/authorize')(urlOf(r)));
  const resume = page.waitForResponse((r) => isAt(env.domain, '/authorize/resume')(new URL(r.url())));
  const callback = page.waitForRequest((r) => isAt(app.origin, '/callback')(urlOf(r)));
  await page.goto(`${app.origin}/login`);
  const authorizeUrl = urlOf(await authorize);
  await completePasswordlessScreens(page, env.domain, email);
  const resumeResponse = await resume;
  const callbackRequest = await callback;
  // The library sends the user back to its returnTo (baseURL) once the callback is accepted.
  await waitForUrl(app, (url) => url.origin === app.origin && url.pathname === '/', 'back on the app after /callback');
  await eventually(textOf(page.locator('#home'))).toBe('Logged in');
  const params =
    callbackRequest.method() === 'POST' ? new URLSearchParams(callbackRequest.postData() ?? '') : urlOf(callbackRequest).searchParams;
  return {
    authorizeUrl,
    callback: { method: callbackRequest.method(), params },
    resumeStatus: resumeResponse.status(),
    resumeContentType: resumeResponse.headers()['content-type'],
    profile: await getJson<Profile>(`${app.origin}/profile`),
  };
}

/** OIDC Core §3.3.2.11: base64url of the left half of SHA-256 (c_hash, at_hash for RS256). */
const halfHash = (value: string): string => createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');

/** Understudy's answer to a silent /authorize for the app in this browser (its cookies), without following it. */
async function silentAuthorize(app: ExpressApp): Promise<URL> {
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    response_mode: 'query',
    redirect_uri: `${app.origin}/callback`,
    scope: 'openid',
    prompt: 'none',
    state: 'silent-check',
  });
  const response = await context.request.get(`${env.domain}/authorize?${query}`, { maxRedirects: 0 });
  expect(response.status()).toBe(302);
  return new URL(response.headers().location ?? '', env.domain);
}

function expectUser(profile: Profile, email: string): void {
  expect(profile.authenticated).toBe(true);
  expect(profile.user).toMatchObject({ email, email_verified: true, name: email, nickname: email.split('@')[0] });
  expect(profile.user?.sub).toMatch(/^email\|/);
  // identityClaimFilter took the protocol claims out of req.oidc.user.
  for (const claim of ['aud', 'iss', 'iat', 'exp', 'nonce', 'c_hash', 'at_hash']) expect(profile.user).not.toHaveProperty(claim);
}

describe(`${LABEL} (${EXPRESS_LABEL}) against a listening Understudy`, () => {
  test(`${LABEL}: default response_type=id_token + response_mode=form_post; Chromium auto-posts the form to /callback; req.oidc.user`, async () => {
    const app = env.apps.implicit;
    const email = uniqueEmail('eoc-implicit');
    const { authorizeUrl, callback, resumeStatus, resumeContentType, profile } = await login(app, email);

    // What the library sent: its defaults, with a nonce (required for id_token) and its own state.
    expect(Object.fromEntries(authorizeUrl.searchParams)).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'id_token',
      response_mode: 'form_post',
      scope: 'openid profile email',
      redirect_uri: `${app.origin}/callback`,
    });
    const nonce = authorizeUrl.searchParams.get('nonce');
    expect(nonce).toBeTruthy();
    expect(authorizeUrl.searchParams.has('code_challenge')).toBe(false);

    // Understudy answered /authorize/resume with the form_post page, which the browser submitted itself.
    expect(resumeStatus).toBe(200);
    expect(resumeContentType).toContain('text/html');
    expect(callback.method).toBe('POST');
    expect([...callback.params.keys()].sort()).toEqual(['id_token', 'state']);
    expect(callback.params.get('state')).toBe(authorizeUrl.searchParams.get('state'));
    const frontChannel = decodeJwt(callback.params.get('id_token')!);
    expect(frontChannel).toMatchObject({ iss: `${env.domain}/`, aud: CLIENT_ID, nonce, email });
    expect(frontChannel).not.toHaveProperty('c_hash');

    expectUser(profile, email);
    expect(profile.idToken).toBe(callback.params.get('id_token'));
    expect(profile.accessToken).toBeNull();
    // No back-channel call in the implicit flow: only discovery and the JWKS.
    expect(env.seen.filter((r) => r.path === '/oauth/token')).toEqual([]);
    expect(app.errors).toEqual([]);
  }, TEST_TIMEOUT);

  test(`${LABEL}: response_type=code with client_secret_basic (PKCE, query); req.oidc.user, req.oidc.accessToken, fetchUserInfo()`, async () => {
    const app = env.apps.code;
    const email = uniqueEmail('eoc-code');
    const { authorizeUrl, callback, profile } = await login(app, email);

    expect(Object.fromEntries(authorizeUrl.searchParams)).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'code',
      scope: 'openid profile email',
      redirect_uri: `${app.origin}/callback`,
      code_challenge_method: 'S256',
    });
    expect(authorizeUrl.searchParams.has('response_mode')).toBe(false);
    // The code came back in the query (Auth0's default for response_type=code), with the library's state.
    expect(callback.method).toBe('GET');
    expect(callback.params.get('code')).toBeTruthy();
    expect(callback.params.get('state')).toBe(authorizeUrl.searchParams.get('state'));
    expect(callback.params.has('iss')).toBe(false);

    // The code was exchanged with HTTP Basic client authentication.
    const tokenRequests = env.seen.filter((r) => r.path === '/oauth/token');
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]!.method).toBe('POST');
    const basic = tokenRequests[0]!.authorization ?? '';
    expect(basic).toMatch(/^Basic /);
    // RFC 6749 §2.3.1: both halves form-urlencoded before base64 (openid-client also escapes "-" as %2D).
    const [id, secret] = Buffer.from(basic.slice(6), 'base64').toString().split(':').map(decodeURIComponent);
    expect({ id, secret }).toEqual({ id: CLIENT_ID, secret: CLIENT_SECRET });

    expectUser(profile, email);
    expect(profile.accessToken).toMatchObject({ token_type: 'Bearer', expired: false });
    expect(profile.accessToken?.access_token).toEqual(expect.any(String));
    expect(profile.accessToken?.expires_in).toBeGreaterThan(0);

    // req.oidc.fetchUserInfo() calls discovery's userinfo_endpoint with that access token (and checks sub).
    const userinfo = await getJson<Record<string, unknown>>(`${app.origin}/userinfo`);
    expect(userinfo).toMatchObject({ sub: profile.user?.sub, email, email_verified: true });
    expect(env.seen.filter((r) => r.path === '/userinfo').map((r) => r.authorization)).toEqual([`Bearer ${profile.accessToken?.access_token}`]);
    expect(app.errors).toEqual([]);
  }, TEST_TIMEOUT);

  test(`${LABEL}: response_type="code id_token" (hybrid, form_post): the front-channel ID token's c_hash passes the library's checks`, async () => {
    const app = env.apps.hybrid;
    const email = uniqueEmail('eoc-hybrid');
    const { authorizeUrl, callback, profile } = await login(app, email);

    expect(Object.fromEntries(authorizeUrl.searchParams)).toMatchObject({
      response_type: 'code id_token',
      response_mode: 'form_post',
      code_challenge_method: 'S256',
    });
    const nonce = authorizeUrl.searchParams.get('nonce');
    expect(nonce).toBeTruthy();

    expect(callback.method).toBe('POST');
    expect([...callback.params.keys()].sort()).toEqual(['code', 'id_token', 'state']);
    const code = callback.params.get('code')!;
    const frontChannel = decodeJwt(callback.params.get('id_token')!);
    expect(frontChannel).toMatchObject({ iss: `${env.domain}/`, aud: CLIENT_ID, nonce, c_hash: halfHash(code) });
    expect(frontChannel).not.toHaveProperty('at_hash');

    const tokenRequests = env.seen.filter((r) => r.path === '/oauth/token');
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]!.authorization).toMatch(/^Basic /);

    expectUser(profile, email);
    expect(profile.user?.sub).toBe(frontChannel.sub);
    expect(profile.accessToken?.access_token).toEqual(expect.any(String));
    expect(await getJson<Record<string, unknown>>(`${app.origin}/userinfo`)).toMatchObject({ sub: frontChannel.sub, email });
    expect(app.errors).toEqual([]);
  }, TEST_TIMEOUT);

  test(`${LABEL}: /logout (idpLogout) goes through discovery's end_session_endpoint with id_token_hint and post_logout_redirect_uri; the Understudy session is gone`, async () => {
    const app = env.apps.implicit;
    const email = uniqueEmail('eoc-logout');
    const { profile } = await login(app, email);
    expectUser(profile, email);

    // While logged in, Understudy answers a silent /authorize for this client from its session.
    const before = await silentAuthorize(app);
    expect(before.searchParams.get('code')).toBeTruthy();
    expect(before.searchParams.get('state')).toBe('silent-check');

    const oidcLogout = page.waitForRequest((r) => isAt(env.domain, '/oidc/logout')(urlOf(r)));
    await page.goto(`${app.origin}/logout`);
    const logoutUrl = urlOf(await oidcLogout);
    expect(logoutUrl.searchParams.get('id_token_hint')).toBe(profile.idToken);
    expect(logoutUrl.searchParams.get('post_logout_redirect_uri')).toBe(app.origin);
    expect(logoutUrl.searchParams.get('client_id')).toBe(CLIENT_ID);
    await waitForUrl(app, (url) => url.origin === app.origin && url.pathname === '/', 'back on the app after /oidc/logout');
    await eventually(textOf(page.locator('#home'))).toBe('Logged out');

    expect((await getJson<Profile>(`${app.origin}/profile`)).authenticated).toBe(false);
    expect((await context.cookies(env.domain)).map((c) => c.name)).not.toContain('auth0');
    const after = await silentAuthorize(app);
    expect(after.origin + after.pathname).toBe(`${app.origin}/callback`);
    expect(Object.fromEntries(after.searchParams)).toEqual({ error: 'login_required', error_description: 'Login required', state: 'silent-check' });

    // /logout again, already logged out: the library still goes through /oidc/logout, now without an
    // id_token_hint, so Understudy picks the allowed logout URLs from client_id.
    const hintless = page.waitForRequest((r) => isAt(env.domain, '/oidc/logout')(urlOf(r)));
    await page.goto(`${app.origin}/logout`);
    const hintlessUrl = urlOf(await hintless);
    expect(Object.fromEntries(hintlessUrl.searchParams)).toEqual({ post_logout_redirect_uri: app.origin, client_id: CLIENT_ID });
    await waitForUrl(app, (url) => url.origin === app.origin && url.pathname === '/', 'back on the app after a second /logout');
    await eventually(textOf(page.locator('#home'))).toBe('Logged out');
    expect(app.errors).toEqual([]);
  }, TEST_TIMEOUT);

  test(`${LABEL}: the Auth0 quickstart's auth0Logout: true logs out through /v2/logout (returnTo, client_id); the Understudy session is gone`, async () => {
    const app = env.apps.quickstart;
    const email = uniqueEmail('eoc-quickstart');
    const { profile } = await login(app, email);
    expectUser(profile, email);

    const v2Logout = page.waitForRequest((r) => isAt(env.domain, '/v2/logout')(urlOf(r)));
    await page.goto(`${app.origin}/logout`);
    const logoutUrl = urlOf(await v2Logout);
    expect(logoutUrl.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(logoutUrl.searchParams.get('returnTo')).toBe(app.origin);
    await waitForUrl(app, (url) => url.origin === app.origin && url.pathname === '/', 'back on the app after /v2/logout');
    await eventually(textOf(page.locator('#home'))).toBe('Logged out');

    const after = await silentAuthorize(app);
    expect(after.searchParams.get('error')).toBe('login_required');
    expect(app.errors).toEqual([]);
  }, TEST_TIMEOUT);

  test(`${LABEL}: attemptSilentLogin: prompt=none answered by form_post — login_required without an Understudy session, a login without screens with one`, async () => {
    const app = env.apps.silent;
    const email = uniqueEmail('eoc-silent');
    const isAuthorize = (r: Request) => isAt(env.domain, '/authorize')(urlOf(r));
    const isCallback = (r: Request) => isAt(app.origin, '/callback')(urlOf(r));

    // No Understudy session yet: the error goes back by form_post too, with the library's state.
    const firstAuthorize = page.waitForRequest(isAuthorize);
    const firstCallback = page.waitForRequest(isCallback);
    await page.goto(`${app.origin}/`);
    const authorizeUrl = urlOf(await firstAuthorize);
    expect(Object.fromEntries(authorizeUrl.searchParams)).toMatchObject({ prompt: 'none', response_type: 'id_token', response_mode: 'form_post' });
    const errorPost = await firstCallback;
    expect(errorPost.method()).toBe('POST');
    expect(Object.fromEntries(new URLSearchParams(errorPost.postData() ?? ''))).toEqual({
      error: 'login_required',
      error_description: 'Login required',
      state: authorizeUrl.searchParams.get('state'),
    });
    await waitForUrl(app, (url) => url.origin === app.origin && url.pathname === '/', 'back on the app after the silent attempt');
    await eventually(textOf(page.locator('#home'))).toBe('Logged out');

    // Log in through /login (never silent), then lose only the app's own session cookie.
    const { profile } = await login(app, email);
    expectUser(profile, email);
    await context.clearCookies({ name: /^appSession/ });

    // The next page view logs in silently from Understudy's session: no screen is shown.
    const screens: string[] = [];
    page.on('request', (r) => {
      if (urlOf(r).origin === env.domain && urlOf(r).pathname.startsWith('/u/')) screens.push(r.url());
    });
    const silentAuthorize = page.waitForRequest(isAuthorize);
    const silentCallback = page.waitForRequest(isCallback);
    await page.goto(`${app.origin}/`);
    expect(urlOf(await silentAuthorize).searchParams.get('prompt')).toBe('none');
    const tokenPost = await silentCallback;
    expect([...new URLSearchParams(tokenPost.postData() ?? '').keys()].sort()).toEqual(['id_token', 'state']);
    await waitForUrl(app, (url) => url.origin === app.origin && url.pathname === '/', 'back on the app after the silent login');
    await eventually(textOf(page.locator('#home'))).toBe('Logged in');
    expect(screens).toEqual([]);
    const again = await getJson<Profile>(`${app.origin}/profile`);
    expect(again.user?.sub).toBe(profile.user?.sub);
    expect(again.idToken).not.toBe(profile.idToken);
    expect(app.errors).toEqual([]);
  }, TEST_TIMEOUT);

  test(`${LABEL}: code flow with offline_access and client_secret_post; req.oidc.accessToken.refresh() through /oauth/token`, async () => {
    const app = env.apps.refresh;
    const email = uniqueEmail('eoc-refresh');
    const { authorizeUrl, profile } = await login(app, email);
    expect(authorizeUrl.searchParams.get('scope')).toBe('openid profile email offline_access');
    expectUser(profile, email);
    const exchange = env.seen.filter((r) => r.path === '/oauth/token');
    expect(exchange).toHaveLength(1);
    expect(exchange[0]!.authorization).toBeUndefined();

    const refreshed = await getJson<{ before: string; after: string; refreshToken: string | null; idTokenClaims: Record<string, unknown> | null }>(
      `${app.origin}/refresh`,
    );
    expect(refreshed.refreshToken).toEqual(expect.any(String));
    expect(refreshed.after).toEqual(expect.any(String));
    expect(refreshed.after).not.toBe(refreshed.before);
    // The refreshed ID token (validated by the library: same sub, no nonce) replaced the session's.
    expect(refreshed.idTokenClaims).toMatchObject({ sub: profile.user?.sub, email });
    expect(refreshed.idTokenClaims).not.toHaveProperty('nonce');
    expect(env.seen.filter((r) => r.path === '/oauth/token')).toHaveLength(2);

    // The app's session now carries the new access token, which /userinfo accepts.
    const after = await getJson<Profile>(`${app.origin}/profile`);
    expect(after.accessToken?.access_token).toBe(refreshed.after);
    expect(await getJson<Record<string, unknown>>(`${app.origin}/userinfo`)).toMatchObject({ sub: profile.user?.sub, email });
    expect(app.errors).toEqual([]);
  }, TEST_TIMEOUT);
});
