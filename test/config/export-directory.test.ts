import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFiles } from '../support/files.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildTenant, readTenantFile } from '../../src/config/tenant-file.js';
import { configProblems } from '../support/config-problems.js';

/**
 * A Deploy CLI directory export (`a0deploy export --format directory`) reads into the same tenant as
 * the same export in YAML: one model for both formats. A folder that is not an export, and a
 * `tenant.json` passed alone from inside one, are refused with what to pass instead.
 */
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'understudy-dir-export-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const files = writeFiles;

// The same tenant, as the YAML export and as the directory export would carry it.
const tenant = { friendly_name: 'Acme', enabled_locales: ['en', 'es'], picture_url: '' };
const spa = { name: 'Acme SPA', app_type: 'spa', callbacks: '@@SPA_CALLBACKS@@', web_origins: ['http://localhost:3000'], is_first_party: true };
const web = { name: 'Acme Web', app_type: 'regular_web', callbacks: ['http://localhost:4100/callback'], client_secret: 'web-secret' };
const email = { name: 'email', strategy: 'email', enabled_clients: ['Acme SPA', 'Acme Web'], options: { totp: { length: 8, time_step: 300 }, email: { from: 'no-reply@acme.example', subject: 'Your code', body: './email.html', syntax: 'liquid' } } };
const database = { name: 'Username-Password-Authentication', strategy: 'auth0', enabled_clients: ['Acme Web'], options: { brute_force_protection: true } };
const api = { identifier: 'https://api.acme.example', name: 'Acme API', scopes: [{ value: 'read:things', description: 'Read' }], token_dialect: 'access_token_authz', enforce_policies: true };
const role = { name: 'Admin', description: 'Administrators', permissions: [{ permission_name: 'read:things', resource_server_identifier: 'https://api.acme.example' }] };
const action = { name: 'Add roles', code: './actions/Add roles/code.js', deployed: true, runtime: 'node18', supported_triggers: [{ id: 'post-login', version: 'v3' }] };
const grant = { client_id: 'Acme Web', audience: 'https://api.acme.example', scope: ['read:things'] };
const triggers = { 'post-login': [{ action_name: 'Add roles', display_name: 'Add roles' }] };
const MAPPINGS = { SPA_CALLBACKS: ['http://localhost:3000/callback'] };

