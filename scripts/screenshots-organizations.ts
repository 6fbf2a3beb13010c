/**
 * An organization's login, walked in Chromium: /authorize with `organization` shows the
 * organization's logo, colours and name on login-id; the organizations prompt's selection (before the
 * login) and picker (after it); desktop and phone. The
 * logo is served by a small local server, as a tenant's logo URL would be.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { authorizeUrl, CALLBACK, CLIENT_ID, DESKTOP, latestCode, MOBILE, newPage, OUT, report, shoot, startApp } from './screenshot-kit.js';

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="48" viewBox="0 0 160 48">
<rect width="48" height="48" rx="10" fill="#ff5500"/><path d="M14 34 24 12l10 22h-6l-4-9-4 9z" fill="#fff"/>
<text x="58" y="31" font-family="Arial, sans-serif" font-size="20" font-weight="700" fill="#101820">ACME</text></svg>`;

export async function shootOrganizationScreens(browser: Browser): Promise<void> {
  const logo = createServer((_request, response) => response.writeHead(200, { 'content-type': 'image/svg+xml' }).end(LOGO));
  await new Promise<void>((resolve) => logo.listen(0, '127.0.0.1', resolve));
  const logoUrl = `http://127.0.0.1:${(logo.address() as AddressInfo).port}/acme.svg`;
  const { app, origin } = await startApp(
    {
      tenant: { friendly_name: 'Harbor', allow_organization_name_in_authentication_api: true },
      clients: [
        { name: 'Harbor Portal', client_id: CLIENT_ID, app_type: 'spa', token_endpoint_auth_method: 'none', callbacks: [CALLBACK], organization_usage: 'allow' },
        { name: 'Harbor Desk', client_id: 'harbor-desk', app_type: 'spa', token_endpoint_auth_method: 'none', callbacks: [CALLBACK], organization_usage: 'require', organization_require_behavior: 'post_login_prompt' },
        { name: 'Harbor Console', client_id: 'harbor-console', app_type: 'spa', token_endpoint_auth_method: 'none', callbacks: [CALLBACK], organization_usage: 'require', organization_require_behavior: 'pre_login_prompt' },
      ],
      connections: [{ name: 'email', strategy: 'email' }],
      users: [{ connection: 'email', email: 'jane@acme.example' }, { connection: 'email', email: 'sam@harbor.example' }],
      organizations: [
        {
          name: 'acme',
          display_name: 'Acme Corporation',
          branding: { logo_url: logoUrl, colors: { primary: '#ff5500', page_background: '#101820' } },
          connections: [{ name: 'email' }],
          members: [{ email: 'jane@acme.example' }, { email: 'sam@harbor.example' }],
        },
        { name: 'globex', display_name: 'Globex', connections: [{ name: 'email' }], members: [{ email: 'sam@harbor.example' }] },
      ],
    },
    'the organizations tenant',
  );
  try {
    for (const [viewport, suffix] of [[DESKTOP, ''], [MOBILE, '-mobile']] as const) {
      const { context, page } = await newPage(browser, viewport);
      await page.goto(authorizeUrl(origin, { organization: 'acme' }));
      await page.waitForSelector('img.logo');
      await page.fill('#username', 'jane@acme.example');
      await shoot(page, `organization-login${suffix}.png`);
      await context.close();

      // pre_login_prompt: the organization's name first, a wrong one refused.
      const selection = await newPage(browser, viewport);
      await selection.page.goto(authorizeUrl(origin, { client_id: 'harbor-console' }));
      await selection.page.fill('#organizationName', 'initech');
      await Promise.all([selection.page.waitForLoadState('load'), selection.page.click('button[value="default"]')]);
      await selection.page.waitForSelector('#error-element-organizationName');
      await shoot(selection.page, `organization-selection${suffix}.png`);
      await selection.context.close();

      // post_login_prompt: a user in two organizations chooses one after the code.
      const picker = await newPage(browser, viewport);
      await picker.page.goto(authorizeUrl(origin, { client_id: 'harbor-desk' }));
      await picker.page.fill('#username', 'sam@harbor.example');
      await Promise.all([picker.page.waitForURL(/passwordless-email-challenge/), picker.page.click('button[value="default"]')]);
      const code = await latestCode(origin, 'sam@harbor.example');
      await picker.page.fill('#code', code);
      await Promise.all([picker.page.waitForURL(/organization-picker/), picker.page.click('button[value="default"]')]);
      await picker.page.waitForSelector('button[name="organization"]');
      await shoot(picker.page, `organization-picker${suffix}.png`);
      await picker.context.close();
    }
    // The dev mailbox's Organizations panel: each organization's id to log in with, and its members.
    const mailbox = await newPage(browser, DESKTOP);
    await mailbox.page.goto(`${origin}/_dev/mailbox`);
    await mailbox.page.locator('section.organizations .org').first().waitFor();
    await mailbox.page.locator('section.organizations').screenshot({ path: `${OUT}mailbox-organizations.png` });
    report('mailbox-organizations.png');
    await mailbox.context.close();
  } finally {
    await app.close();
    logo.close();
  }
}
