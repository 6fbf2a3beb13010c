import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { createManualClock } from '../../src/clock.js';
import { createUnderstudyClient, loginWithPasswordless } from '../../src/testing/index.js';
import { buildTestApp } from '../support/app.js';
import { authorizeUrl, pkcePair } from '../support/flows.js';
import { launchChromium } from '../support/chromium.js';

/** `loginWithPasswordless` drives the real screens in Chromium, the way a user's Playwright suite would. */
describe('understudy/testing loginWithPasswordless in Chromium', () => {
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    ({ app } = await buildTestApp({ issuer: 'http://127.0.0.1:0/', clock: createManualClock(Date.now()) }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  for (const [label, identity] of [
    ['email', { email: 'Playwright.User@Example.com' }],
    ['sms', { phone: '+1 555 010 2030' }],
  ] as const) {
    it(`completes the ${label} screens and lands on the callback with a code`, async () => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        // The app behind the callback is not running: answer its URL in the browser.
        await page.route('http://localhost:3000/**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'app' }));
        const { challenge } = pkcePair();
        const path = authorizeUrl({
          client_id: 'understudy-spa',
          redirect_uri: 'http://localhost:3000/callback',
          response_type: 'code',
          scope: 'openid',
          state: 'pw-state',
          code_challenge: challenge,
          code_challenge_method: 'S256',
          connection: label,
        });
        await page.goto(new URL(path.slice(1), base).toString());
        await loginWithPasswordless(page, { client: createUnderstudyClient(base), ...identity });
        await page.waitForURL((url) => url.origin === 'http://localhost:3000', { timeout: 20_000 });
        const callback = new URL(page.url());
        expect(callback.pathname).toBe('/callback');
        expect(callback.searchParams.get('state')).toBe('pw-state');
        expect(callback.searchParams.get('code')).toBeTruthy();
      } finally {
        await context.close();
      }
    });
  }
});
