import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { buildTenant } from '../../src/config/tenant-file.js';
import { reportLines, tenantReport } from '../../src/tenant/report.js';

/**
 * The start-up report: what of an export Understudy does not emulate, grouped by feature with its
 * consequence, each feature once; keys without effect on logins counted apart. The same report is at
 * GET /_dev/api/tenant-report and on the dev mailbox page.
 */
const EXPORT = {
  tenant: { friendly_name: 'Acme', universal_login: { colors: { primary: '#ff0000' } }, sandbox_version: '18' },
  clients: [{ name: 'Acme SPA', app_type: 'spa', is_first_party: true, oidc_conformant: true, callbacks: ['http://localhost:3000/callback'] }],
  connections: [
    { name: 'email', strategy: 'email', options: { email: { from: 'a@acme.example', subject: 'Code', body: '<p>{{ code }}</p>', syntax: 'liquid' } } },
    { name: 'sms', strategy: 'sms', options: { template: 'Your code is @@password@@', syntax: 'md_with_macros' } },
  ],
  databases: [{ name: 'Legacy DB', options: { enabledDatabaseCustomization: true, customScripts: { login: './login.js' } } }],
  rules: [{ name: 'a', enabled: true }, { name: 'b', enabled: true }, { name: 'c', enabled: true }, { name: 'd', enabled: false }],
  // sms, otp and push are emulated; duo is reported; a disabled factor is neither.
  guardianFactors: [{ name: 'sms', enabled: true }, { name: 'otp', enabled: true }, { name: 'push-notification', enabled: true }, { name: 'duo', enabled: true }, { name: 'email', enabled: false }],
  organizations: [{ name: 'acme-corp', display_name: 'Acme Corp' }],
  actions: [{ name: 'Add roles', deployed: true }],
  // Actions on post-login, credentials-exchange and the registration triggers run; this trigger's do not.
  triggers: { 'send-phone-message': [{ action_name: 'Add roles', display_name: 'Add roles' }] },
  roles: [{ name: 'Admin' }, { name: 'Reader' }],
  // verify_email is sent (not reported); blocked_account is not.
  emailTemplates: [{ template: 'verify_email', enabled: true }, { template: 'blocked_account', enabled: true }],
  prompts: { identifier_first: true, customText: { en: {}, es: {} } },
};

describe('the tenant report', () => {
  let t: TestApp | undefined;
  afterEach(async () => t?.app.close());

  it('lists each feature once with its count and consequence, and counts the keys that change nothing apart', () => {
    const { ignoredKeys } = buildTenant(EXPORT, 'export', 'seed');
    const report = tenantReport(EXPORT, ignoredKeys);
    const byFeature = Object.fromEntries(report.features.map((f) => [f.feature, f.count]));
    expect(byFeature).toEqual({
      'Actions on other triggers': 1,
      Rules: 3,
      'MFA factors not emulated': 1,
      'Custom database scripts': 1,
      'Email templates Understudy does not send': 1,
    });
    expect(reportLines(report)).toContainEqual("MFA factors not emulated (1): not offered (duo): a login asks for the tenant's other factors, and fails when the user has no other");
    expect(reportLines(report)).toContainEqual('Rules (3): Auth0 retired Rules: not run');
    expect(reportLines(report)).toContainEqual("Custom database scripts (1): run as a plain database: users and passwords are the tenant file's");
    expect(report.otherKeys).toEqual(expect.arrayContaining(['tenant.sandbox_version', 'clients[0].is_first_party', 'clients[0].oidc_conformant']));
    // Emulated now, so neither a feature nor an ignored key: custom text and the Universal Login colours.
    expect(report.otherKeys).not.toContain('prompts.customText');
    expect(report.otherKeys).not.toContain('tenant.universal_login');
    expect(report.otherKeys.some((k) => /rules|guardian|organizations|customText/.test(k))).toBe(false);
  });

  it('is served at GET /_dev/api/tenant-report and on the dev mailbox page', async () => {
    t = await buildTestApp({ tenant: EXPORT });
    const response = await t.app.inject('/_dev/api/tenant-report');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    // Organizations are emulated now: not a feature of the report.
    expect(body.features.map((f: { feature: string }) => f.feature)).not.toContain('Organizations');
    expect(body.other_keys).toContain('clients[0].is_first_party');
    const page = await t.app.inject('/_dev/mailbox');
    expect(page.body).toContain('Not emulated from this tenant');
    expect(page.body).toContain('<strong>MFA factors not emulated (1)</strong>: not offered (duo');
  });

  it('a hand-written tenant with nothing unemulated shows no report', async () => {
    t = await buildTestApp();
    expect((await t.app.inject('/_dev/api/tenant-report')).json()).toEqual({ features: [], other_keys: [] });
    expect((await t.app.inject('/_dev/mailbox')).body).not.toContain('Not emulated from this tenant');
  });
});
