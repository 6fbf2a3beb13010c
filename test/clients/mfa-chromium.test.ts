import { expect, test } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import * as OTPAuth from 'otpauth';
import { decodeJwt } from 'jose';
import { browserPerTest } from '../support/chromium.js';
import { eventually, textOf } from '../support/page-waits.js';
import { latestMessageId, waitForCode } from '../support/spa-harness.js';
import { pkcePair } from '../support/flows.js';
import { startCallbackEnv } from '../support/callback-env.js';
import { createUnderstudyClient, passSecondFactor } from '../../src/testing/index.js';

/**
 * Universal Login's second factor in Chromium, through nothing but the pages: an email-code login on
 * a tenant with Guardian's otp, sms and recovery-code factors enrols an authenticator app (its codes
 * from the `otpauth` package, with the secret the page shows), confirms the recovery code and reaches
 * the app with amr ["mfa"]; the next login asks only for the code, shows Auth0's error for a wrong one,
 * and "Remember this device" skips the one after; an SMS enrolment reads its code from the mailbox; a
 * push device is enrolled and its notifications answered from the dev mailbox page's buttons.
 */
const CLIENT_ID = 'mfa-spa';
const TEST_TIMEOUT = 90_000;

let domain: string;
let callback: string;
let page: Page;

async function startEnv() {
  const env = await startCallbackEnv((site) => ({
    tenant: { friendly_name: 'Vault' },
    clients: [{ name: 'Vault SPA', client_id: CLIENT_ID, app_type: 'spa', callbacks: [site.callback], web_origins: [site.origin] }],
    connections: [{ name: 'email', strategy: 'email' }],
    guardianFactors: [
      { name: 'otp', enabled: true },
      { name: 'sms', enabled: true },
      { name: 'push-notification', enabled: true },
      { name: 'webauthn-roaming', enabled: true },
      { name: 'webauthn-platform', enabled: true },
      { name: 'recovery-code', enabled: true },
    ],
    guardianPolicies: { policies: ['all-applications'] },
  }));
  ({ domain, callback } = env);
  return env;
}

let cdp: CDPSession;

// Every test's context has a virtual security key (USB) and a virtual platform authenticator, for the WebAuthn factors.
browserPerTest(startEnv, (session) => ({ page } = session), {
  async eachTest({ context }) {
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: true, isUserVerified: true } });
    await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true } });
  },
});

const totp = (secret: string, offsetMs = 0): string => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + offsetMs });
const primary = () => page.locator('button[data-action-button-primary="true"]');

/** /authorize and the emailed code, up to the first MFA screen; the PKCE verifier. */
async function firstFactor(email: string): Promise<string> {
  const { verifier, challenge } = pkcePair();
  const query = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: callback, response_type: 'code', scope: 'openid email', state: 'mfa-state', code_challenge: challenge, code_challenge_method: 'S256' });
  const seen = await latestMessageId(domain, email);
  await page.goto(`${domain}/authorize?${query}`);
  await page.locator('input[name=username]').fill(email);
  await primary().click();
  await page.waitForURL(/\/u\/login\/passwordless-email-challenge\?/);
  await page.locator('input[name=code]').fill(await waitForCode(domain, email, seen));
  await primary().click();
  return verifier;
}

/** The first enrolment's recovery code: "I have safely recorded this code", then the app's callback (its claims). */
async function recordRecoveryCode(verifier: string): Promise<Record<string, unknown>> {
  await page.waitForURL(/\/u\/mfa-recovery-code-enrollment\?/);
  await page.locator('input[name=saved]').check();
  await primary().click();
  return atCallback(verifier);
}

/** A fresh browser session (the SSO cookie cleared) for the same user: the first factor again, up to `screen`; the verifier. */
async function loginAgain(email: string, screen: RegExp): Promise<string> {
  await page.context().clearCookies({ name: 'auth0' });
  const verifier = await firstFactor(email);
  await page.waitForURL(screen);
  return verifier;
}

