import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Browser as Chromium, Page } from 'playwright-core';
import { buildTestApp } from '../support/app.js';
import { createManualClock } from '../../src/clock.js';
import { CALLBACK, SPA, authorizeUrl, latestMessage, pkcePair } from '../support/flows.js';
import { loginToResume, reachChallenge, startLogin } from '../support/screens.js';
import { launchChromium } from '../support/chromium.js';

/**
 * Security headers on the HTML pages (helmet): a CSP whose only script and style sources are
 * the per-request nonces the page's own <script>/<style> carry; login screens, the error page and the
 * form_post page refuse framing; the web_message page stays frameable for auth0-spa-js's hidden iframe;
 * JSON answers carry no CSP. Then the same pages in Chromium, with no CSP violation reported.
 */
type Csp = Map<string, string[]>;

function cspOf(response: LightMyRequestResponse): Csp {
  const header = response.headers['content-security-policy'];
  expect(header, `no CSP on ${response.body.slice(0, 80)}`).toBeTypeOf('string');
  return new Map(
    String(header)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

/** Every inline <script> (not a JSON data block) and <style> carries the CSP's nonce; no inline handlers. */
function expectNoncedInlineCode(response: LightMyRequestResponse): void {
  const csp = cspOf(response);
  const nonceIn = (directive: string): string | undefined => csp.get(directive)?.find((v) => v.startsWith("'nonce-"))?.slice(7, -1);
  const scriptNonce = nonceIn('script-src');
  const styleNonce = nonceIn('style-src');
  for (const tag of response.body.match(/<script\b[^>]*>/g) ?? []) {
    if (/type="application\/json"/.test(tag)) continue;
    expect(tag).toBe(`<script nonce="${scriptNonce}">`);
  }
  for (const tag of response.body.match(/<style\b[^>]*>/g) ?? []) expect(tag).toBe(`<style nonce="${styleNonce}">`);
  expect(response.body).not.toMatch(/\son[a-z]+\s*=\s*["']/i);
  expect(response.body).not.toMatch(/javascript:/i);
  // 'unsafe-inline' with a nonce is ignored by browsers anyway; neither it nor eval is offered.
  expect([...(csp.get('script-src') ?? [])]).not.toContain("'unsafe-inline'");
  expect([...(csp.get('script-src') ?? [])]).not.toContain("'unsafe-eval'");
}

function expectUnframeable(response: LightMyRequestResponse): void {
  expect(cspOf(response).get('frame-ancestors')).toEqual(["'none'"]);
  expect(response.headers['x-frame-options']).toBe('DENY');
}

const HTML = { accept: 'text/html' };

describe('security headers (in process)', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });
  afterAll(async () => app.close());

  it('login screens: nonce-only CSP, no framing, nosniff, no Referer, and no COOP (loginWithPopup needs window.opener)', async () => {
    const s = await startLogin(app);
    const loginId = await s.browser.get(s.location);
    expect(loginId.statusCode).toBe(200);
    expectNoncedInlineCode(loginId);
    expectUnframeable(loginId);
    expect(cspOf(loginId).get('default-src')).toEqual(["'none'"]);
    expect(loginId.headers['x-content-type-options']).toBe('nosniff');
    expect(loginId.headers['referrer-policy']).toBe('no-referrer');
    expect(loginId.headers['cross-origin-opener-policy']).toBeUndefined();
    expect(loginId.headers['strict-transport-security']).toBeUndefined();
    // No form-action: Chromium would apply it to the redirect chain that ends on the app's callback.
    expect(cspOf(loginId).has('form-action')).toBe(false);

    const challenge = await s.browser.get(await reachChallenge(s, 'csp@example.com'));
    expectNoncedInlineCode(challenge);
    expectUnframeable(challenge);
  });

  it('a fresh nonce on every page', async () => {
    const s = await startLogin(app);
    const first = cspOf(await s.browser.get(s.location)).get('style-src');
    const second = cspOf(await s.browser.get(s.location)).get('style-src');
    expect(first).not.toEqual(second);
  });

  it('the error page, also for a 404 and for errors before routing', async () => {
    for (const url of ['/authorize?client_id=nope', '/no/such/page', '/u/login/identifier?state=stale']) {
      const page = await app.inject({ method: 'GET', url, headers: HTML });
      expect(page.statusCode).toBeGreaterThanOrEqual(400);
      expectNoncedInlineCode(page);
      expectUnframeable(page);
    }
  });

  it('the form_post page: its auto-submit is a nonce\'d script (no onload handler), and it refuses framing', async () => {
    const s = await startLogin(app, { response_mode: 'form_post' });
    const page = await loginToResume(s, 'formpost@example.com', 'formpost@example.com', app);
    expect(page.statusCode).toBe(200);
    expectNoncedInlineCode(page);
    expectUnframeable(page);
    expect(page.body).toMatch(/<script nonce="[0-9a-f]{32}">document\.forms\[0\]\.submit\(\);<\/script>/);
  });

  it('the web_message page: nonce\'d script, and frameable (no X-Frame-Options, no frame-ancestors)', async () => {
    const s = await startLogin(app, { response_mode: 'web_message' });
    const page = await loginToResume(s, 'webmessage@example.com', 'webmessage@example.com', app);
    expect(page.statusCode).toBe(200);
    expectNoncedInlineCode(page);
    expect(page.headers['x-frame-options']).toBeUndefined();
    expect(cspOf(page).has('frame-ancestors')).toBe(false);
    expect(page.headers['cross-origin-resource-policy']).toBeUndefined();
    // prompt=none answers straight from /authorize, in the iframe.
    const silent = await s.browser.get(authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', response_mode: 'web_message', prompt: 'none', state: 'x', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }));
    expect(silent.statusCode).toBe(200);
    expect(silent.headers['x-frame-options']).toBeUndefined();
  });

  it('the dev mailbox: nonce\'d script and style, style attributes only (for email previews), no framing', async () => {
    const page = await app.inject({ method: 'GET', url: '/_dev/mailbox' });
    expectNoncedInlineCode(page);
    expectUnframeable(page);
    expect(cspOf(page).get('style-src-attr')).toEqual(["'unsafe-inline'"]);
    expect(cspOf(page).get('connect-src')).toEqual(["'self'"]);
  });

  it('JSON answers carry no CSP', async () => {
    for (const response of [
      await app.inject('/.well-known/openid-configuration'),
      await app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'nope' } }),
      await app.inject('/_dev/api/messages'),
      await app.inject({ method: 'GET', url: '/no/such/thing' }),
    ]) {
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['content-security-policy']).toBeUndefined();
    }
  });
});

