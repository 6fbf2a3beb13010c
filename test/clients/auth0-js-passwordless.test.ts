import { describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { browserPerTest } from '../support/chromium.js';
import { at, latestMessageId, uniqueEmail, waitForCode } from '../support/spa-harness.js';
import { AUTH0_JS, CLIENT_ID, CROSS_SITE_CLIENT_ID, startEmbeddedEnv, type EmbeddedEnv } from '../support/embedded-harness.js';

/**
 * auth0.js (the published browser bundle, unmodified) doing embedded passwordless in real Chromium
 * from a page on another origin than Understudy's: passwordlessStart (email code, SMS code, email
 * link), passwordlessLogin through /co/authenticate → login_ticket → /authorize → parseHash on the
 * callback, checkSession on the session that /co/authenticate opened, logout; the cross-origin
 * verification page when the browser refuses /co/authenticate's cookies; and an origin the client did
 * not register, refused.
 */
const LABEL = `auth0-js ${AUTH0_JS.version}`;
const TEST_TIMEOUT = 90_000;

/** What the pages put on `window`. */
interface AppWindow {
  auth0: { WebAuth: new (options: Record<string, unknown>) => WebAuth };
  webAuth: WebAuth;
  loginError?: unknown;
}
type Callback<T = unknown> = (err: { error?: string; code?: string; description?: string; error_description?: string } | null, result?: T) => void;
interface AuthResult {
  accessToken: string;
  idToken: string;
  idTokenPayload: Record<string, unknown>;
  state: string;
}
interface WebAuth {
  passwordlessStart(options: Record<string, unknown>, cb: Callback): void;
  passwordlessLogin(options: Record<string, unknown>, cb: Callback): void;
  parseHash(options: Record<string, unknown>, cb: Callback<AuthResult>): void;
  checkSession(options: Record<string, unknown>, cb: Callback<AuthResult>): void;
  logout(options: Record<string, unknown>): void;
}

let browser: Browser;
let env: EmbeddedEnv;
let context: BrowserContext;
let page: Page;

browserPerTest(startEmbeddedEnv, (session) => ({ browser, env, context, page } = session));

/** WebAuth as an app on `origin` configures it against Understudy over plain HTTP (README: "Embedded passwordless"). */
function webAuthOptions(origin: string, clientID = CLIENT_ID, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    domain: env.domain,
    clientID,
    redirectUri: `${origin}/auth0js/callback.html`,
    responseType: 'token id_token',
    scope: 'openid profile email',
    overrides: { __token_issuer: env.issuer },
    ...extra,
  };
}

/** passwordlessStart in the page; resolves with the SDK's answer, rejects with its error. */
async function passwordlessStart(target: Page, options: Record<string, unknown>, start: Record<string, unknown>): Promise<unknown> {
  return target.evaluate(
    ({ options, start }) =>
      new Promise((resolve, reject) => {
        const w = window as unknown as AppWindow;
        w.webAuth = new w.auth0.WebAuth(options);
        w.webAuth.passwordlessStart(start, (err, result) => (err ? reject(new Error(JSON.stringify(err))) : resolve(result)));
      }),
    { options, start },
  );
}

/**
 * passwordlessLogin in the page: it navigates away on success, and reports an error to the callback.
 * `beforeAuthorize` names a function the test exposed on the page, run through auth0.js's
 * onRedirecting hook between /co/authenticate and /authorize.
 */
async function passwordlessLogin(target: Page, login: Record<string, unknown>, beforeAuthorize?: string): Promise<void> {
  await target.evaluate(
    ({ login, beforeAuthorize }) => {
      const w = window as unknown as AppWindow & Record<string, () => Promise<void>>;
      const hook = beforeAuthorize ? { onRedirecting: (done: () => void) => void w[beforeAuthorize]!().then(done) } : {};
      w.webAuth.passwordlessLogin({ ...login, ...hook }, (err) => {
        w.loginError = err;
      });
    },
    { login, beforeAuthorize },
  );
}

/** parseHash on the callback page, with a fresh WebAuth as the app's callback page makes. */
async function parseHash(target: Page, options: Record<string, unknown>): Promise<AuthResult> {
  return target.evaluate(
    (options) =>
      new Promise<AuthResult>((resolve, reject) => {
        const w = window as unknown as AppWindow;
        w.webAuth = new w.auth0.WebAuth(options);
        w.webAuth.parseHash({ hash: window.location.hash }, (err, result) => (err || !result ? reject(new Error(JSON.stringify(err))) : resolve(result)));
      }),
    options,
  );
}

async function checkSession(target: Page): Promise<{ ok: boolean; error?: string; email?: unknown }> {
  return target.evaluate(
    () =>
      new Promise<{ ok: boolean; error?: string; email?: unknown }>((resolve) => {
        (window as unknown as AppWindow).webAuth.checkSession({}, (err, result) =>
          resolve(err ? { ok: false, error: err.error ?? err.code } : { ok: true, email: result?.idTokenPayload.email }),
        );
      }),
  );
}

const isPath = (request: Request, origin: string, pathname: string): boolean => {
  const url = new URL(request.url());
  return url.origin === origin && url.pathname === pathname;
};