/** At the app's callback: the code exchanged, the ID token's claims. */
async function atCallback(verifier: string): Promise<Record<string, unknown>> {
  await page.waitForURL((url) => url.href.startsWith(callback));
  const code = new URL(page.url()).searchParams.get('code') ?? '';
  const response = await fetch(`${domain}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', client_id: CLIENT_ID, code, code_verifier: verifier, redirect_uri: callback }) });
  expect(response.status).toBe(200);
  return decodeJwt(((await response.json()) as { id_token: string }).id_token) as Record<string, unknown>;
}

test(
  'otp: enrol with the QR page\'s secret, record the recovery code, then challenge, a wrong code, and remember this device',
  async () => {
    const email = `otp-${Date.now().toString(36)}@example.com`;
    let verifier = await firstFactor(email);
    // Two factors to enrol in: the choice, then the authenticator app.
    await page.locator('button[data-factor="otp"]').click();
    await page.waitForURL(/\/u\/mfa-otp-enrollment\?/);
    await page.locator('.qr svg').waitFor();
    const secret = (await page.locator('[data-otp-secret]').getAttribute('data-otp-secret'))!;
    expect(OTPAuth.URI.parse((await page.locator('[data-otpauth-uri]').getAttribute('data-otpauth-uri'))!).secret.base32).toBe(secret);
    await page.locator('input[name=code]').fill(totp(secret));
    await primary().click();
    await page.waitForURL(/\/u\/mfa-recovery-code-enrollment\?/);
    expect(await page.locator('[data-recovery-code]').getAttribute('data-recovery-code')).toMatch(/^[A-Z0-9]{24}$/);
    await primary().click();
    await eventually(textOf(page.locator('#error-element-saved'))).toBe('Please confirm you have recorded the code');
    await page.locator('input[name=saved]').check();
    await primary().click();
    expect((await atCallback(verifier)).amr).toEqual(['mfa']);

    // A fresh browser session: only the challenge, a wrong code first, then remember this device.
    await page.context().clearCookies({ name: 'auth0' });
    verifier = await firstFactor(email);
    await page.waitForURL(/\/u\/mfa-otp-challenge\?/);
    await page.locator('input[name=code]').fill('000000');
    await primary().click();
    await eventually(textOf(page.locator('#error-element-code'))).toBe('The code you entered is invalid');
    expect(await page.locator('#error-element-code').getAttribute('data-error-code')).toBe('invalid-code');
    await page.locator('input[name=code]').fill(totp(secret, 30_000));
    await page.locator('input[name=rememberBrowser]').check();
    await primary().click();
    expect((await atCallback(verifier)).amr).toEqual(['mfa']);

    // Remembered: the next login goes straight to the app.
    await page.context().clearCookies({ name: 'auth0' });
    verifier = await firstFactor(email);
    expect((await atCallback(verifier)).amr).toBeUndefined();
  },
  TEST_TIMEOUT,
);

test(
  'sms: enrol a phone through "Try another method" and read the text from the dev mailbox',
  async () => {
    const email = `sms-${Date.now().toString(36)}@example.com`;
    const verifier = await firstFactor(email);
    await page.locator('button[data-factor="sms"]').click();
    await page.waitForURL(/\/u\/mfa-sms-enrollment\?/);
    const phone = `+1555${String(Date.now()).slice(-7)}`;
    const seen = await latestMessageId(domain, phone);
    await page.locator('input[name=phone]').fill(phone);
    await primary().click();
    await page.waitForURL(/\/u\/mfa-sms-challenge\?/);
    await page.locator('input[name=code]').fill(await waitForCode(domain, phone, seen));
    await primary().click();
    await page.waitForURL(/\/u\/mfa-recovery-code-enrollment\?/);
    await page.locator('input[name=saved]').check();
    await primary().click();
    expect((await atCallback(verifier)).amr).toEqual(['mfa']);
  },
  TEST_TIMEOUT,
);

test(
  'understudy/testing passSecondFactor: one call enrols, records the recovery code, and later answers the challenge',
  async () => {
    const client = createUnderstudyClient(domain);
    const email = `helper-${Date.now().toString(36)}@example.com`;
    let verifier = await firstFactor(email);
    await page.waitForURL(/\/u\/mfa-/);
    await passSecondFactor(page, { client, email });
    expect((await atCallback(verifier)).amr).toEqual(['mfa']);
    const [otp] = (await client.mfaEnrolments({ email })).filter((e) => e.factor === 'otp');
    expect(otp).toMatchObject({ confirmed: true, current_code: expect.stringMatching(/^\d{6}$/) });
    // A code passes once: the next login's comes from the next window, on the dev clock.
    await client.clock.advance(30);
    await page.context().clearCookies({ name: 'auth0' });
    verifier = await firstFactor(email);
    await page.waitForURL(/\/u\/mfa-otp-challenge/);
    await passSecondFactor(page, { client, email });
    expect((await atCallback(verifier)).amr).toEqual(['mfa']);
  },
  TEST_TIMEOUT,
);

test(
  'push: scan the QR code from the dev mailbox page, then deny, resend and approve a notification there',
  async () => {
    const email = `push-${Date.now().toString(36)}@example.com`;
    let verifier = await firstFactor(email);
    await page.locator('button[data-factor="push-notification"]').click();
    await page.waitForURL(/\/u\/mfa-push-welcome\?/);
    await primary().click();
    await page.waitForURL(/\/u\/mfa-push-enrollment\?/);
    await page.locator('.qr svg').waitFor();

    // The dev mailbox page plays the Guardian app; the login page moves on by itself once it scanned.
    const mailbox = await page.context().newPage();
    await mailbox.goto(`${domain}/_dev/mailbox`);
    await mailbox.getByRole('button', { name: `Scan the push QR code of ${email}` }).click();
    await page.waitForURL(/\/u\/mfa-recovery-code-enrollment\?/);
    await page.locator('input[name=saved]').check();
    await primary().click();
    expect((await atCallback(verifier)).amr).toEqual(['mfa']);

    // The next login waits on a notification: denied, it says so; a resend, approved, ends the login.
    await page.context().clearCookies({ name: 'auth0' });
    verifier = await firstFactor(email);
    await page.waitForURL(/\/u\/mfa-push-challenge\?/);
    await mailbox.getByRole('button', { name: `Deny the push notification of ${email}` }).click();
    await eventually(textOf(page.locator('[role="alert"]'))).toBe('Notification rejected');
    await page.getByRole('button', { name: 'Resend' }).click();
    await eventually(textOf(page.locator('[role="status"]'))).toBe('We sent a new notification. Only the newest one counts.');
    await mailbox.getByRole('button', { name: `Approve the push notification of ${email}` }).click();
    expect((await atCallback(verifier)).amr).toEqual(['mfa']);
    await mailbox.close();
  },
  TEST_TIMEOUT,
);

test(
  'understudy/testing passSecondFactor passes a push factor: the scan, then the approval',
  async () => {
    const client = createUnderstudyClient(domain);
    const email = `push-helper-${Date.now().toString(36)}@example.com`;
    let verifier = await firstFactor(email);
    await page.locator('button[data-factor="push-notification"]').click();
    await page.waitForURL(/\/u\/mfa-push-welcome\?/);
    await passSecondFactor(page, { client, email });
    expect((await atCallback(verifier)).amr).toEqual(['mfa']);
    await page.context().clearCookies({ name: 'auth0' });
    verifier = await firstFactor(email);
    await page.waitForURL(/\/u\/mfa-push-challenge/);
    await passSecondFactor(page, { client, email });
    expect((await atCallback(verifier)).amr).toEqual(['mfa']);
    expect((await client.mfaEnrolments({ email })).find((e) => e.factor === 'push-notification')).toMatchObject({ confirmed: true, name: 'Understudy Guardian (dev)' });
  },
  TEST_TIMEOUT,
);

test(
  'webauthn-roaming: enrol a security key, name it, then verify with it on the next login',
  async () => {
    const email = `key-${Date.now().toString(36)}@example.com`;
    let verifier = await firstFactor(email);
    await page.locator('button[data-factor="webauthn-roaming"]').click();
    await page.waitForURL(/\/u\/mfa-webauthn-enrollment\?/);
    await page.getByRole('button', { name: 'Use security key' }).click();
    await page.waitForURL(/\/u\/mfa-webauthn-change-key-nickname\?/);
    await expect.poll(() => page.locator('input[name=nickname]').inputValue()).toBe(`${email}'s key`);
    await page.locator('input[name=nickname]').fill('');
    await primary().click();
    await eventually(textOf(page.locator('#error-element-nickname'))).toBe('Name is required');
    await page.locator('input[name=nickname]').fill('Blue YubiKey');
    await primary().click();
    expect((await recordRecoveryCode(verifier)).amr).toEqual(['mfa']);
    const enrolled = (await createUnderstudyClient(domain).mfaEnrolments({ email })).filter((e) => e.factor === 'webauthn-roaming');
    expect(enrolled).toEqual([expect.objectContaining({ confirmed: true, name: 'Blue YubiKey' })]);

    verifier = await loginAgain(email, /\/u\/mfa-webauthn-challenge\?/);
    await eventually(textOf(page.locator('.identifier'))).toBe('Blue YubiKey');
    await page.getByRole('button', { name: 'Use security key' }).click();
    expect((await atCallback(verifier)).amr).toEqual(['mfa']);
  },
  TEST_TIMEOUT,
);

test(
  'webauthn-platform: enrol the device\'s biometrics with the default name, then verify on the next login',
  async () => {
    const email = `device-${Date.now().toString(36)}@example.com`;
    let verifier = await firstFactor(email);
    await page.locator('button[data-factor="webauthn-platform"]').click();
    await page.waitForURL(/\/u\/mfa-webauthn-enrollment\?/);
    await page.getByRole('button', { name: 'Use this device' }).click();
    await page.waitForURL(/\/u\/mfa-webauthn-change-key-nickname\?/);
    await expect.poll(() => page.locator('input[name=nickname]').inputValue()).toBe(`${email}'s device`);
    await primary().click();
    expect((await recordRecoveryCode(verifier)).amr).toEqual(['mfa']);

    verifier = await loginAgain(email, /\/u\/mfa-webauthn-challenge\?/);
    await page.getByRole('button', { name: 'Continue' }).click();
    expect((await atCallback(verifier)).amr).toEqual(['mfa']);
  },
  TEST_TIMEOUT,
);
