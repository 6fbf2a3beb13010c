import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { stringify } from 'yaml';
import { HttpBrowser, expectStatus, startServer, type ServerProcess } from '../support/http-login.js';
import { pkcePair } from '../support/flows.js';

/**
 * A team's own tenant, offline: a realistic Deploy CLI export written here in both formats (YAML and
 * directory), with keywords, an overlay that pins the app's real client_id, a passwordless email in
 * Liquid with `{% if send == 'link' %}…{% elsif send == 'code' %}`, an SMS template, custom text in
 * two languages, branding colours, Rules, MFA factors and an organization. The real server starts on
 * it; an email and an SMS login go through the screens; the messages are the tenant's; the Spanish
 * screen speaks Spanish; each feature Understudy does not emulate is reported once.
 */
const CALLBACK = 'http://localhost:5173/callback';
const REAL_CLIENT_ID = 'k3MzRealSpaClientIdFromProduction';
const EMAIL_BODY = `<html><body>{% if send == 'link' %}<a href="{{ link }}">Sign in</a>{% elsif send == 'code' %}<p id="msg">{{ application.name }} code: <b>{{ code }}</b></p>{% endif %}</body></html>`;

const tenantSettings = { friendly_name: '##TENANT_NAME##', enabled_locales: ['en', 'es'], sandbox_version: '18' };
const client = { name: 'Harbor Web', app_type: 'spa', callbacks: '@@CALLBACKS@@', web_origins: ['http://localhost:5173'], is_first_party: true, oidc_conformant: true, logo_uri: '' };
const email = { name: 'email', strategy: 'email', enabled_clients: ['Harbor Web'], options: { totp: { length: 6, time_step: 300 }, email: { from: '{{ application.name }} <login@harbor.example>', subject: 'Your ##TENANT_NAME## code', syntax: 'liquid', body: './email.html' } } };
const sms = { name: 'sms', strategy: 'sms', enabled_clients: ['Harbor Web'], options: { template: 'Harbor: your code is @@password@@', syntax: 'md_with_macros', from: '+15550001111', name: true } };
const customText = {
  en: { 'login-id': { 'login-id': { title: 'Welcome aboard' } } },
  es: { 'login-id': { 'login-id': { title: 'Bienvenido a bordo', description: 'Inicia sesión en ${companyName} para seguir a ${clientName}.' } } },
};
const rules = [{ name: 'Add roles', enabled: true, script: './rules/add-roles.js' }, { name: 'Deny outsiders', enabled: true, script: './rules/deny.js' }];
// sms and otp are emulated; duo is reported as not offered.
const factors = [{ name: 'sms', enabled: true }, { name: 'otp', enabled: true }, { name: 'duo', enabled: true }, { name: 'email', enabled: false }];
const organization = { name: 'harbor-crew', display_name: 'Harbor Crew' };
const branding = { colors: { primary: '#0b7285', page_background: '#e3fafc' } };

