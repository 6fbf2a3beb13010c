/**
 * An organization's login, walked in Chromium: /authorize with `organization` shows the
 * organization's logo, colours and name on login-id and the code challenge; desktop and phone. The
 * logo is served by a small local server, as a tenant's logo URL would be.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { authorizeUrl, CALLBACK, CLIENT_ID, DESKTOP, MOBILE, newPage, shoot, startApp } from './screenshot-kit.js';

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
      clients: [{ name: 'Harbor Portal', client_id: CLIENT_ID, app_type: 'spa', token_endpoint_auth_method: 'none', callbacks: [CALLBACK], organization_usage: 'allow' }],
      connections: [{ name: 'email', strategy: 'email' }],
      users: [{ connection: 'email', email: 'jane@acme.example' }],
      organizations: [
        {
          name: 'acme',
          display_name: 'Acme Corporation',
          branding: { logo_url: logoUrl, colors: { primary: '#ff5500', page_background: '#101820' } },
          connections: [{ name: 'email' }],
          members: [{ email: 'jane@acme.example' }],
        },
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
    }
  } finally {
    await app.close();
    logo.close();
  }
}
