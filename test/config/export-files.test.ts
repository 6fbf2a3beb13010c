import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFiles } from '../support/files.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildTenant, readTenantSource } from '../../src/config/tenant-file.js';
import { tenantReport } from '../../src/tenant/report.js';
import { ConfigError } from '../../src/config/config-error.js';
import { SPA, httpLogin, startServer } from '../support/http-login.js';

/**
 * The files of an export, as the Deploy CLI writes them and as they are found in repositories: what
 * is the tenant's and what is not (.github, node_modules), the paths older Deploy CLI versions wrote
 * for action code, references that leave the export, a missing email template, and an overlay that
 * must not change where the export's files and packages are.
 */
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'understudy-export-files-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const files = writeFiles;
const CODE = 'exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim("https://harbor.example/ran", true); };';
const action = (name: string, code: string) => ({ name, code, deployed: true, supported_triggers: [{ id: 'post-login', version: 'v3' }] });

function problemsOf(path: string): string[] {
  try {
    const read = readTenantSource(path);
    buildTenant(read.doc, path, 'seed', { exportDir: read.dir, readProblems: read.problems });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe("a directory export's folders", () => {
  it('hidden folders, node_modules and folders without JSON are not tenant keys; branding templates are reported as not applied', () => {
    const dir = files(join(root, 'folders'), {
      'tenant.json': { friendly_name: 'Harbor' },
      'clients/Harbor SPA.json': { name: 'Harbor SPA', app_type: 'spa' },
      '.github/workflows/deploy.yml': 'on: push',
      '.vscode/settings.json': '{}',
      '.husky/pre-commit': 'npm test',
      'node_modules/left-pad/package.json': '{"name":"left-pad"}',
      'scripts/deploy.sh': 'a0deploy import',
      'branding/templates/universal_login.html': '<html>{%- auth0:head -%}</html>',
      'branding/templates/universal_login.json': { template: 'universal_login', body: './universal_login.html' },
      'log-streams/datadog.json': { name: 'datadog', type: 'datadog' },
      'event-streams/stream.json': { name: 'x' },
    });
    const read = readTenantSource(dir);
    const { ignoredKeys } = buildTenant(read.doc, dir, 'seed');
    expect(ignoredKeys.filter((k) => !k.includes('.') && !k.includes('['))).toEqual(['logStreams', 'event-streams']);
    const report = tenantReport(read.doc, ignoredKeys);
    expect(report.features.map((f) => [f.feature, f.count])).toEqual(expect.arrayContaining([['Themes and branding templates', 1], ['Log streams', 1]]));
    expect(report.otherKeys.join(' ')).not.toMatch(/\.github|\.vscode|\.husky|node_modules|scripts/);
  });
});

describe("actions' code paths", () => {
  it('an older Deploy CLI path with the tenant domain falls back to actions/<name>/code.js in the export, with a notice', () => {
    const dir = files(join(root, 'old-paths'), {
      'tenant.json': { friendly_name: 'Harbor' },
      'actions/Add claims.json': action('Add claims', './harbor.eu.auth0.com/actions/Add claims/code.js'),
      'actions/Add claims/code.js': CODE,
      'triggers/triggers.json': { 'post-login': [{ action_name: 'Add claims' }] },
    });
    const read = readTenantSource(dir);
    expect(read.problems).toEqual([]);
    expect(read.notices).toEqual([expect.stringMatching(/^actions\[0\]\.code: the action "Add claims" names "\.\/harbor\.eu\.auth0\.com\/actions\/Add claims\/code\.js", which is not in the export; read .*actions\/Add claims\/code\.js instead/)]);
    expect(buildTenant(read.doc, dir, 'seed').tenant.actions.actions[0]).toMatchObject({ name: 'Add claims', code: CODE });
  });

  it('every action whose code is missing or outside the export is named, in one run, under the export (not its code file)', () => {
    const outside = files(join(root, 'elsewhere'), { 'code.js': CODE });
    const dir = files(join(root, 'bad-paths'), {
      'tenant.json': { friendly_name: 'Harbor' },
      'actions/Gone.json': action('Gone', './actions/Gone/code.js'),
      'actions/Absolute.json': action('Absolute', join(outside, 'code.js')),
      'actions/Climber.json': action('Climber', '../elsewhere/code.js'),
      'triggers/triggers.json': { 'post-login': [{ action_name: 'Gone' }, { action_name: 'Absolute' }, { action_name: 'Climber' }] },
    });
    const problems = problemsOf(dir);
    expect(problems).toEqual([
      expect.stringMatching(/^actions\[0\]\.code: the action "Absolute": ".*elsewhere\/code\.js" is an absolute path/),
      'actions[1].code: the action "Climber": "../elsewhere/code.js" leaves the export\'s folder (' + dir + ')',
      expect.stringMatching(/^actions\[2\]\.code: the action "Gone"'s code "\.\/actions\/Gone\/code\.js" is not in the export/),
    ]);
  });

  it('a symbolic link out of the export is refused, naming where it points', () => {
    const secret = files(join(root, 'secrets'), { 'keys.json': '{"k":"private"}' });
    const dir = files(join(root, 'linked'), {
      'tenant.yaml': stringify({ connections: [{ name: 'email', strategy: 'email', options: { email: { from: 'a@b.example', subject: 'x', body: './email.html', syntax: 'liquid' } } }] }),
    });
    symlinkSync(join(secret, 'keys.json'), join(dir, 'email.html'));
    expect(problemsOf(join(dir, 'tenant.yaml'))).toEqual([
      `connections[0].options.email.body: "./email.html" is a symbolic link to ${join(secret, 'keys.json')}, outside the export's folder (${dir})`,
    ]);
  });

  it('an email template that is not in the export is a notice; the connection sends the default email', () => {
    const dir = files(join(root, 'no-template'), {
      'tenant.yaml': stringify({ connections: [{ name: 'email', strategy: 'email', options: { email: { from: 'a@b.example', subject: 'Your code', body: './email.html', syntax: 'liquid' } } }] }),
    });
    const read = readTenantSource(join(dir, 'tenant.yaml'));
    expect(read.problems).toEqual([]);
    expect(read.notices).toEqual([expect.stringMatching(/^connections\[0\]\.options\.email\.body: the email template \.\/email\.html is not in the export/)]);
    expect(buildTenant(read.doc, dir, 'seed').tenant.connections[0]!.messageTemplates?.email).toEqual({ from: 'a@b.example', subject: 'Your code', syntax: 'liquid' });
  });
});

describe('an overlay keeps the export’s folder (a real server)', () => {
  it("the action loads its package from the export's node_modules, and a login runs it", async () => {
    const dir = files(join(root, 'with-overlay'), {
      'tenant.yaml': stringify({
        clients: [{ name: 'Harbor SPA', app_type: 'spa', callbacks: ['http://localhost:3000/callback'] }],
        connections: [{ name: 'email', strategy: 'email', enabled_clients: ['Harbor SPA'] }],
        actions: [{ ...action('Greet', './actions/Greet/code.js'), dependencies: [{ name: 'harbor-greeting', version: '1.0.0' }] }],
        triggers: { 'post-login': [{ action_name: 'Greet' }] },
      }),
      'actions/Greet/code.js': "const greet = require('harbor-greeting'); exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('https://harbor.example/greeting', greet(event.user.email)); };",
      'node_modules/harbor-greeting/package.json': { name: 'harbor-greeting', version: '1.0.0', main: 'index.js' },
      'node_modules/harbor-greeting/index.js': "module.exports = (who) => 'Ahoy, ' + who;",
    });
    const overlay = files(join(root, 'overlay-elsewhere'), { 'overlay.yaml': stringify({ clients: [{ name: 'Harbor SPA', client_id: SPA }] }) });
    const server = await startServer({ UNDERSTUDY_DATA_DIR: join(root, 'data-overlay') }, ['--config', join(dir, 'tenant.yaml'), '--overlay', join(overlay, 'overlay.yaml')]);
    try {
      expect(server.output()).not.toContain('not installed');
      const { claims } = await httpLogin('ada@harbor.example', server.base, { devToken: server.devToken() });
      expect(claims['https://harbor.example/greeting']).toBe('Ahoy, ada@harbor.example');
    } finally {
      await server.stop();
    }
  }, 90_000);
});
