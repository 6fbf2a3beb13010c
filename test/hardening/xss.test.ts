import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildTestApp } from '../support/app.js';
import { Browser, inputValue } from '../support/browser.js';
import { CALLBACK, authorizeUrl, latestMessage, pkcePair } from '../support/flows.js';
import { enterIdentifier, loginToResume, reachChallenge, startLogin } from '../support/screens.js';

/**
 * XSS: every value that reaches HTML comes back escaped for where it lands (element text, a quoted
 * attribute, JSON inside a <script>), whoever chose it: the browser (state, login_hint, the typed
 * email or phone), the tenant file (client and tenant names), or Understudy echoing bad input in an
 * error_description. Checked on the screens, the error page, form_post, web_message, the mailbox's
 * initial JSON and the email HTML.
 */
const TAG = '"><script>alert(1)</script>';
const CLOSE = '</script><script>alert(2)</script>';
const ATTR = "' autofocus onfocus='alert(3)";
const JS = 'javascript:alert(4)';
const PAYLOADS = [TAG, CLOSE, ATTR, JS];

const CLIENT_ID = 'xss-client';
const CLIENT_NAME = `App ${TAG} ${ATTR}`;
const TENANT_NAME = `Tenant ${TAG} ${CLOSE}`;

const tenant = {
  tenant: { friendly_name: TENANT_NAME },
  clients: [
    {
      name: CLIENT_NAME,
      client_id: CLIENT_ID,
      app_type: 'spa',
      callbacks: [CALLBACK],
      web_origins: ['http://localhost:3000'],
      allowed_logout_urls: ['http://localhost:3000'],
    },
  ],
  connections: [
    { name: 'email', strategy: 'email' },
    { name: 'sms', strategy: 'sms', enabled_clients: [] },
    { name: 'google-oauth2', strategy: 'google-oauth2' },
  ],
};

/**
 * Nothing executable made it through: no injected element, handler attribute or script URL in the
 * markup; inside Understudy's own <script> elements (JSON made with scriptJson) nothing can end the
 * element or open a comment, and a quote is only ever part of a JSON string.
 */
