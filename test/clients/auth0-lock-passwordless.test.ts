import { expect, test } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { browserPerTest } from '../support/chromium.js';
import { expectVisible, eventually } from '../support/page-waits.js';
import { at, latestMessageId, uniqueEmail, waitForCode } from '../support/spa-harness.js';
import { AUTH0_LOCK, CLIENT_ID, LOCK_AUTH0_JS, startEmbeddedEnv, type EmbeddedEnv } from '../support/embedded-harness.js';

/**
 * Lock Passwordless (auth0-lock, bundled from the npm package as Auth0's CDN build is, with the
 * auth0.js it depends on) in real Chromium on a page on another origin than Understudy's: Lock loads
 * the client's settings from /client/<client_id>.js, the user types an email and the code from the
 * mailbox into Lock's own screens, Lock logs in through /passwordless/start, /co/authenticate and
 * /authorize?login_ticket, and on the callback page parses the answer into its `authenticated` event;
 * then Lock's logout ends the session.
 */
const LABEL = `auth0-lock ${AUTH0_LOCK.version} (auth0-js ${LOCK_AUTH0_JS.version})`;
const TEST_TIMEOUT = 90_000;

interface LockResult {
  accessToken: string;
  idTokenPayload: Record<string, unknown>;
}
interface Lock {
  show(): void;
  on(event: string, listener: (value: unknown) => void): void;
  logout(query: Record<string, unknown>): void;
  checkSession(options: Record<string, unknown>, cb: (err: { error?: string; code?: string } | null, result?: LockResult) => void): void;
}
interface LockWindow {
  Auth0LockPasswordless: new (clientId: string, domain: string, options: Record<string, unknown>) => Lock;
  lock: Lock;
  authenticated?: LockResult;
  lockError?: unknown;
}

let env: EmbeddedEnv;
let page: Page;

browserPerTest(startEmbeddedEnv, (session) => ({ env, page } = session));

/**
 * Lock's options for an app on plain-HTTP Understudy (README: "Embedded passwordless"). The last three
 * keep Lock offline: no Gravatar lookup, no logo and no translation file from Auth0's CDN (Lock falls
 * back to the English it bundles when the file is not found).
 */
function lockOptions(): Record<string, unknown> {
  return {
    configurationBaseUrl: env.domain,
    overrides: { __token_issuer: env.issuer },
    avatar: null,
    theme: { logo: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=' },
    languageBaseUrl: env.appOrigin,
    allowedConnections: ['email'],
    passwordlessMethod: 'code',
    auth: { redirectUrl: `${env.appOrigin}/lock/callback.html`, responseType: 'token id_token', params: { scope: 'openid profile email' } },
  };
}

/** A Lock on the page, listening for its outcome from the moment it exists (it parses the hash on the next tick). */
async function createLock(target: Page): Promise<void> {
  await target.evaluate(
    ({ clientId, domain, options }) => {
      const w = window as unknown as LockWindow;
      w.lock = new w.Auth0LockPasswordless(clientId, domain, options);
      w.lock.on('authenticated', (result) => {
        w.authenticated = result as LockResult;
      });
      w.lock.on('authorization_error', (error) => {
        w.lockError = error;
      });
    },
    { clientId: CLIENT_ID, domain: env.domain, options: lockOptions() },
  );
}

const isPath = (request: Request, pathname: string): boolean => {
  const url = new URL(request.url());
  return url.origin === env.domain && url.pathname === pathname;
};

test(`${LABEL}: Lock Passwordless (email code) → /co/authenticate → /authorize?login_ticket → authenticated; logout`, async () => {
  const email = uniqueEmail('lock');
  const requests: Request[] = [];
  const elsewhere: string[] = [];
  page.on('request', (request) => {
    const { origin } = new URL(request.url());
    if (origin === env.domain) requests.push(request);
    else if (origin !== env.appOrigin && !request.url().startsWith('data:')) elsewhere.push(request.url());
  });
  await page.goto(`${env.appOrigin}/lock/app.html`);
  await createLock(page);
  await page.evaluate(() => (window as unknown as LockWindow).lock.show());

  // Lock asked Understudy for the client's settings, then shows its email screen.
  const emailInput = page.locator('.auth0-lock input[name="email"]');
  await expectVisible(emailInput);
  const settings = requests.find((r) => isPath(r, `/client/${CLIENT_ID}.js`));
  expect(settings, 'Lock loaded /client/<client_id>.js').toBeDefined();

  const seen = await latestMessageId(env.domain, email);
  await emailInput.fill(email);
  await page.locator('.auth0-lock .auth0-lock-submit').click();
  const codeInput = page.locator('.auth0-lock input[name="vcode"]');
  await expectVisible(codeInput);
  const start = requests.find((r) => isPath(r, '/passwordless/start'))!;
  expect(start.postDataJSON()).toMatchObject({ client_id: CLIENT_ID, connection: 'email', send: 'code', email });

  const code = await waitForCode(env.domain, email, seen);
  await codeInput.fill(code);
  await page.locator('.auth0-lock .auth0-lock-submit').click();
  await page.waitForURL(at(env.appOrigin, '/lock/callback.html'));

  const authenticate = requests.find((r) => isPath(r, '/co/authenticate'))!;
  expect(authenticate.postDataJSON()).toEqual({ client_id: CLIENT_ID, username: email, otp: code, realm: 'email', credential_type: 'http://auth0.com/oauth/grant-type/passwordless/otp' });
  expect(new URL(requests.find((r) => isPath(r, '/authorize') && new URL(r.url()).searchParams.has('login_ticket'))!.url()).searchParams.get('client_id')).toBe(CLIENT_ID);

  // The callback page's Lock parses the answer into `authenticated`.
  await createLock(page);
  await eventually(() => page.evaluate(() => (window as unknown as LockWindow).authenticated?.idTokenPayload.email ?? null)).toBe(email);
  const accessToken = await page.evaluate(() => (window as unknown as LockWindow).authenticated!.accessToken);
  const userinfo = await fetch(`${env.domain}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  expect(await userinfo.json()).toMatchObject({ email });

  await page.evaluate((returnTo) => (window as unknown as LockWindow).lock.logout({ returnTo }), `${env.appOrigin}/lock/app.html`);
  await page.waitForURL(at(env.appOrigin, '/lock/app.html'));
  expect(requests.some((r) => isPath(r, '/v2/logout'))).toBe(true);
  await createLock(page);
  const session = await page.evaluate(
    () =>
      new Promise<string | undefined>((resolve) => {
        (window as unknown as LockWindow).lock.checkSession({}, (err) => resolve(err ? (err.error ?? err.code) : undefined));
      }),
  );
  expect(session).toBe('login_required');
  // Nothing came from Auth0's CDN or anywhere else: Lock ran offline against Understudy.
  expect(elsewhere).toEqual([]);
}, TEST_TIMEOUT);
