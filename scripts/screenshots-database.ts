/**
 * The database login box, walked in Chromium: sign-up (signup-id, then signup-password with a policy
 * refusal), the password screen's "Forgot password?", the request, "Check Your Email", the reset
 * screen with the connection's policy (and a refusal), and success; desktop and phone.
 */
import type { Browser } from 'playwright-core';
import { authorizeUrl, CALLBACK, CLIENT_ID, DESKTOP, MOBILE, OUT, newPage, report, shoot, startApp } from './screenshot-kit.js';

const DB = 'Username-Password-Authentication';
const resetTenant = {
  tenant: { friendly_name: 'Acme Corp', branding: { colors: { primary: '#0a66c2', page_background: '#eef2f7' } } },
  clients: [{ name: 'Acme Dashboard', client_id: CLIENT_ID, app_type: 'spa', token_endpoint_auth_method: 'none', callbacks: [CALLBACK] }],
  connections: [{ name: DB, strategy: 'auth0', options: { passwordPolicy: 'good' } }],
  users: [{ connection: DB, email: 'robin@acme.example', password: 'Old-password-1' }, { connection: DB, email: 'robin-mobile@acme.example', password: 'Old-password-1' }],
  // The tenant's own reset_email, in Liquid, as an export carries it.
  emailProvider: { name: 'smtp', default_from_address: 'Acme Accounts <accounts@acme.example>' },
  emailTemplates: [
    {
      template: 'reset_email',
      enabled: true,
      syntax: 'liquid',
      from: '',
      subject: 'Reset your {{ application.name }} password',
      body: `<div style="font-family:system-ui,sans-serif;max-width:480px;margin:24px auto;padding:24px;border:1px solid #d9e1ec;border-radius:8px">
  <h2 style="color:#0a66c2;margin-top:0">{{ friendly_name }}</h2>
  <p>Hello {{ user.email }},</p>
  <p>Someone asked to reset the password of your {{ application.name }} account.</p>
  <p><a href="{{ url }}" style="display:inline-block;background:#0a66c2;color:#fff;padding:10px 18px;border-radius:4px;text-decoration:none">Choose a new password</a></p>
  <p style="color:#5b6b7f;font-size:13px">If it was not you, ignore this email.</p>
</div>`,
    },
  ],
};

export async function shootDatabaseScreens(browser: Browser): Promise<void> {
  const { app, origin } = await startApp(resetTenant, 'the database tenant');
  try {
    for (const [viewport, suffix] of [[DESKTOP, ''], [MOBILE, '-mobile']] as const) {
      const email = suffix ? 'robin-mobile@acme.example' : 'robin@acme.example';
      const { context, page } = await newPage(browser, viewport);
      await page.goto(authorizeUrl(origin, { connection: DB }));
      await page.fill('#username', email);
      await Promise.all([page.waitForURL(/\/u\/login\/password/), page.click('button[value="default"]')]);
      await page.waitForSelector('.forgot a');
      await shoot(page, `login-password-forgot${suffix}.png`);
      await Promise.all([page.waitForURL(/reset-password\/request/), page.click('.forgot a')]);
      await shoot(page, `reset-password-request${suffix}.png`);
      await Promise.all([page.waitForLoadState('load'), page.click('button[value="default"]')]);
      await page.waitForSelector('text=Check Your Email');
      await shoot(page, `reset-password-email${suffix}.png`);
      if (!suffix) {
        // The tenant's reset_email as the dev mailbox shows it: its Liquid rendered, in the preview.
        const mailbox = await newPage(browser, viewport);
        await mailbox.page.goto(`${origin}/_dev/mailbox`);
        const card = mailbox.page.locator('#email .message').first();
        await card.locator('.toggle').click();
        await card.locator('iframe.preview').waitFor();
        await mailbox.page.waitForTimeout(300);
        await card.screenshot({ path: `${OUT}mailbox-tenant-reset-email.png` });
        report('mailbox-tenant-reset-email.png');
        await mailbox.context.close();
      }
      const latest = (await (await fetch(`${origin}/_dev/api/messages/latest?to=${encodeURIComponent(email)}`)).json()) as { link: string };
      await page.goto(latest.link);
      await page.waitForSelector('#password-policy');
      await page.fill('#password', 'weakling');
      await page.fill('#re-enter-password', 'weakling');
      await Promise.all([page.waitForLoadState('load'), page.click('button[value="default"]')]);
      await page.waitForSelector('#error-element-password');
      await shoot(page, `reset-password${suffix}.png`, true);
      await page.fill('#password', 'Brand-new-pass-2');
      await page.fill('#re-enter-password', 'Brand-new-pass-2');
      await Promise.all([page.waitForLoadState('load'), page.click('button[value="default"]')]);
      await page.waitForSelector('text=Password Changed!');
      await shoot(page, `reset-password-success${suffix}.png`);
      await context.close();

      const signup = await newPage(browser, viewport);
      await signup.page.goto(authorizeUrl(origin, { connection: DB, screen_hint: 'signup' }));
      await signup.page.fill('#email', `new${suffix}@acme.example`);
      await shoot(signup.page, `signup-id${suffix}.png`);
      await Promise.all([signup.page.waitForURL(/\/u\/signup\/password/), signup.page.click('button[value="default"]')]);
      await signup.page.fill('#password', 'weakling');
      await Promise.all([signup.page.waitForLoadState('load'), signup.page.click('button[value="default"]')]);
      await signup.page.waitForSelector('#error-element-password');
      await shoot(signup.page, `signup-password${suffix}.png`, true);
      await signup.context.close();
    }
    // Identifier + Password: the one-page signup screen, with a policy refusal.
    const onePage = await startApp({ ...resetTenant, prompts: { identifier_first: false } }, 'the Identifier + Password tenant');
    try {
      for (const [viewport, suffix] of [[DESKTOP, ''], [MOBILE, '-mobile']] as const) {
        const { context, page } = await newPage(browser, viewport);
        await page.goto(authorizeUrl(onePage.origin, { connection: DB, screen_hint: 'signup' }));
        await page.fill('#email', `one-page${suffix}@acme.example`);
        await page.fill('#password', 'weakling');
        await Promise.all([page.waitForLoadState('load'), page.click('button[value="default"]')]);
        await page.waitForSelector('#error-element-password');
        await shoot(page, `signup${suffix}.png`, true);
        await context.close();
      }
    } finally {
      await onePage.app.close();
    }
  } finally {
    await app.close();
  }
}
