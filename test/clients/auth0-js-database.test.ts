import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { browserPerTest } from '../support/chromium.js';
import { AUTH0_JS, CROSS_SITE_CLIENT_ID, EMBEDDED_DB, startEmbeddedEnv, type EmbeddedEnv } from '../support/embedded-harness.js';
import { uniqueEmail } from '../support/spa-harness.js';

/**
 * auth0.js (the published browser bundle, unmodified) from a page on another site than Understudy's
 * (127.0.0.1 against localhost): `signup` creates a database user and answers as Auth0 does, a weak
 * password comes back with the policy's rules, and `changePassword` answers Auth0's text and mails the
 * reset link (docs/research/auth0-database-connections.md §4.2).
 */
const LABEL = `auth0-js ${AUTH0_JS.version}`;
const TEST_TIMEOUT = 90_000;

let env: EmbeddedEnv;
let page: Page;

browserPerTest(startEmbeddedEnv, (session) => ({ env, page } = session));

/** Calls `webAuth[method](options, cb)` in the page; the SDK's result or its error, as plain data. */
function call(method: 'signup' | 'changePassword', options: Record<string, unknown>): Promise<{ ok: boolean; value: unknown }> {
  return page.evaluate(
    ({ method, options, web }) =>
      new Promise<{ ok: boolean; value: unknown }>((resolve) => {
        const auth0 = (window as unknown as { auth0: { WebAuth: new (o: Record<string, unknown>) => Record<string, (o: unknown, cb: (err: unknown, result: unknown) => void) => void> } }).auth0;
        const webAuth = new auth0.WebAuth(web);
        webAuth[method]!(options, (err, result) => resolve(err ? { ok: false, value: JSON.parse(JSON.stringify(err)) } : { ok: true, value: result }));
      }),
    { method, options, web: { domain: env.domain, clientID: CROSS_SITE_CLIENT_ID, redirectUri: `${env.crossSiteOrigin}/auth0js/callback.html`, responseType: 'code', overrides: { __token_issuer: env.issuer } } },
  );
}

describe(LABEL, () => {
  test(`${LABEL}: signup from another site, a weak password's rules, and changePassword`, async () => {
    await page.goto(`${env.crossSiteOrigin}/auth0js/app.html`);
    const email = uniqueEmail('auth0js-db');

    const weak = await call('signup', { connection: EMBEDDED_DB, email, password: 'short' });
    expect(weak.ok).toBe(false);
    expect(weak.value).toMatchObject({ statusCode: 400, code: 'invalid_password', name: 'PasswordStrengthError', policy: expect.stringContaining('* Should contain:') });

    const created = await call('signup', { connection: EMBEDDED_DB, email, password: 'Strong-Enough-1', userMetadata: { plan: 'free' } });
    // auth0.js camel-cases Auth0's `_id` into `Id`, as it does against Auth0.
    expect(created).toEqual({ ok: true, value: { Id: expect.stringMatching(/^[0-9a-f]{24}$/), email, emailVerified: false } });

    const taken = await call('signup', { connection: EMBEDDED_DB, email, password: 'Strong-Enough-2' });
    expect(taken.value).toMatchObject({ statusCode: 400, code: 'invalid_signup', description: 'Invalid sign up' });

    const changed = await call('changePassword', { connection: EMBEDDED_DB, email });
    expect(changed).toEqual({ ok: true, value: "We've just sent you an email to reset your password." });
    const mail = (await (await fetch(`${env.domain}/_dev/api/messages/latest?to=${encodeURIComponent(email)}`)).json()) as { link: string };
    expect(mail.link).toMatch(/\/u\/reset-password\?ticket=/);
  }, TEST_TIMEOUT);
});
