import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';
import { CALLBACK, SPA } from '../support/flows.js';
import { emailCodeFirstFactor } from '../support/mfa-login.js';

/**
 * WebAuthn as a second factor over HTTP: what the enrolment screen asks the browser for, and Auth0's
 * refusal of a credential that does not answer the screen's challenge. (The ceremonies themselves run
 * in Chromium with virtual authenticators: test/clients/mfa-chromium.test.ts.)
 */
const EMAIL = 'kim@example.com';
let t: TestApp;

const tenant = (factors: string[]) => ({
  clients: [{ name: 'SPA', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], web_origins: ['http://localhost:3000'] }],
  connections: [{ name: 'email', strategy: 'email' }],
  guardianFactors: factors.map((name) => ({ name, enabled: true })),
  guardianPolicies: { policies: ['all-applications'] },
});

afterEach(async () => {
  await t.app.close();
});

const optionsOf = (html: string): Record<string, unknown> => JSON.parse(/data-webauthn="([^"]*)"/.exec(html)![1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')) as Record<string, unknown>;

describe('Universal Login MFA: WebAuthn', () => {
  beforeEach(async () => {
    t = await buildTestApp({ tenant: tenant(['webauthn-roaming']) });
  });

  it('asks the browser for a cross-platform key for this user, and refuses a credential that answers no challenge', async () => {
    const browser = new Browser(t.app);
    const { resumed, state } = await emailCodeFirstFactor(t, browser, EMAIL);
    const q = `?state=${encodeURIComponent(state)}`;
    expect(String(resumed.headers.location)).toBe(`/u/mfa-webauthn-enrollment${q}`);
    const page = await browser.get(`/u/mfa-webauthn-enrollment${q}`);
    expect(page.body).toContain('Adding Your Security Key');
    const options = optionsOf(page.body);
    expect(options).toMatchObject({ rp: { id: new URL(t.issuer).hostname }, user: { name: EMAIL }, authenticatorSelection: { authenticatorAttachment: 'cross-platform' } });

    const forged = JSON.stringify({ id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'e30', attestationObject: 'oA' } });
    const refused = await browser.post(`/u/mfa-webauthn-enrollment${q}`, { state, action: 'default', passkey: forged });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('We could not start the security key enrollment. Please try again later.');
    // Nothing was enrolled, and the challenge screen has no key to ask for.
    const challenge = await browser.get(`/u/mfa-webauthn-challenge${q}`);
    expect(String(challenge.headers.location)).toBe(`/u/mfa-login-options${q}`);
  });
});

describe('Universal Login MFA: WebAuthn on the device', () => {
  beforeEach(async () => {
    t = await buildTestApp({ tenant: tenant(['webauthn-platform']) });
  });

  it('asks for the platform authenticator with user verification', async () => {
    const browser = new Browser(t.app);
    const { state } = await emailCodeFirstFactor(t, browser, EMAIL);
    const page = await browser.get(`/u/mfa-webauthn-enrollment?state=${encodeURIComponent(state)}`);
    expect(page.body).toContain('Log In Faster on This Device');
    expect(optionsOf(page.body)).toMatchObject({ authenticatorSelection: { authenticatorAttachment: 'platform', userVerification: 'required' } });
  });
});
