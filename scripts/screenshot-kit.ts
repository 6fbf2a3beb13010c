/**
 * What the screenshot scripts share: an in-process Understudy on a free port, an /authorize URL, the
 * latest code from the dev mailbox, a page in a fresh context at desktop or phone size, and a shot.
 */
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair } from 'jose';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { buildTenant } from '../src/config/tenant-file.js';

export const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
export const CLIENT_ID = 'understudy-spa';
export const CALLBACK = 'http://localhost:3000/callback';
export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 390, height: 844 };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `host`: localhost where the pages run WebAuthn, whose relying party must be a host name, not an IP address. */
export async function startApp(rawTenant: unknown, name: string, host: '127.0.0.1' | 'localhost' = '127.0.0.1'): Promise<{ app: FastifyInstance; origin: string }> {
  const port = await freePort();
  const origin = `http://${host}:${port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const keys = { signingJwk: await exportJWK(privateKey), masterSecret: randomBytes(32) };
  const { tenant } = buildTenant(rawTenant, name, 'screenshots');
  const app = await buildApp({ issuer: `${origin}/`, tenant, keys, devRoutes: true });
  await app.listen({ port, host });
  return { app, origin };
}

export function authorizeUrl(origin: string, params: Record<string, string> = {}): string {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'openid profile email',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(12).toString('base64url'),
    ...params,
  });
  return `${origin}/authorize?${query}`;
}

export async function latestCode(origin: string, to: string): Promise<string> {
  const response = await fetch(`${origin}/_dev/api/messages/latest?to=${encodeURIComponent(to)}&wait=5000`);
  if (!response.ok) throw new Error(`no message for ${to}: ${response.status}`);
  return ((await response.json()) as { code: string }).code;
}

export async function shoot(page: Page, file: string, fullPage = false): Promise<void> {
  // No blinking caret or half-finished transitions in the pictures.
  await page.addStyleTag({ content: '*, *::before, *::after { caret-color: transparent !important; transition: none !important; animation: none !important; }' });
  await page.evaluate(() => document.fonts.ready);
  const path = `${OUT}${file}`;
  await page.screenshot({ path, fullPage });
  report(file);
}

export function report(file: string): void {
  console.log(`  ${file.padEnd(28)} ${(statSync(`${OUT}${file}`).size / 1024).toFixed(0).padStart(4)} KB`);
}

export async function newPage(browser: Browser, viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  // bypassCSP: the pages' CSP (nonces only) would refuse the style that stills carets and transitions.
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'en-US', isMobile: viewport === MOBILE, hasTouch: viewport === MOBILE, bypassCSP: true });
  return { context, page: await context.newPage() };
}