describe('Deploy CLI directory export', () => {
  it('reads into the same tenant as the YAML export of the same tenant', () => {
    const dir = files(join(root, 'acme'), {
      'tenant.json': tenant,
      'clients/Acme SPA.json': `${JSON.stringify(spa).replace('"@@SPA_CALLBACKS@@"', '@@SPA_CALLBACKS@@')}`,
      'clients/Acme Web.json': web,
      'connections/email.json': email,
      'connections/email.html': '<p>{{ code }}</p>',
      'database-connections/Username-Password-Authentication/database.json': database,
      'resource-servers/Acme API.json': api,
      'roles/Admin.json': role,
      'actions/Add roles.json': action,
      'actions/Add roles/code.js': 'exports.onExecutePostLogin = async () => {};',
      'triggers/triggers.json': triggers,
      'grants/Acme Web-Acme API.json': grant,
      'emails/verify_email.json': { template: 'verify_email', enabled: true, body: './verify_email.html' },
      'emails/verify_email.html': '<p>Verify</p>',
      'prompts/prompts.json': { identifier_first: true, universal_login_experience: 'new' },
      'prompts/custom-text.json': { es: { 'login-id': { 'login-id': { title: 'Bienvenido' } } } },
      'branding/branding.json': { colors: { primary: '#0059d6', page_background: '#000000' } },
      'guardian/factors/sms.json': { name: 'sms', enabled: true },
      'event-streams/stream.json': { name: 'x' },
    });
    const yamlFile = join(root, 'acme.yaml');
    // The YAML export keeps the email body beside the tenant file, the directory export in connections/.
    writeFileSync(join(root, 'email.html'), '<p>{{ code }}</p>');
    // Its email templates' bodies sit in emailTemplates/ beside it, as the Deploy CLI writes them.
    files(join(root, 'emailTemplates'), { 'verify_email.html': '<p>Verify</p>' });
    // A YAML export's action code sits in actions/ beside tenant.yaml.
    files(join(root, 'actions'), { 'Add roles/code.js': 'exports.onExecutePostLogin = async () => {};' });
    writeFileSync(
      yamlFile,
      stringify({
        tenant,
        clients: [spa, web],
        connections: [email],
        databases: [database],
        resourceServers: [api],
        roles: [role],
        actions: [action],
        triggers,
        clientGrants: [grant],
        emailTemplates: [{ template: 'verify_email', enabled: true, body: './emailTemplates/verify_email.html' }],
        prompts: { identifier_first: true, universal_login_experience: 'new', customText: { es: { 'login-id': { 'login-id': { title: 'Bienvenido' } } } } },
        branding: { colors: { primary: '#0059d6', page_background: '#000000' } },
        guardianFactors: [{ name: 'sms', enabled: true }],
      }).replace("'@@SPA_CALLBACKS@@'", '@@SPA_CALLBACKS@@'),
    );
    const fromDir = buildTenant(readTenantFile(dir, MAPPINGS), dir, 'seed');
    const fromYaml = buildTenant(readTenantFile(yamlFile, MAPPINGS), yamlFile, 'seed');
    // The same tenant, but for where each format keeps its action's code (and its packages).
    const located = (loaded: typeof fromDir) => ({ ...loaded.tenant, actions: { ...loaded.tenant.actions, actions: loaded.tenant.actions.actions.map(({ file: _file, requireFrom: _from, ...rest }) => rest) } });
    expect(located(fromDir)).toEqual(located(fromYaml));
    expect(fromDir.tenant.actions.bindings['post-login']).toEqual(['Add roles']);
    expect(fromDir.tenant.actions.actions[0]).toMatchObject({ name: 'Add roles', code: 'exports.onExecutePostLogin = async () => {};', file: join(dir, 'actions', 'Add roles', 'code.js'), requireFrom: dir });
    expect(fromYaml.tenant.actions.actions[0]).toMatchObject({ file: join(root, 'actions', 'Add roles', 'code.js'), requireFrom: root });
    expect(fromDir.tenant.clients.map((c) => c.name)).toEqual(['Acme SPA', 'Acme Web']);
    expect(fromDir.tenant.clients[0]?.callbacks).toEqual(['http://localhost:3000/callback']);
    expect(fromDir.tenant.connections.map((c) => c.name)).toEqual(['email', 'Username-Password-Authentication']);
    expect(fromDir.tenant.clientGrants).toEqual(fromYaml.tenant.clientGrants);
    expect(fromDir.tenant.roles).toEqual([expect.objectContaining({ name: 'Admin', permissions: [{ resourceServerIdentifier: 'https://api.acme.example', permissionName: 'read:things' }] })]);
    // guardian/factors/*.json is read as guardianFactors; what Understudy does not read is reported, the unknown folder among it.
    expect(fromDir.tenant.mfa.factors).toEqual(['sms']);
    // Each format's email template body is read from where the Deploy CLI writes it.
    expect(fromDir.tenant.emails.templates.verify_email.own).toEqual({ email: { body: '<p>Verify</p>' } });
    expect(fromYaml.tenant.mfa.factors).toEqual(['sms']);
    expect(fromDir.ignoredKeys).toEqual(expect.arrayContaining(['event-streams']));
    expect(fromDir.ignoredKeys).not.toContain('guardianFactors');
    expect(fromDir.ignoredKeys).not.toContain('actions');
    expect(fromDir.ignoredKeys).not.toContain('roles');
  });

  it('a folder that is not an export stops start-up saying so; a tenant.json passed from inside one points at the folder', () => {
    const empty = files(join(root, 'photos'), { 'a.txt': 'x' });
    expect(configProblems(() => readTenantFile(empty))).toEqual([expect.stringMatching(/^not a Deploy CLI directory export: it has no tenant\.json and none of clients\/, connections\//)]);
    const dir = files(join(root, 'partial'), { 'tenant.json': tenant, 'clients/A.json': { name: 'A' } });
    expect(configProblems(() => readTenantFile(join(dir, 'tenant.json')))).toEqual([
      `this tenant.json is part of a Deploy CLI directory export (clients/ beside it): pass the folder instead, --config ${dir}`,
    ]);
  });

  it('a broken file or an unmapped keyword names that file', () => {
    const dir = files(join(root, 'broken'), { 'tenant.json': tenant, 'clients/Bad.json': '{"name": "Bad", "callbacks": @@MISSING@@}' });
    const problems = configProblems(() => readTenantFile(dir));
    expect(problems[0]).toMatch(/^@@MISSING@@ \(line 1\) has no mapping/);
    expect(problems[1]).toMatch(/^cannot parse the file until they are mapped: /);
    let message = '';
    try {
      readTenantFile(dir);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(join(dir, 'clients', 'Bad.json'));
  });
});
