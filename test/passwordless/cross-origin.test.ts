import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser, inputValue } from '../support/browser.js';
import { authorizeUrl, latestMessage } from '../support/flows.js';
import { OTP_GRANT, post, tenantWith } from '../support/api.js';

/**
 * Embedded passwordless at the HTTP level, in the shapes auth0.js sends (web-auth/cross-origin-
 * authentication.js, authentication/passwordless-authentication.js): POST /co/authenticate and its
 * refusals (auth0/docs _co_authenticate_errors.md), /authorize?login_ticket with and without the
 * session cookie, the cross-origin verification step at /co/verify, POST /passwordless/verify, and
 * Lock's /client/<id>.js.
 */
const APP = 'http://localhost:3000';
const CALLBACK = `${APP}/callback`;
const VERIFY_PAGE = `${APP}/co-verify.html`;
const EMBEDDED = 'embedded-spa';
const NO_FALLBACK = 'embedded-no-fallback';
const NOT_ALLOWED = 'embedded-off';

const embeddedClient = (client_id: string, extra: Record<string, unknown>) => ({
  name: client_id,
  client_id,
  app_type: 'spa',
  token_endpoint_auth_method: 'none',
  callbacks: [CALLBACK],
  allowed_logout_urls: [APP],
  web_origins: [APP],
  ...extra,
});

const tenant = tenantWith({
  clients: [
    embeddedClient(EMBEDDED, { cross_origin_authentication: true, cross_origin_loc: VERIFY_PAGE }),
    embeddedClient(NO_FALLBACK, { cross_origin_authentication: true }),
    embeddedClient(NOT_ALLOWED, {}),
  ],
  connections: [
    { name: 'email', strategy: 'email', options: { totp: { length: 6, time_step: 180 } } },
    { name: 'sms', strategy: 'sms', options: { totp: { length: 6, time_step: 180 } } },
    { name: 'closed', strategy: 'email', options: { disable_signup: true } },
  ],
});

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({ tenant });
});
afterEach(() => t.app.close());

function keep(browser: Browser, response: LightMyRequestResponse): void {
  for (const cookie of response.cookies as { name: string; value: string; maxAge?: number }[]) {
    if (cookie.maxAge === 0 || cookie.value === '') browser.cookies.delete(cookie.name);
    else browser.cookies.set(cookie.name, cookie.value);
  }
}

/** POST /co/authenticate as auth0.js sends it: JSON, from the application's origin, with the browser's cookies. */
async function coAuthenticate(browser: Browser, body: Record<string, unknown>, origin = APP): Promise<LightMyRequestResponse> {
  const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const response = await t.app.inject({
    method: 'POST',
    url: '/co/authenticate',
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json', origin, ...(cookie ? { cookie } : {}) },
  });
  keep(browser, response);
  return response;
}

async function sendCode(recipient: { email: string } | { phone_number: string }, connection = 'email'): Promise<string> {
  const started = await post(t.app, '/passwordless/start', { client_id: EMBEDDED, connection, send: 'code', ...recipient });
  expect(started.statusCode, started.body).toBe(200);
  return (await latestMessage(t.app, 'email' in recipient ? recipient.email : recipient.phone_number)).code;
}

const otpBody = (username: string, otp: string, extra: Record<string, unknown> = {}) => ({
  client_id: EMBEDDED,
  username,
  otp,
  realm: 'email',
  credential_type: OTP_GRANT,
  ...extra,
});

const ticketAuthorize = (loginTicket: string, extra: Record<string, string> = {}) =>
  authorizeUrl({
    client_id: EMBEDDED,
    response_type: 'token id_token',
    redirect_uri: CALLBACK,
    scope: 'openid profile email',
    state: 'app-state',
    nonce: 'app-nonce',
    login_ticket: loginTicket,
    realm: 'email',
    ...extra,
  });

const fragment = (response: LightMyRequestResponse) => new URLSearchParams(new URL(String(response.headers.location)).hash.slice(1));