describe('the pages in Chromium: no CSP violation, and the scripts still run', () => {
  let app: FastifyInstance;
  let chromium: Chromium;
  let base: string;

  beforeAll(async () => {
    ({ app } = await buildTestApp({ issuer: 'http://127.0.0.1:0/', clock: createManualClock(Date.now()) }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    chromium = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    await app?.close();
  });

  /** A page that records CSP violations (console and securitypolicyviolation events). */
  async function watchedPage(): Promise<{ page: Page; violations: string[]; close: () => Promise<void> }> {
    const context = await chromium.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    return { page, violations, close: () => context.close() };
  }

  it('login-id, the code screen and the mailbox with an email preview open', async () => {
    const { page, violations, close } = await watchedPage();
    try {
      await page.goto(`${base}${authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', state: 's', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })}`);
      await page.waitForSelector('input[name="username"]');
      // The stylesheet applied: the card is laid out, not an unstyled page.
      expect(await page.evaluate(() => getComputedStyle(document.querySelector('main.card')!).maxWidth)).toBe('400px');
      await page.fill('input[name="username"]', 'chromium.csp@example.com');
      await page.click('button[value="default"]');
      await page.waitForSelector('input[name="code"]');

      await page.goto(`${base}/_dev/mailbox`);
      await page.waitForSelector('.message');
      await page.click('.message .toggle');
      const frame = await (await page.waitForSelector('iframe.preview')).contentFrame();
      await frame!.waitForSelector('h1');
      // The email's inline styles apply inside the preview.
      expect(await frame!.evaluate(() => getComputedStyle(document.querySelector('h1')!).fontSize)).toBe('22px');
      expect(violations).toEqual([]);
    } finally {
      await close();
    }
  });

  it('the form_post page submits itself to the callback', async () => {
    const { page, violations, close } = await watchedPage();
    try {
      let posted: string | undefined;
      await page.route('http://localhost:3000/**', async (route) => {
        posted = route.request().postData() ?? '';
        await route.fulfill({ status: 200, contentType: 'text/plain', body: 'app' });
      });
      await page.goto(`${base}${authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', response_mode: 'form_post', state: 'fp', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })}`);
      await page.fill('input[name="username"]', 'chromium.formpost@example.com');
      await page.click('button[value="default"]');
      await page.waitForSelector('input[name="code"]');
      const code = (await latestMessage(app, 'chromium.formpost@example.com')).code;
      await page.fill('input[name="code"]', code);
      await page.click('button[value="default"]');
      await page.waitForURL('http://localhost:3000/**');
      expect(posted).toMatch(/(^|&)code=[^&]+/);
      expect(posted).toContain('state=fp');
      expect(violations).toEqual([]);
    } finally {
      await close();
    }
  });
});