let root: string;
const write = (path: string, content: unknown): string => {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return full;
};
// YAML writes '@@CALLBACKS@@' quoted; the Deploy CLI replaces it with its quotes.
const yamlExport = (): string =>
  stringify({ tenant: tenantSettings, branding, clients: [client], connections: [email, sms], rules, guardianFactors: factors, organizations: [organization], prompts: { identifier_first: true, customText } });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'understudy-real-export-'));
  write('config.json', { AUTH0_DOMAIN: 'harbor.eu.auth0.com', AUTH0_KEYWORD_REPLACE_MAPPINGS: { TENANT_NAME: 'Harbor', CALLBACKS: [CALLBACK] } });
  write('overlay.yaml', stringify({ clients: [{ name: 'Harbor Web', client_id: REAL_CLIENT_ID }] }));
  write('yaml/tenant.yaml', yamlExport());
  // Where a0deploy export writes a YAML export's passwordless email body.
  write('yaml/connections/email.html', EMAIL_BODY);
  write('dir/tenant.json', tenantSettings);
  write('dir/branding/branding.json', branding);
  write('dir/clients/Harbor Web.json', JSON.stringify(client).replace('"@@CALLBACKS@@"', '@@CALLBACKS@@'));
  write('dir/connections/email.json', email);
  write('dir/connections/email.html', EMAIL_BODY);
  write('dir/connections/sms.json', sms);
  write('dir/rules/Add roles.json', rules[0]);
  write('dir/rules/Deny outsiders.json', rules[1]);
  for (const factor of factors) write(`dir/guardian/factors/${factor.name}.json`, factor);
  write('dir/organizations/harbor-crew.json', organization);
  write('dir/prompts/prompts.json', { identifier_first: true });
  write('dir/prompts/custom-text.json', customText);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each([
  ['YAML', 'yaml/tenant.yaml'],
  ['directory', 'dir'],
])('a Deploy CLI export in %s format, with keywords and an overlay', (_format, exportPath) => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ UNDERSTUDY_DATA_DIR: join(root, `data-${_format}`) }, ['--config', join(root, exportPath), '--keywords', join(root, 'config.json'), '--overlay', join(root, 'overlay.yaml')]);
  }, 90_000);
  afterAll(async () => server?.stop());

  async function screensLogin(identifier: string, params: Record<string, string>): Promise<{ page: string; message: Record<string, unknown>; sub: string }> {
    const browser = new HttpBrowser();
    const { verifier, challenge } = pkcePair();
    const query = new URLSearchParams({ client_id: REAL_CLIENT_ID, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid profile email phone', state: 'st', code_challenge: challenge, code_challenge_method: 'S256', ...params });
    const start = await expectStatus(await browser.request(server.base, `/authorize?${query}`), 302, 'GET /authorize');
    const loginId = start.headers.get('location')!;
    const page = await (await expectStatus(await browser.request(server.base, loginId), 200, 'login-id page')).text();
    const state = new URL(loginId, 'http://x').searchParams.get('state')!;
    const submitted = await expectStatus(await browser.request(server.base, loginId, { form: { state, username: identifier, action: 'default' } }), 302, 'POST login-id');
    const mail = await expectStatus(await fetch(`${server.base}/_dev/api/messages/latest?${new URLSearchParams({ to: identifier, wait: '5000' })}`), 200, 'mailbox');
    const message = (await mail.json()) as Record<string, unknown>;
    const verified = await expectStatus(await browser.request(server.base, submitted.headers.get('location')!, { form: { state, code: String(message.code), action: 'default' } }), 302, 'POST code');
    const resumed = await expectStatus(await browser.request(server.base, verified.headers.get('location')!), 302, 'resume');
    const callback = new URL(resumed.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    const token = await expectStatus(
      await fetch(`${server.base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', client_id: REAL_CLIENT_ID, code: callback.searchParams.get('code')!, code_verifier: verifier, redirect_uri: CALLBACK }).toString() }),
      200,
      'token',
    );
    const claims = decodeJwt(((await token.json()) as { id_token: string }).id_token);
    expect(claims.aud).toBe(REAL_CLIENT_ID);
    return { page, message, sub: String(claims.sub) };
  }

  it('an email login through the Spanish screens, with the tenant\'s own email, for the pinned client_id', async () => {
    const { page, message, sub } = await screensLogin('maria@harbor.example', { connection: 'email', ui_locales: 'es' });
    expect(page).toContain('<h1>Bienvenido a bordo</h1>');
    expect(page).toContain('Inicia sesión en Harbor para seguir a Harbor Web.');
    expect(page).toContain('#0b7285');
    expect(message.subject).toBe('Your Harbor code');
    expect(message.from).toBe('Harbor Web <login@harbor.example>');
    expect(message.html).toBe(`<html><body><p id="msg">Harbor Web code: <b>${String(message.code)}</b></p></body></html>`);
    expect(sub).toMatch(/^email\|/);
  });

  it('an SMS login with the tenant\'s SMS text and sender; English screens by default', async () => {
    const { page, message, sub } = await screensLogin('+15557770000', { connection: 'sms' });
    expect(page).toContain('<h1>Welcome aboard</h1>');
    expect(message.text).toBe(`Harbor: your code is ${String(message.code)}`);
    expect(message.from).toBe('+15550001111');
    expect(sub).toMatch(/^sms\|/);
  });

  it('reports each feature it does not emulate once (Rules, MFA factors; not the organization, which loads), at start-up and at /_dev/api/tenant-report', async () => {
    const report = (await (await fetch(`${server.base}/_dev/api/tenant-report`)).json()) as { features: { feature: string; count: number }[]; other_keys: string[] };
    expect(report.features.map((f) => [f.feature, f.count])).toEqual([
      ['Rules', 2],
      ['MFA factors not emulated', 1],
    ]);
    expect(server.output()).not.toContain('Organizations (');
    for (const feature of ['Rules (2): Auth0 retired Rules: not run', 'MFA factors not emulated (1): not offered']) {
      expect(server.output().split(feature).length - 1, feature).toBe(1);
    }
    expect(report.other_keys).toEqual(expect.arrayContaining(['clients[0].is_first_party', 'connections[1].options.name']));
  });
});
