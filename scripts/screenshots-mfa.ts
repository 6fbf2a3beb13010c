/**
 * The second factor's screens, walked in Chromium: otp enrolment (QR code), the recovery code, the
 * otp challenge with a wrong code, the choice of another method, the email challenge and SMS
 * enrolment, the push screens and the dev mailbox's Second factors panel that plays the push device,
 * the security key's screens;
 * desktop and phone. Codes for the authenticator app come from the `otpauth` package.
 */
import * as OTPAuth from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { authorizeUrl, CALLBACK, CLIENT_ID, DESKTOP, latestCode, MOBILE, newPage, OUT, report, shoot, startApp } from './screenshot-kit.js';

const mfaTenant = {
  tenant: { friendly_name: 'Acme Corp', branding: { colors: { primary: '#0a66c2', page_background: '#eef2f7' } } },
  clients: [{ name: 'Acme Dashboard', client_id: CLIENT_ID, app_type: 'spa', token_endpoint_auth_method: 'none', callbacks: [CALLBACK] }],
  connections: [{ name: 'email', strategy: 'email' }],
  guardianFactors: [
    { name: 'otp', enabled: true },
    { name: 'sms', enabled: true },
    { name: 'recovery-code', enabled: true },
  ],
  guardianPolicies: { policies: ['all-applications'] },
};

/** The push factor alone (with recovery codes): the welcome screen comes first. */
const pushTenant = { ...mfaTenant, guardianFactors: [{ name: 'push-notification', enabled: true }, { name: 'recovery-code', enabled: true }] };

/** A security key alone (with recovery codes): its enrolment comes first. */
const keyTenant = { ...mfaTenant, guardianFactors: [{ name: 'webauthn-roaming', enabled: true }, { name: 'recovery-code', enabled: true }] };

/** The email factor: a verified email is enrolled already, so the challenge comes first. */
const emailTenant = { ...mfaTenant, guardianFactors: [{ name: 'email', enabled: true }] };

/** login-id and the emailed code: the first factor, up to the first MFA screen. */
async function firstFactor(page: Page, origin: string, email: string): Promise<void> {
  await page.goto(authorizeUrl(origin));
  await page.fill('#username', email);
  await Promise.all([page.waitForURL(/passwordless-email-challenge/), page.click('button[value="default"]')]);
  await page.fill('#code', await latestCode(origin, email));
  await Promise.all([page.waitForURL(/\/u\/mfa-/), page.click('button[value="default"]')]);
}

const totpNow = (secret: string): string => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate();

export async function shootMfaScreens(browser: Browser): Promise<void> {
  const { app, origin } = await startApp(mfaTenant, 'the MFA tenant');
  try {
    for (const [viewport, suffix] of [[DESKTOP, ''], [MOBILE, '-mobile']] as const) {
      const email = `mfa${suffix}@acme.example`;
      const { context, page } = await newPage(browser, viewport);
      await firstFactor(page, origin, email);
      // Two factors to enrol in: the choice first.
      await page.waitForSelector('button[data-factor="otp"]');
      await shoot(page, `mfa-enroll-options${suffix}.png`);
      await Promise.all([page.waitForURL(/mfa-otp-enrollment/), page.click('button[data-factor="otp"]')]);
      await page.waitForSelector('.qr svg');
      await shoot(page, `mfa-otp-enrollment${suffix}.png`, true);
      const secret = (await page.getAttribute('[data-otp-secret]', 'data-otp-secret'))!;
      await page.fill('#code', totpNow(secret));
      await Promise.all([page.waitForURL(/mfa-recovery-code-enrollment/), page.click('button[value="default"]')]);
      await shoot(page, `mfa-recovery-code${suffix}.png`);
      await page.check('input[name="saved"]');
      // Nothing listens at the application's callback: reaching for it is the end.
      await Promise.all([page.waitForRequest((request) => request.url().startsWith(CALLBACK)), page.click('button[value="default"]')]);
      await context.close();

      // A later login on a fresh browser: the challenge, a wrong code, the other methods.
      const again = await newPage(browser, viewport);
      await firstFactor(again.page, origin, email);
      await again.page.waitForSelector('#code');
      await shoot(again.page, `mfa-otp-challenge${suffix}.png`);
      await again.page.fill('#code', '000000');
      await Promise.all([again.page.waitForLoadState('load'), again.page.click('button[value="default"]')]);
      await again.page.waitForSelector('#error-element-code');
      await shoot(again.page, `mfa-otp-challenge-error${suffix}.png`);
      await Promise.all([again.page.waitForURL(/mfa-login-options/), again.page.click('a[data-action="pick-authenticator"]')]);
      await shoot(again.page, `mfa-login-options${suffix}.png`);
      await again.context.close();
    }
    const withEmail = await startApp(emailTenant, 'the email-factor tenant');
    try {
      const { context, page } = await newPage(browser);
      await firstFactor(page, withEmail.origin, 'email-factor@acme.example');
      await page.waitForSelector('#code');
      await shoot(page, 'mfa-email-challenge.png');
      await context.close();
    } finally {
      await withEmail.app.close();
    }
    // SMS enrolment: the phone number screen.
    const { context, page } = await newPage(browser);
    await firstFactor(page, origin, 'sms-person@acme.example');
    await Promise.all([page.waitForURL(/mfa-sms-enrollment/), page.click('button[data-factor="sms"]')]);
    await shoot(page, 'mfa-sms-enrollment.png');
    await page.fill('#phone', '+1 555 010 4242');
    await Promise.all([page.waitForURL(/mfa-sms-challenge/), page.click('button[value="default"]')]);
    await page.waitForSelector('#code');
    await shoot(page, 'mfa-sms-challenge.png');
    await context.close();
  } finally {
    await app.close();
  }
  await shootPushScreens(browser);
  await shootWebAuthnScreens(browser);
}