describe('POST /co/authenticate', () => {
  it('answers {login_ticket, co_verifier, co_id}, opens the session and lets the application read it with credentials', async () => {
    const browser = new Browser(t.app);
    const code = await sendCode({ email: 'co@example.com' });
    const response = await coAuthenticate(browser, otpBody('Co@Example.com', code));
    expect(response.statusCode, response.body).toBe(200);
    expect(Object.keys(response.json())).toEqual(['login_ticket', 'co_verifier', 'co_id']);
    expect(response.headers['access-control-allow-origin']).toBe(APP);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(browser.cookies.has('auth0')).toBe(true);
    expect(browser.cookies.has('did')).toBe(true);
  });

  it('allows the preflight auth0.js needs: JSON, its Auth0-Client header and credentials', async () => {
    const response = await t.app.inject({
      method: 'OPTIONS',
      url: '/co/authenticate',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,auth0-client' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(APP);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(String(response.headers['access-control-allow-headers'])).toMatch(/Auth0-Client/);
  });

  it('allows credentials on /co/authenticate only: /oauth/token\'s preflight and answer do not', async () => {
    const preflight = await t.app.inject({ method: 'OPTIONS', url: '/oauth/token', headers: { origin: APP, 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(APP);
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    const answer = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { origin: APP }, payload: { grant_type: 'client_credentials' } });
    expect(answer.headers['access-control-allow-origin']).toBe(APP);
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('refuses an origin the client did not register with a bare 403, without CORS headers', async () => {
    const code = await sendCode({ email: 'evil@example.com' });
    const response = await coAuthenticate(new Browser(t.app), otpBody('evil@example.com', code), 'http://evil.example');
    expect(response.statusCode).toBe(403);
    expect(response.body).toBe('Origin http://evil.example is not allowed.');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    // The code is untouched: the right origin still logs in with it.
    expect((await coAuthenticate(new Browser(t.app), otpBody('evil@example.com', code))).statusCode).toBe(200);
  });

  it("refuses a client whose cross-origin authentication is off with Auth0's 401", async () => {
    const response = await coAuthenticate(new Browser(t.app), otpBody('x@example.com', '123456', { client_id: NOT_ALLOWED }));
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: 'unauthorized_client', error_description: 'Cross origin login not allowed.' });
  });

  it('refuses a wrong code as access_denied in the words of the code check', async () => {
    await sendCode({ email: 'wrong@example.com' });
    const response = await coAuthenticate(new Browser(t.app), otpBody('wrong@example.com', '000000'));
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: 'access_denied', error_description: 'Wrong email or verification code.' });
    await sendCode({ phone_number: '+15557654321' }, 'sms');
    const sms = await coAuthenticate(new Browser(t.app), otpBody('+15557654321', '000000', { realm: 'sms' }));
    expect(sms.json()).toEqual({ error: 'access_denied', error_description: 'Wrong phone number or verification code.' });
  });

  it('answers too_many_attempts (429) once the code is spent on wrong guesses', async () => {
    const code = await sendCode({ email: 'guess@example.com' });
    for (let i = 0; i < 3; i++) await coAuthenticate(new Browser(t.app), otpBody('guess@example.com', '000000'));
    const response = await coAuthenticate(new Browser(t.app), otpBody('guess@example.com', code));
    expect(response.statusCode).toBe(429);
    expect(response.json().error).toBe('too_many_attempts');
  });

  it('refuses an unknown realm, a body with other fields, and credential types it does not take', async () => {
    const realm = await coAuthenticate(new Browser(t.app), otpBody('x@example.com', '123456', { realm: 'non-existent-connection' }));
    expect(realm.statusCode).toBe(400);
    expect(realm.json()).toEqual({ error: 'invalid_request', error_description: 'Unknown realm non-existent-connection.' });

    const extra = await coAuthenticate(new Browser(t.app), otpBody('x@example.com', '123456', { scope: 'openid' }));
    expect(extra.statusCode).toBe(400);
    expect(extra.json()).toEqual({
      error: 'invalid_request',
      error_description: 'Invalid request body. All and only of client_id, credential_type, username, otp, realm are required.',
    });

    const unknownType = await coAuthenticate(new Browser(t.app), otpBody('x@example.com', '123456', { credential_type: 'urn:nope' }));
    expect(unknownType.statusCode).toBe(400);
    expect(unknownType.json()).toEqual({ error: 'unsupported_credential_type', error_description: 'Unknown credential type parameter.' });

    const password = await coAuthenticate(new Browser(t.app), { client_id: EMBEDDED, username: 'x@example.com', password: 'secret', realm: 'db', credential_type: 'http://auth0.com/oauth/grant-type/password-realm' });
    expect(password.json().error).toBe('unsupported_credential_type');
  });

  it('refuses a blocked user as blocked_user', async () => {
    const code = await sendCode({ email: 'blocked@example.com' });
    await coAuthenticate(new Browser(t.app), otpBody('blocked@example.com', code));
    const user = (await t.app.deps.store.listUsers()).find((u) => u.email === 'blocked@example.com')!;
    await t.app.deps.store.updateUser(user.user_id, { blocked: true });
    const again = await sendCode({ email: 'blocked@example.com' });
    const response = await coAuthenticate(new Browser(t.app), otpBody('blocked@example.com', again));
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: 'blocked_user', error_description: 'Blocked user' });
  });
});

