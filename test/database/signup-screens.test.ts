import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';
import { authorizeUrl, CALLBACK, exchangeCode, pkcePair, transactionState } from '../support/flows.js';

/**
 * Sign-up on the login screens over HTTP: login-id's "Sign up" link and screen_hint=signup open
 * signup-id; the email, then the password under the connection's policy (Auth0's error keys first);
 * the new user is logged in to the application. A taken email is refused without a new user.
 */
const DB = 'Username-Password-Authentication';
const CLIENT = 'signup-screens';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({
    tenant: {
      clients: [{ name: 'Signup Screens', client_id: CLIENT, app_type: 'spa', callbacks: [CALLBACK], web_origins: ['http://localhost:3000'] }],
      connections: [{ name: DB, strategy: 'auth0', options: { passwordPolicy: 'good' } }],
      users: [{ connection: DB, email: 'taken@example.com', password: 'Old-password-1' }],
    },
  });
});
afterEach(async () => t.app.close());

async function start(browser: Browser, params: Record<string, string> = {}) {
  const { verifier, challenge } = pkcePair();
  const started = await browser.get(authorizeUrl({ client_id: CLIENT, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid email', code_challenge: challenge, code_challenge_method: 'S256', ...params }));
  const location = String(started.headers.location);
  return { location, state: transactionState(location), verifier };
}

describe('sign-up on the login screens', () => {
  it('"Sign up" on login-id, the email, a weak password refused, then the account and the application', async () => {
    const browser = new Browser(t.app);
    const { location, state, verifier } = await start(browser);
    const loginId = await browser.get(location);
    const href = /href="(\/u\/signup\/identifier\?state=[^"]+)"/.exec(loginId.body)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBe(`/u/signup/identifier?state=${encodeURIComponent(state)}`);
    expect(loginId.body).toContain("Don&#39;t have an account?");

    const signupId = await browser.get(href!);
    expect(signupId.body).toContain('Create Your Account');
    const identified = await browser.post(href!, { state, email: 'New.Member@Example.com', action: 'default' });
    expect(String(identified.headers.location)).toBe(`/u/signup/password?state=${encodeURIComponent(state)}`);
    const passwordScreen = await browser.get(String(identified.headers.location));
    expect(passwordScreen.body).toContain('new.member@example.com');
    expect(passwordScreen.body).toContain('Contain at least 3 of the following 4 types of characters:');

    const weak = await browser.post(String(identified.headers.location), { state, password: 'weakling', action: 'default' });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toMatch(/data-error-code="password-too-weak"[^>]*>The password is too weak</);

    const created = await browser.post(String(identified.headers.location), { state, password: 'Sturdy-pass-1', action: 'default' });
    expect(String(created.headers.location)).toBe(`/authorize/resume?state=${encodeURIComponent(state)}`);
    const callback = new URL(String((await browser.get(String(created.headers.location))).headers.location));
    const tokens = await exchangeCode(t.app, { grant_type: 'authorization_code', client_id: CLIENT, code: callback.searchParams.get('code') ?? '', code_verifier: verifier, redirect_uri: CALLBACK });
    expect(decodeJwt(tokens.json().id_token as string)).toMatchObject({ email: 'new.member@example.com', email_verified: false, sub: expect.stringMatching(/^auth0\|[0-9a-f]{24}$/) });
  });

  it('screen_hint=signup opens sign-up; a taken email is refused with Auth0\'s words', async () => {
    const browser = new Browser(t.app);
    const { location, state } = await start(browser, { screen_hint: 'signup' });
    expect(location).toBe(`/u/signup/identifier?state=${encodeURIComponent(state)}`);
    await browser.post(location, { state, email: 'taken@example.com', action: 'default' });
    const refused = await browser.post(`/u/signup/password?state=${encodeURIComponent(state)}`, { state, password: 'Sturdy-pass-1', action: 'default' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('The user already exists.');
  });

  it('Identifier + Password: "Sign up" on the login page opens the one-page signup; the steps\' URLs lead to it', async () => {
    await t.app.close();
    t = await buildTestApp({
      tenant: {
        clients: [{ name: 'Signup Screens', client_id: CLIENT, app_type: 'spa', callbacks: [CALLBACK] }],
        connections: [{ name: DB, strategy: 'auth0', options: { passwordPolicy: 'good' } }],
        prompts: { identifier_first: false },
      },
    });
    const browser = new Browser(t.app);
    const { location, state, verifier } = await start(browser);
    expect(location).toBe(`/u/login?state=${encodeURIComponent(state)}`);
    const href = /href="(\/u\/signup\?state=[^"]+)"/.exec((await browser.get(location)).body)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBe(`/u/signup?state=${encodeURIComponent(state)}`);
    // The Identifier First steps are not this profile's: they lead to the one page.
    expect(String((await browser.get(`/u/signup/identifier?state=${encodeURIComponent(state)}`)).headers.location)).toBe(href);

    const page = await browser.get(href!);
    expect(page.body).toContain('id="email"');
    expect(page.body).toContain('id="password"');
    const weak = await browser.post(href!, { state, email: 'one.page@example.com', password: 'weakling', action: 'default' });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toMatch(/id="error-element-password"[^>]*data-error-code="password-too-weak"[^>]*>The password is too weak</);
    // What was typed stays in the form.
    expect(weak.body).toContain('value="one.page@example.com"');
    const badEmail = await browser.post(href!, { state, email: 'not-an-email', password: 'Sturdy-pass-1', action: 'default' });
    expect(badEmail.body).toMatch(/id="error-element-email"[^>]*>Email is not valid\.</);

    const created = await browser.post(href!, { state, email: 'one.page@example.com', password: 'Sturdy-pass-1', action: 'default' });
    expect(String(created.headers.location)).toBe(`/authorize/resume?state=${encodeURIComponent(state)}`);
    const callback = new URL(String((await browser.get(String(created.headers.location))).headers.location));
    const tokens = await exchangeCode(t.app, { grant_type: 'authorization_code', client_id: CLIENT, code: callback.searchParams.get('code') ?? '', code_verifier: verifier, redirect_uri: CALLBACK });
    expect(decodeJwt(tokens.json().id_token as string)).toMatchObject({ email: 'one.page@example.com', email_verified: false });
  });
});
