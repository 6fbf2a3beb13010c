import { describe, expect, test } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { browserPerTest } from '../support/chromium.js';
import { eventually, expectVisible, textOf } from '../support/page-waits.js';
import { localhostTestApp } from '../support/app.js';
import { pkcePair } from '../support/flows.js';
import { startCallbackPage } from '../support/net.js';

/**
 * Identifier First + Biometrics in real Chromium with the DevTools virtual authenticator (a platform
 * authenticator with resident keys and user verification): password login → passkey enrolment →
 * /v2/logout → passkey login from login-id ("Continue with a passkey") → tokens for the same sub, and
 * the passkey challenge after the identifier. Understudy listens on http://localhost:<port> (a secure
 * context for WebAuthn) with that as its issuer, so the RP ID is "localhost".
 */
const CLIENT_ID = 'passkey-spa';
const DB = 'Username-Password-Authentication';
const EMAIL = 'dana@example.com';
const PASSWORD = 'correct horse battery';
const TEST_TIMEOUT = 90_000;

let understudy: FastifyInstance;
let domain: string;
/** The app's callback: a bare page on its own port (the test reads the code from the URL). */
let callback: string;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;

async function startEnv(): Promise<{ close(): Promise<void> }> {
  const appPage = await startCallbackPage();
  callback = `${appPage.origin}/callback`;
  const tenant = {
    tenant: { friendly_name: 'Passkey Tenant' },
    prompts: { identifier_first: true, webauthn_platform_first_factor: true },
    clients: [{ name: 'Passkey SPA', client_id: CLIENT_ID, app_type: 'spa', callbacks: [callback], allowed_logout_urls: [callback], web_origins: [appPage.origin] }],
    connections: [{ name: DB, strategy: 'auth0' }],
    users: [{ connection: DB, email: EMAIL, user_id: 'auth0|dana-passkey', name: 'Dana Scully', password: PASSWORD }],
  };
  try {
    ({ app: understudy, domain } = await localhostTestApp(tenant));
  } catch (err) {
    await appPage.close();
    throw err;
  }
  return { close: async () => void (await Promise.allSettled([understudy.close(), appPage.close()])) };
}

browserPerTest(startEnv, (session) => ({ page } = session), {
  async eachTest({ context }) {
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const added = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    authenticatorId = added.authenticatorId;
  },
});

/** Opens /authorize (code + PKCE) and returns the verifier for the exchange. */
async function authorize(): Promise<string> {
  const { verifier, challenge } = pkcePair();
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: callback,
    response_type: 'code',
    scope: 'openid profile email',
    state: 'app-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  await page.goto(`${domain}/authorize?${query}`);
  return verifier;
}

