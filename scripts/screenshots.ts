/**
 * Screenshots of the Universal Login screens and the dev mailbox, taken by walking real logins in
 * Chromium against an in-process server. Run with `npx tsx scripts/screenshots.ts` (`--only=mfa`,
 * `--only=database` or `--only=organizations` for the second factor's or the database login box's screens); the PNGs land in
 * docs/screenshots/. Uses the system Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and never
 * downloads a browser.
 */
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { defaultTenant } from '../src/config/default-tenant.js';
import { authorizeUrl, CALLBACK, CLIENT_ID, latestCode, MOBILE, newPage, OUT, report, shoot, startApp } from './screenshot-kit.js';
import { shootMfaScreens } from './screenshots-mfa.js';
import { shootDatabaseScreens } from './screenshots-database.js';
import { shootOrganizationScreens } from './screenshots-organizations.js';

/** A tenant with one passwordless connection and two social ones, branded, for login-id-social.png. */
const socialTenant = {
  tenant: { friendly_name: 'Acme Corp', branding: { colors: { primary: '#0a66c2', page_background: '#eef2f7' } } },
  clients: [
    {
      name: 'Acme Dashboard',
      client_id: CLIENT_ID,
      app_type: 'spa',
      token_endpoint_auth_method: 'none',
      callbacks: [CALLBACK],
      web_origins: ['http://localhost:3000'],
    },
  ],
  connections: [
    { name: 'email', strategy: 'email' },
    { name: 'google-oauth2', strategy: 'google-oauth2' },
    { name: 'github', strategy: 'github' },
  ],
};

/** Two post-login Actions (inline code), for the mailbox's Actions logs panel. */
const actionsTenant = {
  tenant: { friendly_name: 'Harbor' },
  clients: [{ name: 'Harbor SPA', client_id: CLIENT_ID, app_type: 'spa', token_endpoint_auth_method: 'none', callbacks: [CALLBACK] }],
  connections: [{ name: 'email', strategy: 'email' }],
  actions: [
    {
      name: 'Crew gate',
      code: "exports.onExecutePostLogin = async (event, api) => {\n  console.log('checking ' + event.user.email + ' via ' + event.transaction.protocol);\n  if (event.user.email.endsWith('@outsider.example')) return api.access.deny('Only crew members may sign in');\n  api.multifactor.enable('any');\n};",
    },
    {
      name: 'Crew claims',
      code: "exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('https://harbor.example/roles', event.authorization.roles);\n  console.log('claims set for', event.user.user_id);\n};",
    },
  ],
  triggers: { 'post-login': [{ action_name: 'Crew gate' }, { action_name: 'Crew claims' }] },
};