describe('/authorize?login_ticket', () => {
  async function ticketFor(browser: Browser, email: string): Promise<{ login_ticket: string; co_verifier: string; co_id: string }> {
    const code = await sendCode({ email });
    const response = await coAuthenticate(browser, otpBody(email, code));
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  it('answers at once for the browser that holds the session, through the post-login seam, and only once', async () => {
    const browser = new Browser(t.app);
    const { login_ticket } = await ticketFor(browser, 'ticket@example.com');
    const answered = await browser.get(ticketAuthorize(login_ticket));
    expect(answered.statusCode, answered.body).toBe(302);
    expect(String(answered.headers.location)).toMatch(/^http:\/\/localhost:3000\/callback#/);
    const params = fragment(answered);
    expect(params.get('state')).toBe('app-state');
    expect(params.get('access_token')).toBeTruthy();
    const userinfo = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${params.get('access_token')}` } });
    expect(userinfo.json()).toMatchObject({ email: 'ticket@example.com' });

    const replayed = await browser.get(ticketAuthorize(login_ticket));
    expect(replayed.statusCode).toBe(302);
    expect(fragment(replayed).get('error')).toBe('access_denied');
  });

  it('refuses a ticket at another client', async () => {
    const browser = new Browser(t.app);
    const { login_ticket } = await ticketFor(browser, 'other@example.com');
    const answered = await browser.get(ticketAuthorize(login_ticket, { client_id: NO_FALLBACK }));
    expect(fragment(answered).get('error')).toBe('access_denied');
  });

  it('runs the verification page for a browser without the session cookie, and /co/verify checks the verifier', async () => {
    const sdk = new Browser(t.app);
    const { login_ticket, co_id } = await ticketFor(sdk, 'fallback@example.com');
    // The top-level browser never kept /co/authenticate's cookies (third-party cookies blocked).
    const browser = new Browser(t.app);
    const page = await browser.get(ticketAuthorize(login_ticket));
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain(JSON.stringify(`${VERIFY_PAGE}#origin=${encodeURIComponent('http://understudy.test')}`));
    expect(page.body).toContain(JSON.stringify(co_id));
    expect(String(page.headers['content-security-policy'])).toMatch(/frame-src http:\/\/localhost:3000(;|$)/);
    const state = inputValue(page.body, 'state')!;

    const wrong = await browser.post('/co/verify', { state, verifier: 'not-the-verifier' });
    expect(fragment(wrong).get('error')).toBe('access_denied');

    const again = await browser.get(ticketAuthorize(login_ticket));
    expect(fragment(again).get('error')).toBe('access_denied');
  });

  it('answers after /co/verify with the right verifier and gives the browser the session', async () => {
    const { login_ticket, co_verifier } = await ticketFor(new Browser(t.app), 'verified@example.com');
    const browser = new Browser(t.app);
    const state = inputValue((await browser.get(ticketAuthorize(login_ticket))).body, 'state')!;
    const verified = await browser.post('/co/verify', { state, verifier: co_verifier });
    expect(verified.statusCode, verified.body).toBe(302);
    expect(fragment(verified).get('access_token')).toBeTruthy();
    expect(browser.cookies.has('auth0')).toBe(true);
    // The session now answers silent authentication.
    const silent = await browser.get(authorizeUrl({ client_id: EMBEDDED, response_type: 'token id_token', redirect_uri: CALLBACK, nonce: 'n', prompt: 'none' }));
    expect(fragment(silent).get('id_token')).toBeTruthy();
    // The waiting login is used up.
    const replay = await browser.post('/co/verify', { state, verifier: co_verifier });
    expect(replay.statusCode).toBe(400);
  });

  it('refuses /co/verify from another browser', async () => {
    const { login_ticket, co_verifier } = await ticketFor(new Browser(t.app), 'thief@example.com');
    const state = inputValue((await new Browser(t.app).get(ticketAuthorize(login_ticket))).body, 'state')!;
    const stolen = await new Browser(t.app).post('/co/verify', { state, verifier: co_verifier });
    expect(fragment(stolen).get('error')).toBe('access_denied');
  });

  it('refuses a browser without the session when the client has no verification page', async () => {
    const browser = new Browser(t.app);
    const code = await sendCode({ email: 'nofallback@example.com' });
    const ticket = (await coAuthenticate(browser, otpBody('nofallback@example.com', code, { client_id: NO_FALLBACK }))).json().login_ticket;
    const answered = await new Browser(t.app).get(ticketAuthorize(ticket, { client_id: NO_FALLBACK }));
    expect(fragment(answered).get('error')).toBe('access_denied');
    expect(fragment(answered).get('error_description')).toMatch(/cross_origin_loc/);
  });
});

describe('POST /passwordless/verify', () => {
  it('checks a right code without using it up, so verify_redirect logs in with it', async () => {
    const code = await sendCode({ email: 'hosted@example.com' });
    const checked = await post(t.app, '/passwordless/verify', { connection: 'email', verification_code: code, email: 'hosted@example.com', client_id: EMBEDDED });
    expect(checked.statusCode, checked.body).toBe(200);
    const query = new URLSearchParams({ client_id: EMBEDDED, response_type: 'token id_token', redirect_uri: CALLBACK, scope: 'openid email', nonce: 'n', state: 's', connection: 'email', email: 'hosted@example.com', verification_code: code });
    const opened = await new Browser(t.app).get(`/passwordless/verify_redirect?${query}`);
    expect(opened.statusCode, opened.body).toBe(302);
    expect(fragment(opened).get('access_token')).toBeTruthy();
  });

  it("refuses in Auth0's words", async () => {
    await sendCode({ email: 'hosted-wrong@example.com' });
    const wrong = await post(t.app, '/passwordless/verify', { connection: 'email', verification_code: '000000', email: 'hosted-wrong@example.com', client_id: EMBEDDED });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: 'invalid_user_password', error_description: 'Wrong email or verification code.' });
    const noClient = await post(t.app, '/passwordless/verify', { connection: 'email', verification_code: '1', email: 'a@example.com' });
    expect(noClient.json()).toEqual({ error: 'invalid_request', error_description: 'missing client_id parameter' });
    const badClient = await post(t.app, '/passwordless/verify', { connection: 'email', verification_code: '1', email: 'a@example.com', client_id: 'nope' });
    expect(badClient.statusCode).toBe(403);
    expect(badClient.json()).toEqual({ error: 'unauthorized_client', error_description: 'invalid client' });
    const noConnection = await post(t.app, '/passwordless/verify', { connection: 'nope', verification_code: '1', email: 'a@example.com', client_id: EMBEDDED });
    expect(noConnection.json()).toEqual({ error: 'invalid_request', error_description: 'the connection was not found' });
  });
});

describe('GET /client/<client_id>.js', () => {
  it("calls Auth0.setClient with the client's id and its connections by strategy, as Lock reads them", async () => {
    const response = await t.app.inject({ method: 'GET', url: `/client/${EMBEDDED}.js?t1700000000000` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/javascript/);
    const match = /^Auth0\.setClient\((.*)\);\n$/s.exec(response.body);
    expect(match).not.toBeNull();
    expect(JSON.parse(match![1]!)).toEqual({
      id: EMBEDDED,
      strategies: [
        { name: 'email', connections: [{ name: 'email' }, { name: 'closed' }] },
        { name: 'sms', connections: [{ name: 'sms' }] },
      ],
    });
  });

  it('answers 404 for an unknown client, so Lock reports it could not load the settings', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/client/nope.js' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not_found', error_description: 'Unknown client' });
  });

  it('answers 404 for a machine-to-machine client: it has no login for Lock to show', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/client/understudy-m2m.js' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not_found', error_description: 'Unknown client' });
  });
});
