import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { latestMessage } from '../support/flows.js';
import { post } from '../support/api.js';
import { writeFiles } from '../support/files.js';
import { ADMIN_CLIENT, adminGrant, machineToken } from '../support/management.js';
import { readTenantSource } from '../../src/config/tenant-read.js';
import { buildTenant } from '../../src/config/tenant-file.js';
import { ConfigError } from '../../src/config/config-error.js';

/**
 * The tenant's own email templates, from a Deploy CLI directory export (emails/<template>.json with
 * its .html body, and emails/provider.json): verify_email, reset_email and welcome_email go out in
 * the tenant's Liquid, with Auth0's variables, and the provider's default sender where a template
 * names none. Expected texts are written out here from the templates, not computed by the product.
 */
const DB = 'Username-Password-Authentication';
const CLIENT = 'templates-spa';
const root = mkdtempSync(join(tmpdir(), 'understudy-email-templates-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let exports = 0;
function exportWith(emails: Record<string, unknown>): string {
  const dir = join(root, `export-${++exports}`);
  return writeFiles(dir, {
    'tenant.json': { friendly_name: 'Acme' },
    'clients/Templates SPA.json': { name: 'Templates SPA', client_id: CLIENT, app_type: 'spa', callbacks: ['http://localhost:3000/callback'], grant_types: ['authorization_code'] },
    'clients/Admin.json': ADMIN_CLIENT,
    'grants/admin.json': adminGrant(['read:users', 'create:user_tickets']),
    'database-connections/users/database.json': { name: DB, strategy: 'auth0', enabled_clients: ['Templates SPA'] },
    ...emails,
  });
}

const VERIFY = {
  'emails/verify_email.json': { template: 'verify_email', syntax: 'liquid', body: './verify_email.html', from: '{{ application.name }} <support@acme.example>', subject: 'Verify {{ user.email }} for {{ application.name }}', resultUrl: 'https://app.acme.example/verified', urlLifetimeInSeconds: 3600, enabled: true },
  'emails/verify_email.html': '<p>Hi {{ user.name | escape }} ({{ user.user_metadata.plan }}), <a href="{{ url }}">verify</a> at {{ friendly_name }}.</p>',
};
const RESET = {
  'emails/reset_email.json': { template: 'reset_email', syntax: 'liquid', body: './reset_email.html', from: '', subject: 'Change your {{ application.name }} password', enabled: true },
  'emails/reset_email.html': '<p><a href="{{ url }}">Reset</a> for {{ user.email }}</p>',
};
const WELCOME = {
  'emails/welcome_email.json': { template: 'welcome_email', syntax: 'liquid', body: './welcome_email.html', from: '', subject: '', enabled: true },
  'emails/welcome_email.html': '<h1>Welcome, {{ user.given_name }}! Verified: {{ user.email_verified }}</h1>',
};
const PROVIDER = { 'emails/provider.json': { name: 'smtp', enabled: true, default_from_address: 'Acme Accounts <accounts@acme.example>', credentials: { smtp_host: 'smtp.acme.example' } } };

let t: TestApp;
afterEach(async () => t?.app.close());

async function start(dir: string): Promise<void> {
  const source = readTenantSource(dir);
  expect(source.problems).toEqual([]);
  t = await buildTestApp({ tenant: source.doc, tenantSource: dir });
}
const signup = (email: string, extra: Record<string, unknown> = {}) => post(t.app, '/dbconnections/signup', { client_id: CLIENT, connection: DB, email, password: 'Sturdy-pass-1', ...extra });
const open = (link: string) => {
  const url = new URL(link);
  return t.app.inject({ method: 'GET', url: url.pathname + url.search });
};

describe("the tenant's email templates", () => {
  it('verify_email and welcome_email are sent in the tenant\'s Liquid, with Auth0\'s variables', async () => {
    await start(exportWith({ ...VERIFY, ...WELCOME, ...PROVIDER }));
    const answer = await signup('sam@acme.example', { name: 'Sam <Admin> & Co', given_name: 'Sam', user_metadata: { plan: 'pro' } });
    expect(answer.statusCode, answer.body).toBe(200);
    const mail = await latestMessage(t.app, 'sam@acme.example');
    expect(mail).toMatchObject({ from: 'Templates SPA <support@acme.example>', subject: 'Verify sam@acme.example for Templates SPA' });
    // The name is escaped once, though the template escapes it too (as Auth0's docs advise).
    expect(mail.html).toBe(`<p>Hi Sam &lt;Admin&gt; &amp; Co (pro), <a href="${String(mail.link)}">verify</a> at Acme.</p>`);

    const verified = await open(String(mail.link));
    expect(verified.statusCode).toBe(302);
    const target = new URL(String(verified.headers.location));
    expect(`${target.origin}${target.pathname}`).toBe('https://app.acme.example/verified');
    expect([...target.searchParams.keys()]).toEqual(['supportSignUp', 'supportForgotPassword', 'email', 'message', 'success', 'code']);
    expect(target.searchParams.get('email')).toBe('sam@acme.example');
    expect(target.searchParams.get('message')).toBe('Your email was verified. You can continue using the application.');

    // welcome_email names no sender or subject: the provider's sender, Understudy's subject.
    const welcome = await latestMessage(t.app, 'sam@acme.example', String(mail.id));
    expect(welcome).toMatchObject({ from: 'Acme Accounts <accounts@acme.example>', subject: 'Welcome to Acme', html: '<h1>Welcome, Sam! Verified: true</h1>' });
  });

  it('reset_email is sent in the tenant\'s Liquid, from the provider\'s default sender, and its link works', async () => {
    await start(exportWith({ ...RESET, ...PROVIDER }));
    await signup('rita@acme.example');
    const verification = await latestMessage(t.app, 'rita@acme.example');
    const requested = await post(t.app, '/dbconnections/change_password', { client_id: CLIENT, connection: DB, email: 'rita@acme.example' });
    expect(requested.statusCode).toBe(200);
    const mail = await latestMessage(t.app, 'rita@acme.example', String(verification.id));
    expect(mail).toMatchObject({ from: 'Acme Accounts <accounts@acme.example>', subject: 'Change your Templates SPA password', html: `<p><a href="${String(mail.link)}">Reset</a> for rita@acme.example</p>` });
    expect((await open(String(mail.link))).body).toContain('Change Your Password');
    // verify_email has no template here: Understudy's words, from the provider's sender.
    expect(verification).toMatchObject({ subject: 'Verify your email', from: 'Acme Accounts <accounts@acme.example>', html: null });
  });

  it('includeEmailInRedirect: false leaves the address out of the result URL', async () => {
    const off = { ...VERIFY, 'emails/verify_email.json': { ...VERIFY['emails/verify_email.json'], includeEmailInRedirect: false } };
    await start(exportWith(off));
    await signup('nia@acme.example');
    const target = new URL(String((await open(String((await latestMessage(t.app, 'nia@acme.example')).link))).headers.location));
    expect(target.searchParams.has('email')).toBe(false);
    expect(target.searchParams.get('success')).toBe('true');
  });

  it('a failed delivery does not fail the sign-up that sent it', async () => {
    await start(exportWith(VERIFY));
    const fault = await t.app.inject({ method: 'POST', url: '/_dev/api/faults', payload: { to: 'lost@acme.example', channel: 'email', kind: 'fail', times: 1 } });
    expect(fault.statusCode, fault.body).toBeLessThan(300);
    const answer = await signup('lost@acme.example');
    expect(answer.statusCode, answer.body).toBe(200);
    const listed = await t.app.inject({ method: 'GET', url: '/_dev/api/messages?to=lost%40acme.example' });
    expect(listed.json()).toMatchObject({ messages: [] });
  });

  it('a ticket with a result_url that is not an absolute URL is refused as Auth0 does', async () => {
    await start(exportWith({}));
    const userId = `auth0|${(await signup('tom@acme.example')).json()._id as string}`;
    const refused = await t.app.inject({ method: 'POST', url: '/api/v2/tickets/email-verification', headers: { authorization: `Bearer ${await machineToken(t.app, t.issuer)}` }, payload: { user_id: userId, result_url: 'zombo.com' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain('absolute-uri-or-empty: zombo.com');
  });
});

describe('email templates at start-up', () => {
  it('names a template that does not parse, and a result URL that cannot be followed', () => {
    const dir = exportWith({
      'emails/verify_email.json': { template: 'verify_email', syntax: 'liquid', body: './verify_email.html', resultUrl: 'zombo.com', enabled: true },
      'emails/verify_email.html': '<p>{% if user.email %}unclosed</p>',
      'emails/reset_email.json': { template: 'reset_email', syntax: 'handlebars', body: '<p>{{url}}</p>', enabled: true },
    });
    const source = readTenantSource(dir);
    let problems: readonly string[] = [];
    try {
      buildTenant(source.doc, dir, 'seed');
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^emailTemplates\[\d\]: the Liquid template does not parse/),
        expect.stringMatching(/^emailTemplates\[\d\]\.syntax: must be "liquid", got "handlebars"/),
      ]),
    );
    const fine = exportWith({ 'emails/verify_email.json': { template: 'verify_email', resultUrl: 'zombo.com', enabled: true } });
    const { warnings } = buildTenant(readTenantSource(fine).doc, fine, 'seed');
    expect(warnings).toContainEqual(expect.stringMatching(/^emailTemplates\[0\]\.resultUrl: "zombo.com" is not an absolute http\(s\) URL/));
  });
});
