import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA, WEB, WEB_SECRET, latestMessage } from '../support/flows.js';
import { post } from '../support/api.js';
import { alertText } from '../support/browser.js';
import { buildTenant } from '../../src/config/tenant-file.js';
import { configProblems } from '../support/config-problems.js';
import { postChallenge, reachChallenge, startLogin } from '../support/screens.js';

/**
 * The tenant writes its own passwordless messages: the email's from, subject and HTML body from the
 * connection's options.email (Liquid), the SMS text from options.template (md_with_macros, where
 * @@password@@ is the code, or Liquid) and its sender from options.from, through the screens and
 * /passwordless/start alike.
 */
const BODY = `<html><body>{% if send == 'link' %}<a id="signin" href="{{ link }}">Sign in to {{ application.name }}</a>{% elsif send == 'code' %}<p>Your code for {{ connection.name }}: <b id="code">{{ code }}</b>, sent to {{ user.email }} ({{ request_language }})</p>{% endif %}</body></html>`;
const tenant = (sms: Record<string, unknown> = { template: 'Acme code: @@password@@. Do not share it.', syntax: 'md_with_macros', from: '+15550009999' }, email: Record<string, unknown> = {}) => ({
  tenant: { friendly_name: 'Acme' },
  clients: [
    { name: 'Demo App', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK] },
    { name: 'Demo Web', client_id: WEB, client_secret: WEB_SECRET, app_type: 'regular_web', callbacks: [CALLBACK] },
  ],
  connections: [
    { name: 'email', strategy: 'email', options: { email: { from: '{{ application.name }} <login@acme.example>', subject: 'Your {{ application.name }} code', syntax: 'liquid', body: BODY, ...email } } },
    { name: 'sms', strategy: 'sms', options: sms },
  ],
});

describe('the tenant\'s own message templates', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  it('a screens email login sends the template\'s from, subject and HTML (the send == \'code\' branch), and its code logs in', async () => {
    t = await buildTestApp({ tenant: tenant() });
    const s = await startLogin(t.app, { connection: 'email' });
    const challenge = await reachChallenge(s, 'Jo@Example.com');
    const message = await latestMessage(t.app, 'jo@example.com');
    expect(message.from).toBe('Demo App <login@acme.example>');
    expect(message.subject).toBe('Your Demo App code');
    expect(message.html).toBe(`<html><body><p>Your code for email: <b id="code">${message.code}</b>, sent to jo@example.com (en)</p></body></html>`);
    const verified = await postChallenge(s, challenge, { code: message.code });
    expect(verified.statusCode, verified.body).toBe(302);
    expect(String(verified.headers.location)).toMatch(/^\/authorize\/resume\?state=/);
  });

  it('a magic link through /passwordless/start takes the send == \'link\' branch, with the link escaped for HTML', async () => {
    t = await buildTestApp({ tenant: tenant() });
    const started = await post(t.app, '/passwordless/start', { client_id: WEB, client_secret: WEB_SECRET, connection: 'email', email: 'link@example.com', send: 'link', authParams: { redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', state: 's' } });
    expect(started.statusCode, started.body).toBe(200);
    const message = await latestMessage(t.app, 'link@example.com');
    expect(message.link).toMatch(/\/passwordless\/verify_redirect\?/);
    expect(message.html).toBe(`<html><body><a id="signin" href="${String(message.link).replace(/&/g, '&amp;')}">Sign in to Demo Web</a></body></html>`);
  });

  it('an SMS login sends the md_with_macros template with @@password@@ as the code, from options.from', async () => {
    t = await buildTestApp({ tenant: tenant() });
    const s = await startLogin(t.app, { connection: 'sms' });
    const challenge = await reachChallenge(s, '+15551230000');
    const message = await latestMessage(t.app, '+15551230000');
    expect(message.text).toBe(`Acme code: ${message.code}. Do not share it.`);
    expect(message.from).toBe('+15550009999');
    expect((await postChallenge(s, challenge, { code: message.code })).statusCode).toBe(302);
  });

  it('an SMS template in Liquid syntax renders with the same variables', async () => {
    t = await buildTestApp({ tenant: tenant({ template: '{{ code }} is your {{ application.name }} code for {{ user.phone_number }}', syntax: 'liquid' }) });
    const started = await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'sms', phone_number: '+15551230001', send: 'code' });
    expect(started.statusCode, started.body).toBe(200);
    const message = await latestMessage(t.app, '+15551230001');
    expect(message.text).toBe(`${message.code} is your Demo App code for +15551230001`);
  });

  it('a template with a syntax error stops start-up naming the connection; one that fails while rendering fails that delivery only', async () => {
    expect(configProblems(() => buildTenant(tenant(undefined, { body: '{% if send == %}oops' }), 'export', 'seed'))).toEqual([
      expect.stringMatching(/^connections\[0\]\.options\.email: the Liquid template does not parse: /),
    ]);
    expect(configProblems(() => buildTenant(tenant({ template: '{{ code | no_such_filter }}', syntax: 'liquid' }), 'export', 'seed'))).toEqual([
      expect.stringMatching(/^connections\[1\]\.options\.template: the Liquid template does not parse: /),
    ]);
    // Parses, but loops ten billion times: the render stops at its limit and that delivery fails, while the server answers.
    t = await buildTestApp({ tenant: tenant(undefined, { body: '{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}' }) });
    const api = await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', email: 'broken@example.com', send: 'code' });
    expect(api.statusCode).toBe(400);
    expect(api.json()).toEqual({ error: 'email_provider_error', error_description: expect.stringMatching(/^The email template of connection "email" failed to render: template render limit exceeded/) });
    expect((await t.app.inject('/healthz')).statusCode).toBe(200);
    const s = await startLogin(t.app, { connection: 'email' });
    const screen = await s.browser.post(`/u/login/identifier?state=${encodeURIComponent(s.state)}`, { state: s.state, username: 'broken@example.com', action: 'default' });
    expect(screen.statusCode).toBe(502);
    expect(alertText(screen.body)).toMatch(/email/i);
    // SMS, with a template of Understudy's default, still works on the same tenant.
    expect((await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'sms', phone_number: '+15551230002', send: 'code' })).statusCode).toBe(200);
  });

  it('a template gets no file system: an include, render or layout of the data folder or an .env stops start-up, naming each key', () => {
    const problems = configProblems(() =>
      buildTenant(
        {
          connections: [
            { name: 'email', strategy: 'email', options: { email: { subject: 'x', body: "<p>{% include '.understudy/keys.json' %}</p>", syntax: 'liquid' } } },
            { name: 'sms', strategy: 'sms', options: { template: "{%- render '../.env' -%}", syntax: 'liquid' } },
            { name: 'email-2', strategy: 'email', options: { email: { subject: "{% liquid\n layout '/etc/passwd'\n%}", syntax: 'liquid' } } },
          ],
        },
        'export',
        'seed',
      ),
    );
    expect(problems).toEqual([
      "connections[0].options.email: the template uses {% include %}, which reads a file: Auth0's templates cannot include files, and Understudy's read none; put the text in the template",
      "connections[1].options.template: the template uses {% render %}, which reads a file: Auth0's templates cannot include files, and Understudy's read none; put the text in the template",
      "connections[2].options.email: the template uses {% layout %}, which reads a file: Auth0's templates cannot include files, and Understudy's read none; put the text in the template",
    ]);
  });
});
