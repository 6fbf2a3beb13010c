import { describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { decodeJwt } from 'jose';
import type * as SpaV2 from '@auth0/auth0-spa-js';
import { browserPerTest } from '../support/chromium.js';
import { eventually } from '../support/page-waits.js';
import { CLIENT_ID, SDK_V2, at, completePasswordlessScreens, conformanceTenant, startConformanceEnv, type ConformanceEnv } from '../support/spa-harness.js';

/**
 * auth0-spa-js 2.x, unmodified in Chromium, logging in to an organization
 * (docs/research/auth0-organizations.md §3.2): loginWithRedirect with `organization` shows the
 * organization's logo, and the SDK's own org_id check passes on the ID token; getTokenSilently's
 * access token names it; a non-member is refused; an invitation link is handled as the SDK's docs
 * say (the app forwards `organization` and `invitation`).
 */
interface AppWindow {
  auth0: typeof SpaV2;
  spa: SpaV2.Auth0Client;
}

const API = 'https://harbor-api.example';
const LOGO = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><rect width="48" height="48" fill="#ff5500"/></svg>')}`;
const MEMBER = 'member@acme.example';

let browser: Browser;
let env: ConformanceEnv;
let context: BrowserContext;
let page: Page;

const tenantFor = (appOrigin: string) => {
  const base = conformanceTenant(appOrigin) as { clients: Record<string, unknown>[] } & Record<string, unknown>;
  return {
    ...base,
    clients: [
      ...base.clients.map((c) => (c.client_id === CLIENT_ID ? { ...c, organization_usage: 'allow', initiate_login_uri: `${appOrigin}/v2/` } : c)),
      // Business users only: the organization is chosen after the login (post_login_prompt).
      { ...base.clients.find((c) => c.client_id === CLIENT_ID), name: 'Harbor Desk', client_id: 'harbor-desk', organization_usage: 'require', organization_require_behavior: 'post_login_prompt' },
      { name: 'Harbor Admin', client_id: 'harbor-admin', client_secret: 'harbor-admin-secret', app_type: 'non_interactive' },
    ],
    clientGrants: [{ client_id: 'Harbor Admin', audience: 'https://harbor.eu.auth0.com/api/v2/', scope: ['read:organizations', 'create:organization_invitations'] }],
    resourceServers: [{ identifier: API, name: 'Harbor API', scopes: [{ value: 'read:things' }] }],
    users: [{ connection: 'email', email: MEMBER }, { connection: 'email', email: 'outsider@elsewhere.example' }],
    organizations: [
      { name: 'acme', display_name: 'Acme', branding: { logo_url: LOGO }, connections: [{ name: 'email' }], members: [{ email: MEMBER }] },
      { name: 'globex', display_name: 'Globex', connections: [{ name: 'email' }], members: [{ email: MEMBER }] },
    ],
  };
};

browserPerTest(() => startConformanceEnv(tenantFor), (session) => ({ browser, env, context, page } = session));

async function admin(path: string, init: RequestInit = {}): Promise<Response> {
  const token = (await (await fetch(`${env.domain}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'harbor-admin', client_secret: 'harbor-admin-secret', audience: `${env.domain}/api/v2/` }) })).json()) as { access_token: string };
  return fetch(`${env.domain}/api/v2${path}`, { ...init, headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' } });
}
const acmeId = async (): Promise<string> => ((await (await admin('/organizations/name/acme')).json()) as { id: string }).id;

/** Without DPoP: the options as createAuth0Client's default overload takes them. */
type Options = SpaV2.Auth0ClientOptions & { refreshTokenMode?: 'offline' };
const options = (authorizationParams: SpaV2.AuthorizationParams): Options => ({
  domain: env.domain,
  clientId: CLIENT_ID,
  authorizationParams: { redirect_uri: `${env.appOrigin}/v2/callback`, connection: 'email', audience: API, ...authorizationParams },
});

/** loginWithRedirect → the screens (checked by `onScreen`, then `afterCode`) → handleRedirectCallback: the user and token, or the SDK's error. */
async function login(opts: Options, email: string, onScreen?: () => Promise<void>, afterCode?: () => Promise<void>) {
  await page.goto(`${env.appOrigin}/v2/`);
  await page.evaluate(async (o) => {
    const w = window as unknown as AppWindow;
    void (await w.auth0.createAuth0Client(o)).loginWithRedirect();
  }, opts);
  await page.waitForURL(at(env.domain, '/u/login/identifier'));
  await onScreen?.();
  await completePasswordlessScreens(page, env.domain, email);
  await afterCode?.();
  await page.waitForURL(at(env.appOrigin, '/v2/callback'));
  return page.evaluate(async (o) => {
    const w = window as unknown as AppWindow;
    w.spa = await w.auth0.createAuth0Client(o);
    try {
      await w.spa.handleRedirectCallback();
      return { user: await w.spa.getUser(), token: await w.spa.getTokenSilently() };
    } catch (err) {
      const e = err as { error?: string; error_description?: string };
      return { error: e.error, description: e.error_description };
    }
  }, opts);
}

describe(`${SDK_V2.label}: organizations`, () => {
  test('loginWithRedirect to an organization: its logo on the screen, org_id in the ID token and in getTokenSilently\'s access token', async () => {
    const org = await acmeId();
    const result = await login(options({ organization: org }), MEMBER, async () => {
      await eventually(() => page.locator('img.logo').getAttribute('src', { timeout: 1_000 }).catch(() => null)).toBe(LOGO);
    });
    expect(result).toMatchObject({ user: { email: MEMBER, org_id: org } });
    expect(decodeJwt(String(result.token))).toMatchObject({ org_id: org, aud: [API, `${env.domain}/userinfo`] });
  }, 90_000);

  test('a non-member is refused, and the SDK reports Auth0\'s error', async () => {
    const org = await acmeId();
    const result = await login(options({ organization: org }), 'outsider@elsewhere.example');
    expect(result).toMatchObject({ error: 'access_denied', description: expect.stringMatching(new RegExp(`is not part of the ${org} organization$`)) });
  }, 90_000);

  test('an invitation link: the app forwards organization and invitation, and the invitee logs in as a member', async () => {
    const org = await acmeId();
    const created = await admin(`/organizations/${org}/invitations`, { method: 'POST', body: JSON.stringify({ inviter: { name: 'Ada' }, invitee: { email: 'invitee@acme.example' }, client_id: CLIENT_ID, send_invitation_email: false }) });
    expect(created.status).toBe(201);
    const link = new URL(((await created.json()) as { invitation_url: string }).invitation_url);
    expect(`${link.origin}${link.pathname}`).toBe(`${env.appOrigin}/v2/`);
    // As auth0-spa-js documents: read `invitation` and `organization` from the link, pass them on.
    const invitation = link.searchParams.get('invitation')!;
    const result = await login(options({ organization: link.searchParams.get('organization')!, invitation }), 'invitee@acme.example', async () => {
      await eventually(() => page.locator('#username').inputValue({ timeout: 1_000 }).catch(() => null)).toBe('invitee@acme.example');
    });
    expect(result).toMatchObject({ user: { email: 'invitee@acme.example', org_id: org } });
  }, 90_000);

  test('a client that requires an organization: a user in two chooses one on organization-picker, and the token names it', async () => {
    const globex = ((await (await admin('/organizations/name/globex')).json()) as { id: string }).id;
    const result = await login({ ...options({}), clientId: 'harbor-desk' }, MEMBER, undefined, async () => {
      await page.waitForURL(at(env.domain, '/u/organization-picker'));
      await page.click('button[name="organization"]:has-text("Globex")');
    });
    expect(result).toMatchObject({ user: { email: MEMBER, org_id: globex } });
    expect(decodeJwt(String(result.token))).toMatchObject({ org_id: globex });
  }, 90_000);
});
