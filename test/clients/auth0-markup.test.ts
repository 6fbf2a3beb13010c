import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { launchChromium } from '../support/chromium.js';
import { eventually, expectVisible, textOf } from '../support/page-waits.js';
import { latestMessageId, waitForCode } from '../support/spa-harness.js';
import { localhostTestApp } from '../support/app.js';
import { pkcePair } from '../support/flows.js';
import { startCallbackPage } from '../support/net.js';

/**
 * The login screens in Chromium through nothing but the markup public Auth0 suites select on
 * Auth0's own pages: `button[data-action-button-primary="true"]`, the `_button-login-id` and
 * `_button-login-password` classes, the field errors `#error-element-code` and
 * `#error-element-password`, a primary button named "Continue", and the passkey-enrollment decline
 * named /continue without passkey/i; for typing, the inputs as Auth0 names them
 * (`input[name=username]`, `#password`, `input[name=code]`).
 */
const DB = 'Username-Password-Authentication';
const PASSWORD = 'correct horse battery';
const CLIENT_ID = 'markup-spa';
// The app: a bare page on its own port, started before the tests (the test reads the code from its URL).
let CALLBACK_ORIGIN: string;
let CALLBACK: string;
const TEST_TIMEOUT = 90_000;

const PRIMARY = 'button[data-action-button-primary="true"]';
const continueButton = (page: Page) => page.getByRole('button', { name: 'Continue', exact: true });

function tenantWith(prompts: Record<string, boolean>): unknown {
  return {
    tenant: { friendly_name: 'Markup Tenant' },
    prompts,
    clients: [{ name: 'Markup SPA', client_id: CLIENT_ID, app_type: 'spa', callbacks: [CALLBACK], allowed_logout_urls: [CALLBACK], web_origins: [CALLBACK_ORIGIN] }],
    connections: [
      { name: DB, strategy: 'auth0' },
      { name: 'email', strategy: 'email' },
      { name: 'google-oauth2', strategy: 'google-oauth2' },
    ],
    users: [{ connection: DB, email: 'dana@example.com', user_id: 'auth0|dana-markup', name: 'Dana Scully', password: PASSWORD }],
  };
}

let browser: Browser;
let callbackPage: Awaited<ReturnType<typeof startCallbackPage>>;
beforeAll(async () => {
  callbackPage = await startCallbackPage();
  CALLBACK_ORIGIN = callbackPage.origin;
  CALLBACK = `${CALLBACK_ORIGIN}/callback`;
  browser = await launchChromium();
}, 300_000); // room for a one-time `apt-get install chromium`
afterAll(async () => {
  await Promise.allSettled([browser?.close(), callbackPage?.close()]);
});

async function openPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(30_000);
  return { context, page: await context.newPage() };
}

/** /authorize (code + PKCE); returns the verifier for the exchange. */
async function authorize(page: Page, domain: string, params: Record<string, string> = {}): Promise<string> {
  const { verifier, challenge } = pkcePair();
  const query = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid profile email', state: 'markup-state', code_challenge: challenge, code_challenge_method: 'S256', ...params });
  await page.goto(`${domain}/authorize?${query}`);
  return verifier;
}

