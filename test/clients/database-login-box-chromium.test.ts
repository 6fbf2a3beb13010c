import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { browserPerTest } from '../support/chromium.js';
import { eventually, textOf } from '../support/page-waits.js';
import { latestMessageId } from '../support/spa-harness.js';
import { pkcePair } from '../support/flows.js';
import { startCallbackEnv } from '../support/callback-env.js';

/**
 * The database login box in Chromium, through nothing but the pages and the dev mailbox: sign-up from
 * login-id's "Sign up" link (a policy refusal first) to the application, then the verification link;
 * and "Forgot password?": the password screen's link, the request, the emailed link, a refusal under
 * the connection's policy, the new password; then the old password fails and the new one logs in.
 */
const CLIENT_ID = 'reset-spa';
const DB = 'Username-Password-Authentication';
const EMAIL = 'sam.reset@example.com';
const OLD = 'Old-password-1';
const NEW = 'Brand-new-pass-2';
const TEST_TIMEOUT = 90_000;

let domain: string;
let callback: string;
let page: Page;

async function startEnv() {
  const env = await startCallbackEnv((site) => ({
    clients: [{ name: 'Reset SPA', client_id: CLIENT_ID, app_type: 'spa', callbacks: [site.callback], web_origins: [site.origin] }],
    connections: [{ name: DB, strategy: 'auth0', options: { passwordPolicy: 'good', authentication_methods: { password: { enabled: true }, email_otp: { enabled: true } } } }],
    users: [{ connection: DB, email: EMAIL, password: OLD }],
  }));
  ({ domain, callback } = env);
  return env;
}

browserPerTest(startEnv, (session) => ({ page } = session));

const primary = () => page.locator('button[data-action-button-primary="true"]');

/** /authorize, the email, up to the password screen. */
let lastVerifier = '';
async function toPasswordScreen(): Promise<void> {
  const { verifier, challenge } = pkcePair();
  lastVerifier = verifier;
  const query = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: callback, response_type: 'code', scope: 'openid email', state: 's', code_challenge: challenge, code_challenge_method: 'S256' });
  await page.goto(`${domain}/authorize?${query}`);
  await page.locator('input[name=username]').fill(EMAIL);
  await primary().click();
  await page.waitForURL(/\/u\/login\/password\?/);
}

/** The newest message for EMAIL after `seen`, waited for with the mailbox's long poll. */
async function nextLink(seen: string | undefined): Promise<string> {
  const query = new URLSearchParams({ to: EMAIL, wait: '10000', ...(seen ? { after: seen } : {}) });
  const response = await fetch(`${domain}/_dev/api/messages/latest?${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { link: string }).link;
}

test(
  'forgot password: the mailed link sets a new password; the old one then fails and the new one logs in',
  async () => {
    await toPasswordScreen();
    const seen = await latestMessageId(domain, EMAIL);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(/\/u\/reset-password\/request\?/);
    await expect.poll(() => page.locator('input[name=email]').inputValue()).toBe(EMAIL);
    await primary().click();
    await eventually(textOf(page.locator('h1'))).toBe('Check Your Email');

    await page.goto(await nextLink(seen));
    await page.locator('#password').fill('weakpass');
    await page.locator('#re-enter-password').fill('weakpass');
    await primary().click();
    await eventually(textOf(page.locator('#error-element-password'))).toBe('The password is too weak');
    await page.locator('#password').fill(NEW);
    await page.locator('#re-enter-password').fill(NEW);
    await primary().click();
    await eventually(textOf(page.locator('h1'))).toBe('Password Changed!');

    await toPasswordScreen();
    await page.locator('input[name=password]').fill(OLD);
    await primary().click();
    await eventually(textOf(page.locator('#error-element-password'))).toBe('Wrong email or password');
    await page.locator('input[name=password]').fill(NEW);
    await primary().click();
    await page.waitForURL((url) => url.href.startsWith(callback));
    expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
  },
  TEST_TIMEOUT,
);

test(
  'sign-up through the "Sign up" link: a weak password refused, then the application; the verification link verifies the email',
  async () => {
    const email = `new-${Date.now().toString(36)}@example.com`;
    const { challenge } = pkcePair();
    const query = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: callback, response_type: 'code', scope: 'openid email', state: 's', code_challenge: challenge, code_challenge_method: 'S256' });
    await page.goto(`${domain}/authorize?${query}`);
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.waitForURL(/\/u\/signup\/identifier\?/);
    await page.locator('input[name=email]').fill(email);
    await primary().click();
    await page.waitForURL(/\/u\/signup\/password\?/);
    await page.locator('input[name=password]').fill('weakling');
    await primary().click();
    await eventually(textOf(page.locator('#error-element-password'))).toBe('The password is too weak');
    await page.locator('input[name=password]').fill('Sturdy-pass-1');
    await primary().click();
    await page.waitForURL((url) => url.href.startsWith(callback));

    const mail = await fetch(`${domain}/_dev/api/messages/latest?${new URLSearchParams({ to: email, wait: '10000' })}`);
    const { subject, link } = (await mail.json()) as { subject: string; link: string };
    expect(subject).toBe('Verify your email');
    await page.goto(link);
    await eventually(textOf(page.locator('h1'))).toBe('Email Verified');
  },
  TEST_TIMEOUT,
);

test(
  'a database user logs in with an emailed code instead of the password (authentication_methods.email_otp)',
  async () => {
    await toPasswordScreen();
    const seen = await latestMessageId(domain, EMAIL);
    await page.getByRole('button', { name: 'Email me a code instead' }).click();
    await page.waitForURL(/\/u\/login\/passwordless-email-challenge\?/);
    const mail = await fetch(`${domain}/_dev/api/messages/latest?${new URLSearchParams({ to: EMAIL, wait: '10000', ...(seen ? { after: seen } : {}) })}`);
    const { code, connection } = (await mail.json()) as { code: string; connection: string };
    expect(connection).toBe(DB);
    await page.locator('input[name=code]').fill(code);
    await primary().click();
    await page.waitForURL((url) => url.href.startsWith(callback));
    const exchanged = await fetch(`${domain}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: CLIENT_ID, code: new URL(page.url()).searchParams.get('code') ?? '', code_verifier: lastVerifier, redirect_uri: callback }),
    });
    const idToken = ((await exchanged.json()) as { id_token: string }).id_token;
    expect(JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString())).toMatchObject({ email: EMAIL, sub: expect.stringMatching(/^auth0\|/) });
  },
  TEST_TIMEOUT,
);