function expectInert(body: string, where: string): void {
  // Every <script> is Understudy's own (nonce'd) or a JSON data block.
  for (const tag of body.match(/<script\b[^>]*>/g) ?? []) expect(tag, where).toMatch(/^<script (nonce="[0-9a-f]{32}"|id="initial" type="application\/json")>$/);
  const scripts = [...body.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
  for (const script of scripts) expect(script, where).not.toMatch(/<\/script|<!--|alert\(1\)<|alert\(2\)</i);
  const markup = body.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '<script></script>');
  expect(markup, where).not.toContain('<script>alert(');
  expect(markup, where).not.toContain('</script><script>alert');
  expect(markup, where).not.toMatch(/' autofocus onfocus='/);
  expect(markup, where).not.toMatch(/(href|src|action|formaction)\s*=\s*["']?\s*javascript:/i);
}

const escapedAttr = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

let app: FastifyInstance;
beforeAll(async () => {
  ({ app } = await buildTestApp({ tenant }));
});
afterAll(async () => app.close());

const start = (params: Record<string, string> = {}, browser?: Browser) =>
  startLogin(app, { client_id: CLIENT_ID, scope: 'openid email', ...params }, browser);

describe('values from the browser', () => {
  it.each(PAYLOADS)('login_hint %j is escaped in the login-id field', async (hint) => {
    const s = await start({ login_hint: hint });
    const page = await s.browser.get(s.location);
    expect(page.statusCode).toBe(200);
    expectInert(page.body, 'login-id');
    expect(inputValue(page.body, 'username')).toBe(hint);
  });

  it.each(PAYLOADS)('a typed email %j is escaped when the screen shows it again', async (typed) => {
    const s = await start();
    const page = await enterIdentifier(s, typed);
    expect(page.statusCode).toBe(400);
    expectInert(page.body, 'login-id with error');
    expect(inputValue(page.body, 'username')).toBe(typed);
  });

  it('an email with quote and ampersand reaches the code screen, the mailbox and the message escaped', async () => {
    const email = "o'neil&co@example.com";
    const s = await start();
    const challenge = await s.browser.get(await reachChallenge(s, email));
    expectInert(challenge.body, 'challenge');
    expect(challenge.body).toContain(escapedAttr(email));
    expect(challenge.body).not.toContain(email);
    const mailbox = await app.inject(`/_dev/mailbox?to=${encodeURIComponent(email)}`);
    expectInert(mailbox.body, 'mailbox');
  });

  it.each(PAYLOADS)('a typed phone number %j is escaped', async (typed) => {
    const { app: smsApp } = await buildTestApp({ tenant: { ...tenant, connections: [{ name: 'sms', strategy: 'sms' }] } });
    const s = await startLogin(smsApp, { client_id: CLIENT_ID });
    const page = await enterIdentifier(s, typed);
    expect(page.statusCode).toBe(400);
    expectInert(page.body, 'sms login-id');
    expect(inputValue(page.body, 'username')).toBe(typed);
    await smsApp.close();
  });

  it.each(PAYLOADS)('state %j comes back escaped in form_post and as inert JSON in web_message', async (state) => {
    const formPost = await loginToResume(await start({ response_mode: 'form_post', state }), 'fp@example.com', 'fp@example.com', app);
    expect(formPost.statusCode).toBe(200);
    expectInert(formPost.body, 'form_post');
    expect(inputValue(formPost.body, 'state')).toBe(state);

    const webMessage = await loginToResume(await start({ response_mode: 'web_message', state }), 'wm@example.com', 'wm@example.com', app);
    expect(webMessage.statusCode).toBe(200);
    expectInert(webMessage.body, 'web_message');
    const json = /var authorizationResponse = (.*);/.exec(webMessage.body)?.[1];
    expect(JSON.parse(json!).response.state).toBe(state);
  });

  it.each(PAYLOADS)('the social consent screen escapes a connection %j and the typed profile', async (value) => {
    const s = await start();
    const page = await s.browser.get(`/u/login/social?state=${encodeURIComponent(s.state)}&connection=${encodeURIComponent(value)}`);
    expectInert(page.body, 'social consent');
    const posted = await s.browser.post(`/u/login/social?state=${encodeURIComponent(s.state)}&connection=google-oauth2`, { state: s.state, email: value, name: value });
    expect(posted.statusCode).toBe(400);
    expectInert(posted.body, 'social consent with error');
  });
});

describe('values Understudy echoes in error_description', () => {
  it.each(PAYLOADS)('on the error page: an unknown client_id %j', async (value) => {
    const page = await app.inject({ method: 'GET', url: `/authorize?client_id=${encodeURIComponent(value)}`, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(400);
    expectInert(page.body, 'error page');
    expect(page.body).toContain(`Unknown client: ${escapedAttr(value)}`);
  });

  it.each(PAYLOADS)('on the error page: a redirect_uri or returnTo %j that is not registered', async (value) => {
    for (const url of [
      `/authorize?client_id=${CLIENT_ID}&response_type=code&redirect_uri=${encodeURIComponent(value)}`,
      `/v2/logout?client_id=${CLIENT_ID}&returnTo=${encodeURIComponent(value)}`,
      `/oidc/logout?client_id=${CLIENT_ID}&post_logout_redirect_uri=${encodeURIComponent(value)}`,
    ]) {
      const page = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(page.statusCode, url).toBe(400);
      expect(page.headers.location).toBeUndefined();
      expectInert(page.body, url);
    }
  });

  it.each(PAYLOADS)('in form_post and web_message: a response_type %j echoed to the client', async (value) => {
    for (const mode of ['form_post', 'web_message']) {
      const browser = new Browser(app);
      const page = await browser.get(
        authorizeUrl({ client_id: CLIENT_ID, redirect_uri: CALLBACK, response_type: value, response_mode: mode, state: value, code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }),
      );
      expect(page.statusCode, mode).toBe(200);
      expectInert(page.body, mode);
      if (mode === 'form_post') expect(inputValue(page.body, 'error_description')).toContain(value);
    }
  });
});

describe('values from the tenant file', () => {
  it('client and tenant names are escaped on every screen', async () => {
    const s = await start();
    const pages: [string, LightMyRequestResponse][] = [['login-id', await s.browser.get(s.location)]];
    pages.push(['challenge', await s.browser.get(await reachChallenge(s, 'names@example.com'))]);
    pages.push(['social', await s.browser.get(`/u/login/social?state=${encodeURIComponent(s.state)}&connection=google-oauth2`)]);
    pages.push(['error', await app.inject({ method: 'GET', url: '/u/login/identifier?state=nope', headers: { accept: 'text/html' } })]);
    pages.push(['logged out', await app.inject({ method: 'GET', url: '/v2/logout', headers: { accept: 'text/html' } })]);
    pages.push(['mailbox', await app.inject('/_dev/mailbox')]);
    for (const [where, page] of pages) {
      expectInert(page.body, where);
      expect(page.body, where).not.toContain(TENANT_NAME);
    }
    const title = /<title>(.*)<\/title>/.exec(pages[0]![1].body)?.[1];
    expect(title).toBe(`Log in | ${escapedAttr(CLIENT_NAME)}`);
  });

  it('the email (HTML and subject) and the mailbox\'s initial JSON keep the names inert', async () => {
    const s = await start();
    await reachChallenge(s, 'mail@example.com');
    const message = await latestMessage(app, 'mail@example.com');
    expect(message.subject).toBe(`Welcome to ${CLIENT_NAME}`);
    expectInert(String(message.html), 'email html');
    expect(String(message.html)).toContain(`Welcome to ${escapedAttr(CLIENT_NAME)}`);

    const mailbox = await app.inject('/_dev/mailbox');
    expectInert(mailbox.body, 'mailbox');
    const initial = /<script id="initial" type="application\/json">([\s\S]*?)<\/script>/.exec(mailbox.body)?.[1];
    expect(initial).not.toMatch(/[<>]/);
    const messages = JSON.parse(initial!) as { subject: string }[];
    expect(messages.some((m) => m.subject === `Welcome to ${CLIENT_NAME}`)).toBe(true);
  });
});
