import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, devHeaders, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';
import { CALLBACK, SPA } from '../support/flows.js';
import { emailCodeFirstFactor, idTokenClaimsAt } from '../support/mfa-login.js';

/**
 * The push-notification factor (Guardian) in Universal Login, over HTTP: the welcome and QR screens,
 * the device played by the dev plane (scan, approve, deny), the status the pages poll, and Auth0's
 * errors while the device has not answered or denied.
 */
const EMAIL = 'piper@example.com';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({
    tenant: {
      clients: [{ name: 'SPA', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], web_origins: ['http://localhost:3000'] }],
      connections: [{ name: 'email', strategy: 'email' }],
      guardianFactors: [{ name: 'push-notification', enabled: true }, { name: 'recovery-code', enabled: true }],
      guardianPolicies: { policies: ['all-applications'] },
    },
  });
});
afterEach(async () => {
  await t.app.close();
});

const attr = (html: string, name: string): string | undefined => new RegExp(`${name}="([^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, '&');

async function pushEnrolment(): Promise<{ id: string; confirmed: boolean; name?: string; push?: { status: string } }> {
  const response = await t.app.inject({ method: 'GET', url: `/_dev/api/mfa?email=${encodeURIComponent(EMAIL)}`, headers: devHeaders(t.app) });
  const found = (response.json().enrolments as { id: string; factor: string; confirmed: boolean }[]).find((e) => e.factor === 'push-notification');
  if (!found) throw new Error('no push enrolment');
  return found;
}

const device = (id: string, action: 'scan' | 'approve' | 'deny') =>
  t.app.inject({ method: 'POST', url: `/_dev/api/mfa/authenticators/${encodeURIComponent(id)}/${action}`, headers: devHeaders(t.app), payload: {} });

async function status(browser: Browser, state: string, screen: 'enrollment' | 'challenge'): Promise<string> {
  const response = await browser.get(`/u/mfa-push-status?state=${encodeURIComponent(state)}&screen=${screen}`);
  expect(response.statusCode).toBe(200);
  return (JSON.parse(response.body) as { status: string }).status;
}

describe('Universal Login MFA: push notifications', () => {
  it('enrols a device through its QR code, then challenges it; the dev plane approves or denies', async () => {
    const browser = new Browser(t.app);
    const first = await emailCodeFirstFactor(t, browser, EMAIL);
    const q = `?state=${encodeURIComponent(first.state)}`;
    expect(String(first.resumed.headers.location)).toBe(`/u/mfa-push-welcome${q}`);
    const welcome = await browser.get(`/u/mfa-push-welcome${q}`);
    expect(welcome.body).toContain('install the Auth0 Guardian app via the app store');

    const begun = await browser.post(`/u/mfa-push-welcome${q}`, { state: first.state, action: 'enroll' });
    expect(String(begun.headers.location)).toBe(`/u/mfa-push-enrollment${q}`);
    const qr = await browser.get(`/u/mfa-push-enrollment${q}`);
    expect(qr.body).toContain('<svg');
    expect(attr(qr.body, 'data-enrollment-uri')).toMatch(/^otpauth:\/\/totp\/Understudy:piper%40example\.com\?enrollment_tx_id=\w+&base_url=http%3A%2F%2F/);
    expect(await status(browser, first.state, 'enrollment')).toBe('pending');

    // Continue before the device scanned: Auth0's error, and the QR code again.
    const early = await browser.post(`/u/mfa-push-enrollment${q}`, { state: first.state, action: 'continue' });
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain('You must scan the QR code with the Auth0 Guardian app on your mobile device.');

    const pending = await pushEnrolment();
    expect(pending.confirmed).toBe(false);
    expect((await device(pending.id, 'scan')).statusCode).toBe(200);
    expect((await device(pending.id, 'scan')).statusCode).toBe(404);
    expect(await status(browser, first.state, 'enrollment')).toBe('approved');
    const enrolled = await browser.post(`/u/mfa-push-enrollment${q}`, { state: first.state, action: 'continue' });
    expect(String(enrolled.headers.location)).toBe(`/u/mfa-recovery-code-enrollment${q}`);
    const recorded = await browser.post(`/u/mfa-recovery-code-enrollment${q}`, { state: first.state, saved: 'on' });
    expect((await idTokenClaimsAt(t, browser, String(recorded.headers.location), first.verifier)).amr).toEqual(['mfa']);

    // A later login, on another browser: a notification is sent, and the page waits for its answer.
    const other = new Browser(t.app);
    const second = await emailCodeFirstFactor(t, other, EMAIL);
    const q2 = `?state=${encodeURIComponent(second.state)}`;
    expect(String(second.resumed.headers.location)).toBe(`/u/mfa-push-challenge${q2}`);
    const challenge = await other.get(`/u/mfa-push-challenge${q2}`);
    expect(challenge.body).toContain('Understudy Guardian (dev)');
    expect((await pushEnrolment()).push?.status).toBe('pending');
    expect(await status(other, second.state, 'challenge')).toBe('pending');
    const notYet = await other.post(`/u/mfa-push-challenge${q2}`, { state: second.state, action: 'continue' });
    expect(notYet.statusCode).toBe(400);
    expect(notYet.body).toContain('You must accept the notification via the Auth0 Guardian app on your mobile device.');

    // Denied: "Notification rejected"; a resend sends a new one, which the device approves.
    expect((await device(pending.id, 'deny')).statusCode).toBe(200);
    expect(await status(other, second.state, 'challenge')).toBe('rejected');
    const rejected = await other.post(`/u/mfa-push-challenge${q2}`, { state: second.state, action: 'continue' });
    expect(rejected.statusCode).toBe(400);
    expect(rejected.body).toMatch(/role="alert"[^>]*>[\s\S]*Notification rejected/);
    const resent = await other.post(`/u/mfa-push-challenge${q2}`, { state: second.state, action: 'resend' });
    expect(resent.statusCode).toBe(200);
    expect(await status(other, second.state, 'challenge')).toBe('pending');
    expect((await device(pending.id, 'approve')).statusCode).toBe(200);
    const approved = await other.post(`/u/mfa-push-challenge${q2}`, { state: second.state, action: 'continue', rememberBrowser: 'true' });
    expect(String(approved.headers.location)).toBe(`/authorize/resume${q2}`);
    expect((await idTokenClaimsAt(t, other, String(approved.headers.location), second.verifier)).amr).toEqual(['mfa']);
    // The approval was spent by that login; nothing waits now.
    expect((await device(pending.id, 'approve')).statusCode).toBe(404);
  });

  it('a notification not answered within 5 minutes is not approvable', async () => {
    const browser = new Browser(t.app);
    const first = await emailCodeFirstFactor(t, browser, EMAIL);
    const q = `?state=${encodeURIComponent(first.state)}`;
    await browser.post(`/u/mfa-push-welcome${q}`, { state: first.state, action: 'enroll' });
    await device((await pushEnrolment()).id, 'scan');
    await browser.post(`/u/mfa-push-enrollment${q}`, { state: first.state, action: 'continue' });

    const other = new Browser(t.app);
    const second = await emailCodeFirstFactor(t, other, EMAIL);
    t.clock.advance(5 * 60_000 + 1);
    const { id, push } = await pushEnrolment();
    expect(push?.status).toBe('expired');
    expect((await device(id, 'approve')).statusCode).toBe(404);
    expect(await status(other, second.state, 'challenge')).toBe('expired');
  });
});