/** Every request the page makes to these Understudy paths, in order. */
function watch(target: Page, paths: string[]): Request[] {
  const seen: Request[] = [];
  target.on('request', (request) => {
    if (paths.some((p) => isPath(request, env.domain, p))) seen.push(request);
  });
  return seen;
}

async function userinfo(accessToken: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${env.domain}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe(LABEL, () => {
  test(`${LABEL}: passwordlessStart (email code) → passwordlessLogin → /co/authenticate → /authorize?login_ticket → parseHash; checkSession; logout`, async () => {
    const email = uniqueEmail('auth0js-code');
    const options = webAuthOptions(env.appOrigin);
    const requests = watch(page, ['/passwordless/start', '/co/authenticate', '/authorize', '/co/verify', '/v2/logout']);
    await page.goto(`${env.appOrigin}/auth0js/app.html`);

    const seen = await latestMessageId(env.domain, email);
    const started = await passwordlessStart(page, options, { connection: 'email', send: 'code', email });
    expect(started).toMatchObject({ email });
    const start = requests.find((r) => isPath(r, env.domain, '/passwordless/start'))!;
    expect(start.postDataJSON()).toMatchObject({ client_id: CLIENT_ID, connection: 'email', send: 'code', email });
    expect(start.headers()['auth0-client']).toBeTruthy();

    const code = await waitForCode(env.domain, email, seen);
    await passwordlessLogin(page, { connection: 'email', email, verificationCode: code });
    await page.waitForURL(at(env.appOrigin, '/auth0js/callback.html'));

    // What auth0.js sent: the otp credential to /co/authenticate, with credentials, then the ticket to /authorize.
    const authenticate = requests.find((r) => isPath(r, env.domain, '/co/authenticate'))!;
    expect(authenticate.postDataJSON()).toEqual({ client_id: CLIENT_ID, username: email, otp: code, realm: 'email', credential_type: 'http://auth0.com/oauth/grant-type/passwordless/otp' });
    const authorize = new URL(requests.find((r) => isPath(r, env.domain, '/authorize'))!.url());
    expect(authorize.searchParams.get('login_ticket')).toBeTruthy();
    expect(authorize.searchParams.get('response_type')).toBe('token id_token');
    // This browser kept /co/authenticate's session cookie (same site): no verification page.
    expect(requests.some((r) => isPath(r, env.domain, '/co/verify'))).toBe(false);

    const result = await parseHash(page, options);
    expect(result.idTokenPayload).toMatchObject({ email, iss: env.issuer, aud: CLIENT_ID });
    expect(await userinfo(result.accessToken)).toMatchObject({ email });

    // /co/authenticate opened a real SSO session: silent authentication answers from it.
    expect(await checkSession(page)).toEqual({ ok: true, email });

    await page.evaluate((returnTo) => (window as unknown as AppWindow).webAuth.logout({ returnTo }), `${env.appOrigin}/auth0js/app.html`);
    await page.waitForURL(at(env.appOrigin, '/auth0js/app.html'));
    const logout = new URL(requests.find((r) => isPath(r, env.domain, '/v2/logout'))!.url());
    expect(logout.searchParams.get('client_id')).toBe(CLIENT_ID);
    await page.evaluate((options) => {
      const w = window as unknown as AppWindow;
      w.webAuth = new w.auth0.WebAuth(options);
    }, options);
    expect(await checkSession(page)).toEqual({ ok: false, error: 'login_required' });
  }, TEST_TIMEOUT);

  test(`${LABEL}: passwordlessStart (SMS) → passwordlessLogin with the phone number → tokens`, async () => {
    const phoneNumber = `+1555${String(Date.now()).slice(-7)}`;
    const options = webAuthOptions(env.appOrigin, CLIENT_ID, { scope: 'openid phone' });
    await page.goto(`${env.appOrigin}/auth0js/app.html`);
    const seen = await latestMessageId(env.domain, phoneNumber);
    await passwordlessStart(page, options, { connection: 'sms', send: 'code', phoneNumber });
    const code = await waitForCode(env.domain, phoneNumber, seen);
    await passwordlessLogin(page, { connection: 'sms', phoneNumber, verificationCode: code });
    await page.waitForURL(at(env.appOrigin, '/auth0js/callback.html'));
    const result = await parseHash(page, options);
    expect(await userinfo(result.accessToken)).toMatchObject({ phone_number: phoneNumber });
  }, TEST_TIMEOUT);

  test(`${LABEL}: passwordlessStart (email link) → the link → /passwordless/verify_redirect → parseHash`, async () => {
    const email = uniqueEmail('auth0js-link');
    const options = webAuthOptions(env.appOrigin);
    await page.goto(`${env.appOrigin}/auth0js/app.html`);
    const seen = await latestMessageId(env.domain, email);
    await passwordlessStart(page, options, { connection: 'email', send: 'link', email });
    const query = new URLSearchParams({ to: email, wait: '10000', ...(seen ? { after: seen } : {}) });
    const message = (await (await fetch(`${env.domain}/_dev/api/messages/latest?${query}`)).json()) as { link: string };
    expect(new URL(message.link).pathname).toBe('/passwordless/verify_redirect');
    await page.goto(message.link);
    await page.waitForURL(at(env.appOrigin, '/auth0js/callback.html'));
    const result = await parseHash(page, options);
    expect(result.idTokenPayload).toMatchObject({ email });
  }, TEST_TIMEOUT);

  test(`${LABEL}: an origin the client did not register is refused at /co/authenticate, and nothing is authorized`, async () => {
    const email = uniqueEmail('auth0js-origin');
    // The page is on 127.0.0.1, which only the other client registered.
    const options = webAuthOptions(env.crossSiteOrigin, CLIENT_ID);
    const requests = watch(page, ['/co/authenticate', '/authorize']);
    const refused = page.waitForResponse((r) => isPath(r.request(), env.domain, '/co/authenticate') && r.request().method() === 'POST');
    await page.goto(`${env.crossSiteOrigin}/auth0js/app.html`);
    const seen = await latestMessageId(env.domain, email);
    await passwordlessStart(page, options, { connection: 'email', send: 'code', email });
    const code = await waitForCode(env.domain, email, seen);
    await passwordlessLogin(page, { connection: 'email', email, verificationCode: code });
    const response = await refused;
    expect(response.status()).toBe(403);
    expect(await response.text()).toBe(`Origin ${env.crossSiteOrigin} is not allowed.`);
    await expect.poll(() => page.evaluate(() => (window as unknown as AppWindow).loginError ?? null)).not.toBeNull();
    expect(page.url()).toBe(`${env.crossSiteOrigin}/auth0js/app.html`);
    expect(requests.some((r) => isPath(r, env.domain, '/authorize'))).toBe(false);
  }, TEST_TIMEOUT);
});

/**
 * The cross-origin verification page, when the browser did not keep /co/authenticate's cookies (a
 * browser that refuses third-party cookies). On the app's own site the test drops them between
 * /co/authenticate and /authorize (auth0.js's onRedirecting hook), and the app's
 * crossOriginVerification() page answers with the verifier auth0.js kept in a cookie on the app's
 * host. From another site Chromium refuses /co/authenticate's cookies itself, but it also hides the
 * app's verifier cookie from the verification page's third-party iframe, so the page finds no
 * verifier and the login is refused: Auth0 documents that this fallback does not work in Chrome.
 */
describe(`${LABEL}: cross-origin verification`, () => {
  test(`${LABEL}: a browser without the session cookie → the verification page (crossOriginVerification) → /co/verify → parseHash`, async () => {
    // A browser that refused /co/authenticate's cookies: they are gone before auth0.js goes to /authorize.
    await page.exposeFunction('refuseSessionCookies', () => context.clearCookies({ name: /^(auth0|did)(_compat)?$/ }));
    const email = uniqueEmail('auth0js-fallback');
    const options = webAuthOptions(env.appOrigin);
    const requests = watch(page, ['/co/authenticate', '/authorize', '/co/verify']);
    await page.goto(`${env.appOrigin}/auth0js/app.html`);
    const seen = await latestMessageId(env.domain, email);
    await passwordlessStart(page, options, { connection: 'email', send: 'code', email });
    const code = await waitForCode(env.domain, email, seen);
    await passwordlessLogin(page, { connection: 'email', email, verificationCode: code }, 'refuseSessionCookies');
    await page.waitForURL(at(env.appOrigin, '/auth0js/callback.html'));

    const verify = requests.find((r) => isPath(r, env.domain, '/co/verify'));
    expect(verify, 'the login went through the verification page').toBeDefined();
    const form = new URLSearchParams(verify!.postData() ?? '');
    expect(form.get('verifier')).toBeTruthy();

    const result = await parseHash(page, options);
    expect(result.idTokenPayload).toMatchObject({ email, aud: CLIENT_ID });
    // The browser holds the session now, set by /co/verify.
    expect((await context.cookies(env.domain)).map((c) => c.name)).toContain('auth0');
    expect(await checkSession(page)).toEqual({ ok: true, email });
  }, TEST_TIMEOUT);

  test(`${LABEL}: from another site the verification page finds no verifier, and the app gets access_denied`, async () => {
    const email = uniqueEmail('auth0js-cross-site');
    const options = webAuthOptions(env.crossSiteOrigin, CROSS_SITE_CLIENT_ID);
    const requests = watch(page, ['/co/verify']);
    await page.goto(`${env.crossSiteOrigin}/auth0js/app.html`);
    const seen = await latestMessageId(env.domain, email);
    await passwordlessStart(page, options, { connection: 'email', send: 'code', email });
    const code = await waitForCode(env.domain, email, seen);
    await passwordlessLogin(page, { connection: 'email', email, verificationCode: code });
    await page.waitForURL(at(env.crossSiteOrigin, '/auth0js/callback.html'));
    expect(requests).toHaveLength(1);
    const hash = new URLSearchParams(new URL(page.url()).hash.slice(1));
    expect(hash.get('error')).toBe('access_denied');
    expect(hash.get('error_description')).toMatch(/Cross-origin verification failed/);
  }, TEST_TIMEOUT);
});