/** Waits for the callback and exchanges its code; returns the ID token's claims. */
async function tokensAtCallback(verifier: string): Promise<Record<string, unknown>> {
  await page.waitForURL((url) => url.href.startsWith(callback));
  const url = new URL(page.url());
  expect(url.searchParams.get('state')).toBe('app-state');
  const code = url.searchParams.get('code');
  expect(code).toBeTruthy();
  const response = await fetch(`${domain}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: CLIENT_ID, code: code!, code_verifier: verifier, redirect_uri: callback }),
  });
  expect(response.status).toBe(200);
  const tokens = (await response.json()) as { id_token: string; access_token: string };
  return decodeJwt(tokens.id_token) as Record<string, unknown>;
}

const screenOf = (p: Page) => (): Promise<string | null> => p.locator('main.card').getAttribute('data-screen', { timeout: 1_000 }).catch(() => null);

describe('passkeys (Identifier First + Biometrics) in Chromium with a virtual authenticator', () => {
  test(
    'password login → enrol a passkey → logout → passkey login from login-id and after the identifier → the same sub',
    async () => {
      // 1. Password login, then the passkey-enrollment screen.
      let verifier = await authorize();
      await eventually(screenOf(page)).toBe('login-id');
      await page.locator('#username').fill(EMAIL);
      await page.getByRole('button', { name: 'Continue', exact: true }).click();
      await page.waitForURL(/\/u\/login\/password\?/);
      await page.locator('#password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Continue', exact: true }).click();
      await page.waitForURL(/\/u\/passkey-enrollment\?/);
      expect(await page.title()).toBe('Create a passkey | Passkey SPA');
      await expectVisible(page.getByRole('button', { name: 'Continue without passkeys' }));

      // 2. Create the passkey: the virtual authenticator answers navigator.credentials.create().
      await page.getByRole('button', { name: 'Create a passkey' }).click();
      const first = await tokensAtCallback(verifier);
      expect(first.sub).toBe('auth0|dana-passkey');
      const stored = await understudy.deps.store.listPasskeys('auth0|dana-passkey');
      expect(stored).toHaveLength(1);
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(credentials).toHaveLength(1);
      expect(credentials[0]?.isResidentCredential).toBe(true);
      expect(Buffer.from(credentials[0]!.credentialId, 'base64').toString('base64url')).toBe(stored[0]!.id);
      expect(credentials[0]?.rpId).toBe('localhost');

      // 3. Log out: the SSO session ends, so the next /authorize shows login-id again.
      await page.goto(`${domain}/v2/logout?client_id=${CLIENT_ID}&returnTo=${encodeURIComponent(callback)}`);
      await page.waitForURL((url) => url.href.startsWith(callback));

      // 4. "Continue with a passkey" on login-id (discoverable credential, no identifier typed).
      verifier = await authorize();
      await eventually(screenOf(page)).toBe('login-id');
      await page.getByRole('button', { name: 'Continue with a passkey' }).click();
      const second = await tokensAtCallback(verifier);
      expect(second.sub).toBe(first.sub);
      const afterUse = await understudy.deps.store.findPasskey(stored[0]!.id);
      expect(afterUse?.lastUsedAt).toBeTruthy();

      // 5. Again after logout, this time by the identifier: the passkey challenge replaces the password.
      await page.goto(`${domain}/v2/logout?client_id=${CLIENT_ID}&returnTo=${encodeURIComponent(callback)}`);
      await page.waitForURL((url) => url.href.startsWith(callback));
      verifier = await authorize();
      await page.locator('#username').fill(EMAIL);
      await page.getByRole('button', { name: 'Continue', exact: true }).click();
      await page.waitForURL(/\/u\/login\/passkey\?/);
      await eventually(screenOf(page)).toBe('login-passkey');
      await expectVisible(page.getByRole('link', { name: 'Use password instead' }));
      await page.getByRole('button', { name: 'Continue with a passkey' }).click();
      const third = await tokensAtCallback(verifier);
      expect(third.sub).toBe(first.sub);
    },
    TEST_TIMEOUT,
  );

  test(
    'a passkey deleted on the dev mailbox page no longer logs in; the password still does',
    async () => {
      // Start clean: the dev API lists the user's passkeys (from the test before) and deletes them.
      const deleteAll = async (): Promise<number> => {
        const listed = (await (await fetch(`${domain}/_dev/api/passkeys`)).json()) as { passkeys: { id: string; user_id: string; email?: string }[] };
        const mine = listed.passkeys.filter((p) => p.user_id === 'auth0|dana-passkey');
        for (const passkey of mine) {
          const deleted = await fetch(`${domain}/_dev/api/passkeys/${encodeURIComponent(passkey.id)}`, { method: 'DELETE' });
          expect(deleted.status).toBe(204);
        }
        return mine.length;
      };
      await deleteAll();

      // Password login and enrolment on this context's fresh authenticator.
      const verifier1 = await authorize();
      await page.locator('#username').fill(EMAIL);
      await page.getByRole('button', { name: 'Continue', exact: true }).click();
      await page.waitForURL(/\/u\/login\/password\?/);
      await page.locator('#password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Continue', exact: true }).click();
      await page.waitForURL(/\/u\/passkey-enrollment\?/);
      await page.getByRole('button', { name: 'Create a passkey' }).click();
      await tokensAtCallback(verifier1);

      // The dev mailbox page lists it under the user and deletes it.
      const [created] = await understudy.deps.store.listPasskeys('auth0|dana-passkey');
      await page.goto(`${domain}/_dev/mailbox`);
      const listed = page.locator('#passkeys .user');
      await eventually(textOf(listed.getByRole('heading'))).toContain(EMAIL);
      await eventually(textOf(listed.locator('code'))).toBe(created!.id);
      await page.getByRole('button', { name: `Delete passkey ${created!.id} of ${EMAIL}` }).click();
      await page.locator('#passkeys-count', { hasText: /^0$/ }).waitFor();
      expect(await understudy.deps.store.listPasskeys('auth0|dana-passkey')).toEqual([]);
      expect(await deleteAll()).toBe(0);

      await page.goto(`${domain}/v2/logout?client_id=${CLIENT_ID}&returnTo=${encodeURIComponent(callback)}`);
      await page.waitForURL((url) => url.href.startsWith(callback));

      // The authenticator still offers its credential, but Understudy no longer knows it.
      await authorize();
      // The click starts the WebAuthn ceremony and a POST; the page is at /u/login/identifier before
      // and after it, so wait for the error itself, not for the URL.
      await page.getByRole('button', { name: 'Continue with a passkey' }).click();
      await expectVisible(page.getByText('This passkey is not registered for this account.'));
      expect(page.url()).toMatch(/\/u\/login\/identifier\?/);
      // The identifier now leads to the password again.
      await page.locator('#username').fill(EMAIL);
      await page.getByRole('button', { name: 'Continue', exact: true }).click();
      await page.waitForURL(/\/u\/login\/password\?/);
    },
    TEST_TIMEOUT,
  );
});