/** A database connection, for the password screen. */
const databaseTenant = {
  tenant: { friendly_name: 'Northwind', branding: { colors: { primary: '#1f7a4d' } } },
  clients: [{ name: 'Northwind Portal', client_id: CLIENT_ID, app_type: 'spa', token_endpoint_auth_method: 'none', callbacks: [CALLBACK] }],
  connections: [{ name: 'Username-Password-Authentication', strategy: 'auth0' }],
  users: [{ connection: 'Username-Password-Authentication', email: 'dana@example.com', password: 'correct horse battery staple' }],
};

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // `--only=mfa` or `--only=database`: the second factor's or the database login box's screens alone.
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (only) {
    try {
      if (only === 'mfa') await shootMfaScreens(browser);
      else if (only === 'database') await shootDatabaseScreens(browser);
      else if (only === 'organizations') await shootOrganizationScreens(browser);
      else throw new Error(`--only=${only}: mfa, database or organizations`);
    } finally {
      await browser.close();
    }
    return;
  }
  const primary = await startApp(defaultTenant, 'the embedded default tenant');
  const social = await startApp(socialTenant, 'the social tenant');
  const database = await startApp(databaseTenant, 'the database tenant');
  const actions = await startApp(actionsTenant, 'the Actions tenant');
  try {
    const { origin } = primary;
    console.log(`Understudy at ${origin}, screenshots to ${OUT}`);

    // Email: login-id, the code challenge, a wrong code.
    const email = 'jane.doe@example.com';
    {
      const { context, page } = await newPage(browser);
      await page.goto(authorizeUrl(origin));
      await page.waitForSelector('#username');
      await shoot(page, 'login-id.png');
      await page.fill('#username', email);
      await Promise.all([page.waitForURL(/passwordless-email-challenge/), page.click('button[value="default"]')]);
      await page.waitForSelector('#code');
      await shoot(page, 'email-code.png');
      const right = await latestCode(origin, email);
      const wrong = right === '000000' ? '111111' : '000000';
      await page.fill('#code', wrong);
      await Promise.all([page.waitForLoadState('load'), page.click('button[value="default"]')]);
      await page.waitForSelector('[role="alert"]');
      await shoot(page, 'email-code-error.png');
      // Resend: the notice, and an older code that the mailbox shows as replaced.
      await Promise.all([page.waitForLoadState('load'), page.click('button[value="resend"]')]);
      await page.waitForSelector('[role="status"]');
      await shoot(page, 'email-code-resent.png');
      await context.close();
    }

    // login-id with an invalid identifier (the alert on the first screen).
    {
      const { context, page } = await newPage(browser);
      await page.goto(authorizeUrl(origin));
      await page.fill('#username', 'jane.doe@');
      await Promise.all([page.waitForLoadState('load'), page.click('button[value="default"]')]);
      await page.waitForSelector('[role="alert"]');
      await shoot(page, 'login-id-error.png');
      await context.close();
    }

    // SMS: connection=sms, a phone number, the text-message challenge.
    const phone = '+14155552671';
    {
      const { context, page } = await newPage(browser);
      await page.goto(authorizeUrl(origin, { connection: 'sms' }));
      await page.waitForSelector('#username');
      await page.fill('#username', phone);
      await Promise.all([page.waitForURL(/passwordless-sms-challenge/), page.click('button[value="default"]')]);
      await page.waitForSelector('#code');
      await shoot(page, 'sms-code.png');
      await context.close();
    }

    // A second email and SMS recipient so the mailbox has a few messages in each column.
    {
      const { context, page } = await newPage(browser);
      await page.goto(authorizeUrl(origin));
      await page.fill('#username', 'sam.lee@example.org');
      await Promise.all([page.waitForURL(/passwordless-email-challenge/), page.click('button[value="default"]')]);
      await page.goto(authorizeUrl(origin, { connection: 'sms' }));
      await page.fill('#username', '+447700900123');
      await Promise.all([page.waitForURL(/passwordless-sms-challenge/), page.click('button[value="default"]')]);
      await context.close();
    }

    // Mobile: login-id and the email challenge at phone width.
    {
      const { context, page } = await newPage(browser, MOBILE);
      await page.goto(authorizeUrl(origin));
      await page.waitForSelector('#username');
      await shoot(page, 'login-id-mobile.png');
      await page.fill('#username', 'alex.morgan.with.a.long.address@example-company.com');
      await Promise.all([page.waitForURL(/passwordless-email-challenge/), page.click('button[value="default"]')]);
      await page.waitForSelector('#code');
      await shoot(page, 'email-code-mobile.png');
      await context.close();
    }

    // The dev mailbox, then its empty state.
    {
      const { context, page } = await newPage(browser);
      await page.goto(`${origin}/_dev/mailbox`);
      await page.waitForSelector('.message');
      await page.waitForTimeout(300);
      await shoot(page, 'mailbox.png', true);
      // The email as sent (messages/email.eta), in the card's sandboxed preview.
      const card = page.locator('#email .message').first();
      await card.locator('.toggle').click();
      await card.locator('iframe.preview').waitFor();
      await page.waitForTimeout(300);
      await card.screenshot({ path: `${OUT}mailbox-email-preview.png` });
      report('mailbox-email-preview.png');
      await context.close();
    }
    {
      const { context, page } = await newPage(browser, MOBILE);
      await page.goto(`${origin}/_dev/mailbox`);
      await page.waitForSelector('.message');
      await page.waitForTimeout(300);
      await shoot(page, 'mailbox-mobile.png');
      await context.close();
    }
    {
      const { context, page } = await newPage(browser);
      await page.goto(`${social.origin}/_dev/mailbox`);
      await page.waitForSelector('.empty');
      await page.waitForTimeout(300);
      await shoot(page, 'mailbox-empty.png');
      await context.close();
    }

    // Two logins through the tenant's Actions (one denied), then the mailbox's Actions logs panel.
    for (const who of ['ada@crew.example', 'mallory@outsider.example']) {
      const { context, page } = await newPage(browser);
      await page.goto(authorizeUrl(actions.origin));
      await page.fill('#username', who);
      await Promise.all([page.waitForURL(/passwordless-email-challenge/), page.click('button[value="default"]')]);
      await page.fill('#code', await latestCode(actions.origin, who));
      await Promise.all([page.waitForURL(/localhost:3000/).catch(() => undefined), page.click('button[value="default"]')]);
      await context.close();
    }
    {
      const { context, page } = await newPage(browser);
      await page.goto(`${actions.origin}/_dev/mailbox`);
      await page.waitForSelector('#action-logs li:not(.empty)');
      await page.locator('.action-logs').scrollIntoViewIfNeeded();
      await page.locator('.action-logs').screenshot({ path: `${OUT}mailbox-actions-logs.png` });
      report('mailbox-actions-logs.png');
      await context.close();
    }

    // An unknown client at /authorize.
    {
      const { context, page } = await newPage(browser);
      await page.goto(authorizeUrl(origin, { client_id: 'no-such-client' }));
      await shoot(page, 'error.png');
      await context.close();
    }

    // Passwordless + Google + GitHub on a branded tenant.
    {
      const { context, page } = await newPage(browser);
      await page.goto(authorizeUrl(social.origin));
      await page.waitForSelector('#username');
      await shoot(page, 'login-id-social.png');
      // The stand-in for the provider's own page.
      await Promise.all([page.waitForURL(/\/u\/login\/social/), page.click('button[value="google-oauth2"]')]);
      await page.waitForSelector('#email');
      await shoot(page, 'social-consent.png');
      await context.close();
    }

    // Database connection: the password screen and its error.
    {
      const { context, page } = await newPage(browser);
      await page.goto(authorizeUrl(database.origin));
      await page.fill('#username', 'dana@example.com');
      await Promise.all([page.waitForURL(/\/u\/login\/password/), page.click('button[value="default"]')]);
      await page.fill('#password', 'not the password');
      await Promise.all([page.waitForLoadState('load'), page.click('button[value="default"]')]);
      await page.waitForSelector('[role="alert"]');
      await shoot(page, 'login-password-error.png');
    }
    {
      const { context, page } = await newPage(browser, MOBILE);
      await page.goto(authorizeUrl(social.origin));
      await page.waitForSelector('#username');
      await shoot(page, 'login-id-social-mobile.png');
      await context.close();
    }
    await shootMfaScreens(browser);
    await shootDatabaseScreens(browser);
  } finally {
    await browser.close();
    await primary.app.close();
    await social.app.close();
    await database.app.close();
    await actions.app.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
