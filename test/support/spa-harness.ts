import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { localhostTestApp, type TestAppOptions } from './app.js';

/**
 * Everything the auth0-spa-js conformance tests run against: Understudy listening on
 * http://localhost:<port> (the SDK's `domain`), and a tiny static "app" on http://localhost:<appPort>
 * that serves each SDK line's published browser bundle with an index page and a /callback page.
 * Same site, different ports: how an app is developed on localhost.
 */
export type SdkLine = 'v1' | 'v2';

export interface SdkBundle {
  line: SdkLine;
  /** The npm package the bundle comes from, as installed. */
  packageName: string;
  version: string;
  bundle: string;
  /** "@auth0/auth0-spa-js 2.28.3", for test titles. */
  label: string;
}

const nodeModules = fileURLToPath(new URL('../../node_modules/', import.meta.url));

function sdk(line: SdkLine, dir: string): SdkBundle {
  const pkg = JSON.parse(readFileSync(`${nodeModules}${dir}/package.json`, 'utf8')) as { name: string; version: string };
  // The UMD bundle: v2 defines `window.auth0`, v1 `window.createAuth0Client` (and `window.Auth0Client`).
  const bundle = readFileSync(`${nodeModules}${dir}/dist/auth0-spa-js.production.js`, 'utf8');
  return { line, packageName: pkg.name, version: pkg.version, bundle, label: `${pkg.name} ${pkg.version}` };
}

export const SDK_V2 = sdk('v2', '@auth0/auth0-spa-js');
/** Installed under the alias `auth0-spa-js-v1` (npm:@auth0/auth0-spa-js@1.x). */
export const SDK_V1 = sdk('v1', 'auth0-spa-js-v1');

export const CLIENT_ID = 'conformance-spa';
/** The same app registered without Allowed Web Origins (callbacks only), as a misconfigured Auth0 application. */
export const CLIENT_ID_NO_WEB_ORIGINS = 'conformance-spa-no-web-origins';

function appPage(line: SdkLine, title: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title><script src="/sdk/${line}.js"></script></head>
<body><h1 id="page">${title}</h1></body>
</html>
`;
}

/** The static app: /<line>/ (index), /<line>/callback and /sdk/<line>.js for both SDK lines. */
async function startStaticApp(): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  for (const sdkBundle of [SDK_V1, SDK_V2]) {
    const { line } = sdkBundle;
    app.get(`/sdk/${line}.js`, (_request, reply) =>
      reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'no-store').send(sdkBundle.bundle),
    );
    app.get(`/${line}/`, (_request, reply) => reply.type('text/html; charset=utf-8').send(appPage(line, `${sdkBundle.label} app`)));
    app.get(`/${line}/callback`, (_request, reply) => reply.type('text/html; charset=utf-8').send(appPage(line, `${sdkBundle.label} callback`)));
  }
  app.get('/favicon.ico', (_request, reply) => reply.status(204).send());
  // `localhost` binds both 127.0.0.1 and ::1 on the same port, whichever Chromium picks.
  await app.listen({ host: 'localhost', port: 0 });
  return app;
}

function portOf(app: FastifyInstance): number {
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server is not listening on a TCP port');
  return address.port;
}


export function conformanceTenant(appOrigin: string): unknown {
  const pages = ['v1', 'v2'].flatMap((line) => [`${appOrigin}/${line}/`, `${appOrigin}/${line}/callback`]);
  const otp = { totp: { length: 6, time_step: 180 } };
  return {
    tenant: { friendly_name: 'Conformance' },
    clients: [
      {
        name: 'Conformance SPA',
        client_id: CLIENT_ID,
        app_type: 'spa',
        token_endpoint_auth_method: 'none',
        callbacks: [appOrigin, ...pages],
        allowed_logout_urls: [appOrigin, ...pages],
        web_origins: [appOrigin],
        // What Auth0's dashboard sets for an SPA that turns on refresh token rotation.
        refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0, token_lifetime: 2592000, idle_token_lifetime: 1296000 },
      },
      {
        name: 'Conformance SPA without web origins',
        client_id: CLIENT_ID_NO_WEB_ORIGINS,
        app_type: 'spa',
        token_endpoint_auth_method: 'none',
        callbacks: [appOrigin, ...pages],
        allowed_logout_urls: [appOrigin, ...pages],
      },
    ],
    connections: [
      { name: 'email', strategy: 'email', options: otp },
      { name: 'sms', strategy: 'sms', options: otp },
    ],
  };
}

export interface ConformanceEnv {
  /** http://localhost:<port>, the SDK's `domain` (no trailing slash). */
  domain: string;
  appOrigin: string;
  understudy: FastifyInstance;
  close(): Promise<void>;
}

/**
 * The static app and Understudy with the tenant `tenantFor(appOrigin)` gives (the conformance tenant
 * unless told), and buildApp's other options (a Deploy CLI export's folder, for its Actions).
 */
export async function startConformanceEnv(
  tenantFor: (appOrigin: string) => unknown = conformanceTenant,
  options: Omit<TestAppOptions, 'issuer' | 'tenant'> = {},
): Promise<ConformanceEnv> {
  const staticApp = await startStaticApp();
  const appOrigin = `http://localhost:${portOf(staticApp)}`;
  try {
    const { app, domain } = await localhostTestApp(tenantFor(appOrigin), options);
    return {
      domain,
      appOrigin,
      understudy: app,
      async close() {
        await Promise.allSettled([app.close(), staticApp.close()]);
      },
    };
  } catch (err) {
    await staticApp.close();
    throw err;
  }
}