/** The security key's screens, answered by a CDP virtual authenticator (USB). */
async function shootWebAuthnScreens(browser: Browser): Promise<void> {
  const { app, origin } = await startApp(keyTenant, 'the security key tenant', 'localhost');
  try {
    for (const [viewport, suffix] of [[DESKTOP, ''], [MOBILE, '-mobile']] as const) {
      const email = `key${suffix}@acme.example`;
      const { context, page } = await newPage(browser, viewport);
      const cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: true, isUserVerified: true } });
      await firstFactor(page, origin, email);
      await page.waitForURL(/mfa-webauthn-enrollment/);
      await shoot(page, `mfa-webauthn-enrollment${suffix}.png`);
      await Promise.all([page.waitForURL(/mfa-webauthn-change-key-nickname/), page.click('button[data-webauthn-start]')]);
      await page.fill('#nickname', 'Blue YubiKey');
      await shoot(page, `mfa-webauthn-nickname${suffix}.png`);
      await Promise.all([page.waitForURL(/mfa-recovery-code-enrollment/), page.click('button[value="default"]')]);
      await page.check('input[name="saved"]');
      await Promise.all([page.waitForRequest((request) => request.url().startsWith(CALLBACK)), page.click('button[value="default"]')]);
      await context.close();
      // The next login on a fresh browser: the challenge screen (drawn from the enrolled key, no authenticator needed to show it).
      const again = await newPage(browser, viewport);
      await firstFactor(again.page, origin, email);
      await again.page.waitForURL(/mfa-webauthn-challenge/);
      await again.page.waitForSelector('button[data-webauthn-start]');
      await shoot(again.page, `mfa-webauthn-challenge${suffix}.png`);
      await again.context.close();
    }
  } finally {
    await app.close();
  }
}

/** The dev plane as the Guardian app: POST /_dev/api/mfa/authenticators/{id}/{scan|approve|deny} for the user's push enrolment. */
async function pushDevice(origin: string, email: string, action: 'scan' | 'approve' | 'deny'): Promise<void> {
  const listed = (await (await fetch(`${origin}/_dev/api/mfa?email=${encodeURIComponent(email)}`)).json()) as { enrolments: { id: string; factor: string }[] };
  const push = listed.enrolments.find((e) => e.factor === 'push-notification');
  if (!push) throw new Error(`no push enrolment for ${email}`);
  const answered = await fetch(`${origin}/_dev/api/mfa/authenticators/${encodeURIComponent(push.id)}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (answered.status !== 200) throw new Error(`${action}: ${answered.status}`);
}

async function shootPushScreens(browser: Browser): Promise<void> {
  const { app, origin } = await startApp(pushTenant, 'the push tenant');
  try {
    for (const [viewport, suffix] of [[DESKTOP, ''], [MOBILE, '-mobile']] as const) {
      const email = `push${suffix}@acme.example`;
      const { context, page } = await newPage(browser, viewport);
      await firstFactor(page, origin, email);
      await page.waitForURL(/mfa-push-welcome/);
      await shoot(page, `mfa-push-welcome${suffix}.png`);
      await Promise.all([page.waitForURL(/mfa-push-enrollment/), page.click('button[data-action-button-primary]')]);
      await page.waitForSelector('.qr svg');
      await shoot(page, `mfa-push-enrollment${suffix}.png`, true);
      // The device scans the code; the page moves on by itself.
      await pushDevice(origin, email, 'scan');
      await page.waitForURL(/mfa-recovery-code-enrollment/);
      await page.check('input[name="saved"]');
      await Promise.all([page.waitForRequest((request) => request.url().startsWith(CALLBACK)), page.click('button[value="default"]')]);
      await context.close();

      const again = await newPage(browser, viewport);
      await firstFactor(again.page, origin, email);
      await again.page.waitForURL(/mfa-push-challenge/);
      await again.page.waitForSelector('#push-form');
      await shoot(again.page, `mfa-push-challenge${suffix}.png`);
      if (!suffix) {
        // The Second factors panel with the notification waiting, then a denial on the login page.
        const mailbox = await again.context.newPage();
        await mailbox.setViewportSize(DESKTOP);
        await mailbox.goto(`${origin}/_dev/mailbox#second-factors`);
        await mailbox.waitForSelector('#second-factors button[aria-label^="Approve"]');
        await (await mailbox.$('#second-factors'))!.screenshot({ path: `${OUT}mailbox-second-factors.png` });
        report('mailbox-second-factors.png');
        await mailbox.close();
        await pushDevice(origin, email, 'deny');
        await again.page.waitForSelector('[role="alert"]');
        await shoot(again.page, 'mfa-push-challenge-rejected.png');
      }
      await again.context.close();
    }
  } finally {
    await app.close();
  }
}
