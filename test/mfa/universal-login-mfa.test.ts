import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as OTPAuth from 'otpauth';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';
import { authorizeUrl, CALLBACK, exchangeCode, latestMessage, pkcePair, SPA } from '../support/flows.js';
import { emailCodeFirstFactor, idTokenClaimsAt } from '../support/mfa-login.js';

/**
 * Universal Login's second factor through HTTP, as a browser walks it: a tenant with Guardian's otp
 * and recovery-code factors under the all-applications policy. Codes come from the `otpauth` package
 * (an implementation independent of the product's) with the secret the enrolment page shows.
 */
const EMAIL = 'dana@example.com';
const tenant = (extra: Record<string, unknown> = {}) => ({
  clients: [{ name: 'SPA', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], allowed_logout_urls: [CALLBACK], web_origins: ['http://localhost:3000'] }],
  connections: [{ name: 'email', strategy: 'email' }],
  guardianFactors: [
    { name: 'otp', enabled: true },
    { name: 'recovery-code', enabled: true },
    { name: 'sms', enabled: false },
  ],
  guardianPolicies: { policies: ['all-applications'] },
  ...extra,
});

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({ tenant: tenant() });
});
afterEach(async () => {
  await t.app.close();
});

const attr = (html: string, name: string): string | undefined => new RegExp(`${name}="([^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, '&');

/** /authorize → login-id → the emailed code: the first factor, up to where the second begins. */
const firstFactor = (browser: Browser, params: Record<string, string> = {}) => emailCodeFirstFactor(t, browser, EMAIL, params);

const totp = (secret: string, timestamp: number) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp });

/** Follows the login to the callback and exchanges its code: the ID token's claims. */
const toTokens = (browser: Browser, location: string, verifier: string) => idTokenClaimsAt(t, browser, location, verifier);

describe('Universal Login MFA: otp and recovery code under the all-applications policy', () => {
  it('enrols an authenticator app, shows the recovery code, and the ID token says mfa', async () => {
    const browser = new Browser(t.app);
    const { resumed, state, verifier } = await firstFactor(browser);
    expect(resumed.statusCode).toBe(302);
    expect(String(resumed.headers.location)).toBe(`/u/mfa-otp-enrollment?state=${encodeURIComponent(state)}`);

    const page = await browser.get(String(resumed.headers.location));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<svg');
    const uri = attr(page.body, 'data-otpauth-uri')!;
    expect(uri).toMatch(/^otpauth:\/\/totp\/Understudy:dana%40example\.com\?secret=[A-Z2-7]+&issuer=Understudy&algorithm=SHA1&digits=6&period=30$/);
    const secret = attr(page.body, 'data-otp-secret')!;
    expect(OTPAuth.URI.parse(uri).secret.base32).toBe(secret);

    // A wrong code: Auth0's error under the field, and the screen again.
    const wrong = await browser.post(`/u/mfa-otp-enrollment?state=${encodeURIComponent(state)}`, { state, code: '000000', action: 'default' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toMatch(/id="error-element-code"[^>]*data-error-code="invalid-code"[^>]*>The code you entered is invalid</);

    const enrolled = await browser.post(`/u/mfa-otp-enrollment?state=${encodeURIComponent(state)}`, { state, code: totp(secret, t.clock.now()), action: 'default' });
    expect(enrolled.statusCode, enrolled.body).toBe(302);
    expect(String(enrolled.headers.location)).toBe(`/u/mfa-recovery-code-enrollment?state=${encodeURIComponent(state)}`);
    const recoveryPage = await browser.get(String(enrolled.headers.location));
    const recoveryCode = attr(recoveryPage.body, 'data-recovery-code')!;
    expect(recoveryCode).toMatch(/^[A-Z0-9]{24}$/);

    // resume refuses to answer before the code is confirmed as recorded.
    const early = await browser.get(`/authorize/resume?state=${encodeURIComponent(state)}`);
    expect(String(early.headers.location)).toContain('/u/mfa-recovery-code-enrollment');
    const unconfirmed = await browser.post(`/u/mfa-recovery-code-enrollment?state=${encodeURIComponent(state)}`, { state, action: 'default' });
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain('Please confirm you have recorded the code');
    const confirmed = await browser.post(`/u/mfa-recovery-code-enrollment?state=${encodeURIComponent(state)}`, { state, saved: 'on', action: 'default' });
    expect(String(confirmed.headers.location)).toBe(`/authorize/resume?state=${encodeURIComponent(state)}`);

    const claims = await toTokens(browser, String(confirmed.headers.location), verifier);
    expect(claims.amr).toEqual(['mfa']);
    expect(claims.acr).toBeUndefined();
  });

  it('a later login asks only for the challenge; the recovery code works once and is replaced', async () => {
    const browser = new Browser(t.app);
    const first = await firstFactor(browser);
    const state = first.state;
    const page = await browser.get(String(first.resumed.headers.location));
    const secret = attr(page.body, 'data-otp-secret')!;
    await browser.post(`/u/mfa-otp-enrollment?state=${encodeURIComponent(state)}`, { state, code: totp(secret, t.clock.now()), action: 'default' });
    const recoveryCode = attr((await browser.get(`/u/mfa-recovery-code-enrollment?state=${encodeURIComponent(state)}`)).body, 'data-recovery-code')!;
    await browser.post(`/u/mfa-recovery-code-enrollment?state=${encodeURIComponent(state)}`, { state, saved: 'on' });

    // A new browser: no session, so the first factor again, then only the challenge.
    t.clock.advance(60_000);
    const other = new Browser(t.app);
    const second = await firstFactor(other);
    expect(String(second.resumed.headers.location)).toBe(`/u/mfa-otp-challenge?state=${encodeURIComponent(second.state)}`);
    const challenge = await other.get(String(second.resumed.headers.location));
    expect(challenge.body).toContain('Remember this device for 30 days');
    expect(challenge.body).toContain('Try another method');

    // The recovery code instead of the app.
    const options = await other.post(`/u/mfa-login-options?state=${encodeURIComponent(second.state)}`, { state: second.state, action: 'recovery-code' });
    expect(String(options.headers.location)).toBe(`/u/mfa-recovery-code-challenge?state=${encodeURIComponent(second.state)}`);
    const used = await other.post(String(options.headers.location), { state: second.state, code: recoveryCode.toLowerCase(), action: 'default' });
    expect(String(used.headers.location)).toBe(`/u/mfa-recovery-code-challenge-new-code?state=${encodeURIComponent(second.state)}`);
    const replacement = attr((await other.get(String(used.headers.location))).body, 'data-recovery-code')!;
    expect(replacement).toMatch(/^[A-Z0-9]{24}$/);
    expect(replacement).not.toBe(recoveryCode);
    const done = await other.post(String(used.headers.location), { state: second.state, saved: 'on' });
    const claims = await toTokens(other, String(done.headers.location), second.verifier);
    expect(claims.amr).toEqual(['mfa']);

    // The used code is gone: a third login cannot use it, and the replacement works.
    const browser3 = new Browser(t.app);
    const third = await firstFactor(browser3);
    const recovery = `/u/mfa-recovery-code-challenge?state=${encodeURIComponent(third.state)}`;
    const reused = await browser3.post(recovery, { state: third.state, code: recoveryCode, action: 'default' });
    expect(reused.statusCode).toBe(400);
    expect(reused.body).toContain('The code you entered is invalid');
    const replaced = await browser3.post(recovery, { state: third.state, code: replacement, action: 'default' });
    expect(String(replaced.headers.location)).toContain('/u/mfa-recovery-code-challenge-new-code');
  });
});

/** Enrols otp for the user through the screens; the secret, for the codes of later logins. */
async function enrolOtp(browser: Browser): Promise<{ secret: string; state: string; verifier: string }> {
  const { resumed, state, verifier } = await firstFactor(browser);
  const page = await browser.get(String(resumed.headers.location));
  const secret = attr(page.body, 'data-otp-secret')!;
  await browser.post(`/u/mfa-otp-enrollment?state=${encodeURIComponent(state)}`, { state, code: totp(secret, t.clock.now()), action: 'default' });
  await browser.post(`/u/mfa-recovery-code-enrollment?state=${encodeURIComponent(state)}`, { state, saved: 'on' });
  return { secret, state, verifier };
}

describe('Universal Login MFA: what skips the challenge and what does not', () => {
  it('"Remember this device" skips the next challenge on that browser only; acr_values asks again anyway', async () => {
    const browser = new Browser(t.app);
    const { secret } = await enrolOtp(browser);
    t.clock.advance(60_000);
    // A new session on the same browser (the SSO cookie dropped), remembering the device this time.
    browser.cookies.delete('auth0');
    const second = await firstFactor(browser);
    const challenge = String(second.resumed.headers.location);
    expect(challenge).toContain('/u/mfa-otp-challenge');
    const passed = await browser.post(challenge, { state: second.state, code: totp(secret, t.clock.now()), rememberBrowser: 'true', action: 'default' });
    expect([passed.headers['set-cookie']].flat()).toEqual(expect.arrayContaining([expect.stringMatching(/^auth0-mf=.*Max-Age=2592000/)]));
    await toTokens(browser, String(passed.headers.location), second.verifier);

    t.clock.advance(60_000);
    browser.cookies.delete('auth0');
    const third = await firstFactor(browser);
    const callback = new URL(String(third.resumed.headers.location));
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    const claims = await (async () => {
      const tokens = await exchangeCode(t.app, { grant_type: 'authorization_code', client_id: SPA, code: callback.searchParams.get('code') ?? '', code_verifier: third.verifier, redirect_uri: CALLBACK });
      return decodeJwt(tokens.json().id_token as string);
    })();
    // No factor on this login: no amr (Auth0 sets it only on the login that passed one).
    expect(claims.amr).toBeUndefined();

    // acr_values asking for multi-factor: the remembered browser does not count, and acr is set.
    browser.cookies.delete('auth0');
    const stepUp = await firstFactor(browser, { acr_values: 'http://schemas.openid.net/pape/policies/2007/06/multi-factor' });
    expect(String(stepUp.resumed.headers.location)).toContain('/u/mfa-otp-challenge');
    t.clock.advance(30_000);
    const stepped = await browser.post(String(stepUp.resumed.headers.location), { state: stepUp.state, code: totp(secret, t.clock.now()), action: 'default' });
    const stepClaims = await toTokens(browser, String(stepped.headers.location), stepUp.verifier);
    expect(stepClaims).toMatchObject({ amr: ['mfa'], acr: 'http://schemas.openid.net/pape/policies/2007/06/multi-factor' });
  });

  it('silent authentication: a session without a second factor answers login_required, one with it answers', async () => {
    const browser = new Browser(t.app);
    const first = await firstFactor(browser);
    // Abandoned at the enrolment screen: the session exists, the factor does not.
    expect(String(first.resumed.headers.location)).toContain('/u/mfa-otp-enrollment');
    const { challenge } = pkcePair();
    const silent = (b: Browser) => b.get(authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', state: 's', prompt: 'none', code_challenge: challenge, code_challenge_method: 'S256' }));
    const refused = new URL(String((await silent(browser)).headers.location));
    expect(Object.fromEntries(refused.searchParams)).toMatchObject({ error: 'login_required', error_description: 'Multifactor authentication required', state: 's' });

    const enrolled = new Browser(t.app);
    await enrolOtp(enrolled);
    const answered = new URL(String((await silent(enrolled)).headers.location));
    expect(answered.searchParams.get('code')).toBeTruthy();
  });

  it('wrong codes: Auth0\'s error each time, and after ten the right code is refused too', async () => {
    const browser = new Browser(t.app);
    const { secret } = await enrolOtp(browser);
    t.clock.advance(60_000);
    const again = new Browser(t.app);
    const second = await firstFactor(again);
    const challenge = String(second.resumed.headers.location);
    for (let i = 0; i < 10; i++) {
      const wrong = await again.post(challenge, { state: second.state, code: '000000', action: 'default' });
      expect(wrong.statusCode).toBe(400);
    }
    const locked = await again.post(challenge, { state: second.state, code: totp(secret, t.clock.now()), action: 'default' });
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toMatch(/data-error-code="too-many-failures"[^>]*>Too many failed codes\. Wait for some minutes before retrying\.</);
    // The bucket refills one try every six minutes.
    t.clock.advance(6 * 60_000);
    const after = await again.post(challenge, { state: second.state, code: totp(secret, t.clock.now()), action: 'default' });
    expect(after.statusCode).toBe(302);
  });
});

describe('Universal Login MFA: email and SMS', () => {
  beforeEach(async () => {
    await t.app.close();
    t = await buildTestApp({ tenant: tenant({ guardianFactors: [{ name: 'email', enabled: true }, { name: 'sms', enabled: true }] }) });
  });

  it('email: a verified email needs no enrolment; the code is in the mailbox, marked as the second factor', async () => {
    const browser = new Browser(t.app);
    const { resumed, state, verifier } = await firstFactor(browser);
    expect(String(resumed.headers.location)).toBe(`/u/mfa-email-challenge?state=${encodeURIComponent(state)}`);
    const page = await browser.get(String(resumed.headers.location));
    expect(page.body).toContain(EMAIL);
    const message = await latestMessage(t.app, EMAIL);
    expect(message).toMatchObject({ channel: 'email', connection: 'guardian' });
    expect(message.text).toContain(message.code);
    const passed = await browser.post(String(resumed.headers.location), { state, code: message.code, action: 'default' });
    expect(String(passed.headers.location)).toBe(`/authorize/resume?state=${encodeURIComponent(state)}`);
    expect((await toTokens(browser, String(passed.headers.location), verifier)).amr).toEqual(['mfa']);
  });

  it('sms: "Try another method" enrols a phone, whose code arrives as a text', async () => {
    const browser = new Browser(t.app);
    const { state, verifier } = await firstFactor(browser);
    const options = await browser.get(`/u/mfa-login-options?state=${encodeURIComponent(state)}`);
    expect(options.body).toContain('data-factor="email"');
    const chosen = await browser.post(`/u/mfa-login-options?state=${encodeURIComponent(state)}`, { state, action: 'sms' });
    expect(String(chosen.headers.location)).toBe(`/u/mfa-sms-enrollment?state=${encodeURIComponent(state)}`);
    const bad = await browser.post(String(chosen.headers.location), { state, phone: 'not a number', action: 'default' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Seems that your phone number is not valid');
    const sent = await browser.post(String(chosen.headers.location), { state, phone: '+1 555 010 9999', action: 'default' });
    expect(String(sent.headers.location)).toBe(`/u/mfa-sms-challenge?state=${encodeURIComponent(state)}`);
    const page = await browser.get(String(sent.headers.location));
    expect(page.body).toContain('XXXXXXXX9999');
    const text = await latestMessage(t.app, '+15550109999');
    expect(text).toMatchObject({ channel: 'sms', connection: 'guardian' });
    expect(text.text).toBe(`${text.code} is your verification code for Understudy. Please enter this code to verify your enrollment.`);
    const passed = await browser.post(String(sent.headers.location), { state, code: text.code, action: 'default' });
    expect(String(passed.headers.location)).toBe(`/authorize/resume?state=${encodeURIComponent(state)}`);
    expect((await toTokens(browser, String(passed.headers.location), verifier)).amr).toEqual(['mfa']);
  });
});

describe('Universal Login MFA: ways in that skip the screens still owe the factor', () => {
  it('a magic link opens the session, then sends the browser to the second factor, not to the app; its code still gets no refresh token', async () => {
    await t.app.close();
    t = await buildTestApp({
      tenant: tenant({
        clients: [{ name: 'Web', client_id: 'mfa-web', client_secret: 'mfa-web-secret', app_type: 'regular_web', token_endpoint_auth_method: 'client_secret_post', callbacks: [CALLBACK] }],
      }),
    });
    const started = await t.app.inject({
      method: 'POST',
      url: '/passwordless/start',
      payload: { client_id: 'mfa-web', client_secret: 'mfa-web-secret', connection: 'email', email: EMAIL, send: 'link', authParams: { redirect_uri: CALLBACK, response_type: 'code', scope: 'openid offline_access', state: 'link-state' } },
    });
    expect(started.statusCode, started.body).toBe(200);
    const link = new URL(String((await latestMessage(t.app, EMAIL)).link));
    const browser = new Browser(t.app);
    const opened = await browser.get(link.pathname + link.search);
    expect(opened.statusCode).toBe(302);
    expect(String(opened.headers.location)).toMatch(/^\/u\/mfa-otp-enrollment\?state=/);

    // The factor passed, the login ends at the app; Auth0 gives a magic link's code no refresh token.
    const enrolment = String(opened.headers.location);
    const state = new URL(enrolment, 'http://x').searchParams.get('state')!;
    const secret = attr((await browser.get(enrolment)).body, 'data-otp-secret')!;
    await browser.post(enrolment, { state, code: totp(secret, t.clock.now()), action: 'default' });
    const done = await browser.post(`/u/mfa-recovery-code-enrollment?state=${encodeURIComponent(state)}`, { state, saved: 'on' });
    const callback = new URL(String((await browser.get(String(done.headers.location))).headers.location));
    expect(callback.searchParams.get('state')).toBe('link-state');
    const tokens = await exchangeCode(t.app, { grant_type: 'authorization_code', client_id: 'mfa-web', client_secret: 'mfa-web-secret', code: callback.searchParams.get('code') ?? '', redirect_uri: CALLBACK });
    expect(tokens.statusCode, tokens.body).toBe(200);
    expect(tokens.json().access_token).toBeTruthy();
    expect(tokens.json().refresh_token).toBeUndefined();
  });
});