interface MailboxMessage {
  id: string;
  code?: string | null;
}

/** The id of the newest message for `to` right now, if any (to wait for a newer one after it). */
export async function latestMessageId(domain: string, to: string): Promise<string | undefined> {
  const response = await fetch(`${domain}/_dev/api/messages/latest?${new URLSearchParams({ to })}`);
  if (response.status === 404) return undefined;
  const body = (await response.json()) as MailboxMessage;
  if (response.status !== 200) throw new Error(`mailbox for ${to}: ${response.status} ${JSON.stringify(body)}`);
  return body.id;
}

/**
 * The code sent to `to` (newer than message `after` when given), through the dev mailbox API as a
 * user's own test would read it: `GET /_dev/api/messages/latest?to=…&wait=10000`.
 */
export async function waitForCode(domain: string, to: string, after?: string): Promise<string> {
  const query = new URLSearchParams({ to, wait: '10000', ...(after ? { after } : {}) });
  const response = await fetch(`${domain}/_dev/api/messages/latest?${query}`);
  const body = (await response.json()) as MailboxMessage;
  if (response.status !== 200 || !body.code) throw new Error(`no code for ${to}: ${response.status} ${JSON.stringify(body)}`);
  return body.code;
}

/** True when `url` is on `origin` at `pathname`. */
export const at = (origin: string, pathname: string) => (url: URL): boolean => url.origin === origin && url.pathname === pathname;

/**
 * Drives Understudy's Identifier First screens in `page` as a user does: the identifier on login-id,
 * Continue, the code from the mailbox, Continue. Returns once the code has been submitted.
 */
export async function completePasswordlessScreens(page: Page, domain: string, identifier: string): Promise<void> {
  await page.waitForURL(at(domain, '/u/login/identifier'));
  const to = identifier.includes('@') ? identifier.toLowerCase() : identifier;
  const seen = await latestMessageId(domain, to);
  await page.fill('#username', identifier);
  await page.click('button[type="submit"][value="default"]:has-text("Continue")');
  await page.waitForSelector('#code');
  const code = await waitForCode(domain, to, seen);
  await page.fill('#code', code);
  await page.click('button[type="submit"][value="default"]:has-text("Continue")');
}

let counter = 0;
/** A fresh email per test, so the mailbox's latest message for it is this test's code. */
export function uniqueEmail(tag: string): string {
  counter += 1;
  return `${tag}-${process.pid}-${counter}-${Date.now().toString(36)}@example.com`;
}