/** Waits for the app's callback and exchanges its code; returns the ID token's claims. */
async function atCallback(page: Page, domain: string, verifier: string): Promise<Record<string, unknown>> {
  await page.waitForURL((url) => url.href.startsWith(CALLBACK));
  const url = new URL(page.url());
  expect(url.searchParams.get('state')).toBe('markup-state');
  const response = await fetch(`${domain}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: CLIENT_ID, code: url.searchParams.get('code') ?? '', code_verifier: verifier, redirect_uri: CALLBACK }),
  });
  expect(response.status).toBe(200);
  return decodeJwt(((await response.json()) as { id_token: string }).id_token) as Record<string, unknown>;
}

/** Exactly one visible primary button on the screen, and (where it is named so) one button named exactly "Continue". */
async function expectOnePrimary(page: Page, name: string | RegExp = 'Continue'): Promise<void> {
  await expectVisible(page.locator(PRIMARY));
  await eventually(() => page.locator(`${PRIMARY}:visible`).count()).toBe(1);
  if (name === 'Continue') {
    await eventually(() => continueButton(page).count()).toBe(1);
    expect(await page.locator(PRIMARY).getAttribute('data-action-button-primary')).toBe('true');
    expect((await page.locator(PRIMARY).textContent())?.trim()).toBe('Continue');
  } else {
    expect((await page.locator(PRIMARY).textContent())?.trim()).toMatch(name);
  }
}

describe('Auth0 markup in Chromium: Identifier First', () => {
  let app: FastifyInstance;
  let domain: string;
  beforeAll(async () => {
    ({ app, domain } = await localhostTestApp(tenantWith({ identifier_first: true })));
  });
  afterAll(async () => {
    await app?.close();
  });

  test(
    'the email-code flow: login-id → a wrong code shows #error-element-code → the right code → the app',
    async () => {
      const { context, page } = await openPage();
      try {
        const email = `markup-${Date.now().toString(36)}@example.com`;
        const verifier = await authorize(page, domain, { connection: 'email' });
        await expectOnePrimary(page);
        const seen = await latestMessageId(domain, email);
        await page.locator('input[name=username]').fill(email);
        await page.locator('button._button-login-id').click();

        await page.waitForURL(/\/u\/login\/passwordless-email-challenge\?/);
        await expectOnePrimary(page);
        const code = await waitForCode(domain, email, seen);
        await page.locator('input[name=code]').fill(code === '000000' ? '111111' : '000000');
        await page.locator(PRIMARY).click();
        await eventually(textOf(page.locator('#error-element-code'))).toBe('The code you entered is invalid');
        expect(await page.locator('#error-element-code').getAttribute('data-error-code')).toBe('invalid-code');

        await page.locator('input[name=code]').fill(code);
        await continueButton(page).click();
        const claims = await atCallback(page, domain, verifier);
        expect(claims.email).toBe(email);
      } finally {
        await context.close();
      }
    },
    TEST_TIMEOUT,
  );

  test(
    'the password flow: login-id → password → a wrong password shows #error-element-password → the right one → the app',
    async () => {
      const { context, page } = await openPage();
      try {
        const verifier = await authorize(page, domain);
        await expectOnePrimary(page);
        await page.locator('input[name=username]').fill('dana@example.com');
        await page.locator('button._button-login-id').click();

        await page.waitForURL(/\/u\/login\/password\?/);
        await expectOnePrimary(page);
        await page.locator('#password').fill('incorrect horse');
        await page.locator('button._button-login-password').click();
        await eventually(textOf(page.locator('#error-element-password'))).toBe('Wrong email or password');
        expect(await page.locator('#error-element-password').getAttribute('data-error-code')).toBe('wrong-email-credentials');

        await page.locator('#password').fill(PASSWORD);
        await page.locator(PRIMARY).click();
        const claims = await atCallback(page, domain, verifier);
        expect(claims.sub).toBe('auth0|dana-markup');
      } finally {
        await context.close();
      }
    },
    TEST_TIMEOUT,
  );

  test(
    'the mock social provider has one primary button too',
    async () => {
      const { context, page } = await openPage();
      try {
        const verifier = await authorize(page, domain);
        await page.getByRole('button', { name: 'Continue with Google' }).click();
        await page.waitForURL(/\/u\/login\/social\?/);
        await expectOnePrimary(page, /^Continue as /);
        await page.locator(PRIMARY).click();
        expect((await atCallback(page, domain, verifier)).sub).toMatch(/^google-oauth2\|/);
      } finally {
        await context.close();
      }
    },
    TEST_TIMEOUT,
  );
});

describe('Auth0 markup in Chromium: Identifier + Password', () => {
  let app: FastifyInstance;
  let domain: string;
  beforeAll(async () => {
    ({ app, domain } = await localhostTestApp(tenantWith({ identifier_first: false })));
  });
  afterAll(async () => {
    await app?.close();
  });

  test(
    'the one-page login: a wrong password shows #error-element-password under the password, then the right one logs in',
    async () => {
      const { context, page } = await openPage();
      try {
        const verifier = await authorize(page, domain);
        await expectOnePrimary(page);
        await page.locator('input[name=username]').fill('dana@example.com');
        await page.locator('#password').fill('incorrect horse');
        await continueButton(page).click();
        await eventually(textOf(page.locator('#error-element-password'))).toBe('Wrong email or password');
        await page.locator('#password').fill(PASSWORD);
        await page.locator(PRIMARY).click();
        expect((await atCallback(page, domain, verifier)).sub).toBe('auth0|dana-markup');
      } finally {
        await context.close();
      }
    },
    TEST_TIMEOUT,
  );
});

describe('Auth0 markup in Chromium: Identifier First + Biometrics', () => {
  let app: FastifyInstance;
  let domain: string;
  beforeAll(async () => {
    ({ app, domain } = await localhostTestApp(tenantWith({ identifier_first: true, webauthn_platform_first_factor: true })));
  });
  afterAll(async () => {
    await app?.close();
  });

  test(
    'passkey-enrollment: one primary ("Create a passkey"), declined by /continue without passkey/i; then a passkey made there logs in from the passkey screen',
    async () => {
      const { context, page } = await openPage();
      try {
        const cdp = await context.newCDPSession(page);
        await cdp.send('WebAuthn.enable');
        await cdp.send('WebAuthn.addVirtualAuthenticator', {
          options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
        });
        const toEnrollment = async (): Promise<string> => {
          const verifier = await authorize(page, domain);
          await page.locator('input[name=username]').fill('dana@example.com');
          await page.locator('button._button-login-id').click();
          await page.waitForURL(/\/u\/login\/password\?/);
          await page.locator('#password').fill(PASSWORD);
          await page.locator('button._button-login-password').click();
          await page.waitForURL(/\/u\/passkey-enrollment\?/);
          return verifier;
        };

        // Declined: on to the app without a passkey.
        let verifier = await toEnrollment();
        await expectOnePrimary(page, /^Create a passkey$/);
        await page.getByRole('button', { name: /continue without passkey/i }).click();
        expect((await atCallback(page, domain, verifier)).sub).toBe('auth0|dana-markup');

        // Accepted: the primary button creates one.
        await page.goto(`${domain}/v2/logout?client_id=${CLIENT_ID}&returnTo=${encodeURIComponent(CALLBACK)}`);
        await page.waitForURL((url) => url.href.startsWith(CALLBACK));
        verifier = await toEnrollment();
        await page.locator(PRIMARY).click();
        await atCallback(page, domain, verifier);

        // The identifier of a user with a passkey leads to the passkey screen, whose primary button uses it.
        await page.goto(`${domain}/v2/logout?client_id=${CLIENT_ID}&returnTo=${encodeURIComponent(CALLBACK)}`);
        await page.waitForURL((url) => url.href.startsWith(CALLBACK));
        verifier = await authorize(page, domain);
        await page.locator('input[name=username]').fill('dana@example.com');
        await page.locator('button._button-login-id').click();
        await page.waitForURL(/\/u\/login\/passkey\?/);
        await expectOnePrimary(page, /^Continue with a passkey$/);
        await page.locator(PRIMARY).click();
        expect((await atCallback(page, domain, verifier)).sub).toBe('auth0|dana-markup');
      } finally {
        await context.close();
      }
    },
    TEST_TIMEOUT,
  );
});
