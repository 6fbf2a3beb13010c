import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTenant, readTenantFile } from '../../src/config/tenant-file.js';
import { loadKeywordMappings, replaceKeywords } from '../../src/config/keywords.js';
import { configProblems } from '../support/config-problems.js';

/**
 * A Deploy CLI export as it is: keywords replaced as `a0deploy import` replaces them (@@KEY@@ as JSON,
 * ##KEY## literally, only mapped keys), unmapped keywords named with where they are and how to map
 * them, and the values exports write for "not set" (`""`, `null`) read as not set.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'understudy-export-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const build = (raw: unknown) => buildTenant(raw, 'export', 'seed');

const EXPORT = `
tenant:
  friendly_name: ##TENANT_NAME##
  picture_url: ''
clients:
  - name: Acme SPA
    app_type: spa
    callbacks: @@SPA_CALLBACKS@@
    allowed_logout_urls: "@@SPA_LOGOUTS@@"
    web_origins: ['##APP_ORIGIN##']
    logo_uri: ''
connections:
  - name: sms
    strategy: sms
    options:
      template: 'Your code for ##TENANT_NAME## is @@password@@'
      name: true
`;
const MAPPINGS = {
  TENANT_NAME: 'Acme Staging',
  SPA_CALLBACKS: ['http://localhost:3000/callback'],
  SPA_LOGOUTS: ['http://localhost:3000'],
  APP_ORIGIN: 'http://localhost:3000',
};

describe('Deploy CLI keywords', () => {
  it('replaces mapped keywords as the Deploy CLI does: @@KEY@@ (quoted or not) by its JSON, ##KEY## literally; an SMS macro stays', () => {
    const raw = readTenantFile(write('tenant.yaml', EXPORT), MAPPINGS) as { connections: { options: { template: string } }[] };
    const { tenant } = build(raw);
    expect(tenant.friendlyName).toBe('Acme Staging');
    expect(tenant.clients[0]).toMatchObject({ callbacks: ['http://localhost:3000/callback'], allowedLogoutUrls: ['http://localhost:3000'], webOrigins: ['http://localhost:3000'] });
    expect(raw.connections[0]!.options.template).toBe('Your code for Acme Staging is @@password@@');
    expect(replaceKeywords('"@@A@@" @@A@@ ##A## ##B##', { A: { x: [1] } })).toBe('{"x":[1]} {"x":[1]} [object Object] ##B##');
  });

  it('an unmapped @@KEY@@ that breaks the YAML stops start-up naming the keyword, its line and how to map it', () => {
    const missing = configProblems(() => readTenantFile(write('missing.yaml', EXPORT), { TENANT_NAME: 'x', SPA_LOGOUTS: [], APP_ORIGIN: 'http://a' }));
    // The keyword first: it is what to fix; the parser's complaint follows.
    expect(missing[0]).toMatch(/^@@SPA_CALLBACKS@@ \(line 8\) has no mapping: map it in AUTH0_KEYWORD_REPLACE_MAPPINGS: .*--keywords <file>/);
    expect(missing.at(-1)).toMatch(/^cannot parse the file until they are mapped: /);
  });

  it('an unmapped unquoted ##KEY##, which YAML reads as a comment, stops start-up instead of vanishing', () => {
    const text = 'tenant:\n  friendly_name: ##TENANT_NAME##\n';
    expect(configProblems(() => readTenantFile(write('comment.yaml', text)))).toEqual([
      expect.stringMatching(/^##TENANT_NAME## \(line 2\) has no mapping, and unquoted it reads as a YAML comment: map it in AUTH0_KEYWORD_REPLACE_MAPPINGS/),
    ]);
  });

  it('an unmapped keyword in a value Understudy uses stops start-up naming the key path; in a value it ignores, it stays', () => {
    const raw = readTenantFile(write('quoted.yaml', `clients:\n  - name: App\n    callbacks: ['##APP_URL##/callback']\n    custom_login_page: 'built by ##CI_JOB##'\n`));
    expect(configProblems(() => build(raw))).toEqual([expect.stringMatching(/^clients\[0\]\.callbacks\[0\]: ##APP_URL## has no mapping; map it in AUTH0_KEYWORD_REPLACE_MAPPINGS/)]);
  });

  it('JSON exports take "@@KEY@@" (quoted, as JSON needs) and give the value its type', () => {
    const raw = readTenantFile(write('tenant.json', JSON.stringify({ clients: [{ name: 'App', callbacks: '@@CALLBACKS@@', jwt_configuration: { lifetime_in_seconds: '@@LIFETIME@@' } }] })), { CALLBACKS: ['http://a.test/cb'], LIFETIME: 600 });
    const { tenant } = build(raw);
    expect(tenant.clients[0]).toMatchObject({ callbacks: ['http://a.test/cb'], idTokenLifetime: 600 });
  });

  it('reads mappings from a Deploy CLI config.json (--keywords) and from AUTH0_KEYWORD_REPLACE_MAPPINGS, which wins', () => {
    const config = write('config.json', JSON.stringify({ AUTH0_DOMAIN: 'acme.eu.auth0.com', AUTH0_KEYWORD_REPLACE_MAPPINGS: { A: 'from-file' } }));
    expect(loadKeywordMappings(config, undefined)).toEqual({ A: 'from-file' });
    expect(loadKeywordMappings(config, '{"A":"from-env"}')).toEqual({ A: 'from-env' });
    expect(loadKeywordMappings(undefined, undefined)).toBeUndefined();
    expect(configProblems(() => loadKeywordMappings(write('plain.json', '{"A":1}'), undefined))).toEqual([expect.stringMatching(/^AUTH0_KEYWORD_REPLACE_MAPPINGS: missing/)]);
    expect(configProblems(() => loadKeywordMappings(undefined, '{oops'))).toEqual([expect.stringMatching(/^not JSON: /)]);
    expect(configProblems(() => loadKeywordMappings(join(dir, 'nope.json'), undefined))).toEqual([expect.stringMatching(/^cannot read the keyword file: /)]);
  });
});

describe('values exports write for "not set"', () => {
  it('"" and null load as not set, and option keys Understudy does not read (Apple\'s options.name: true) are only ignored', () => {
    const { tenant, ignoredKeys } = build({
      tenant: { friendly_name: 'Acme', picture_url: '' },
      branding: { logo_url: '', colors: { primary: '#112233' } },
      clients: [{ name: 'Web', logo_uri: '', callbacks: null, allowed_logout_urls: null, web_origins: [], client_metadata: { team: '' } }],
      connections: [{ name: 'apple', strategy: 'apple', options: { name: true, team_id: null } }, { name: 'email', strategy: 'email', display_name: '' }],
      users: [{ connection: 'email', email: 'a@example.com', user_metadata: { nickname: '', note: null } }],
    });
    expect(tenant.clients[0]).toMatchObject({ name: 'Web', callbacks: [], allowedLogoutUrls: [] });
    expect(tenant.connections.map((c) => c.name)).toEqual(['apple', 'email']);
    expect(ignoredKeys).toContain('connections[0].options.name');
    // client_metadata is data (Actions read it as event.client.metadata): kept as written.
    expect(tenant.clients[0]?.metadata).toEqual({ team: '' });
  });

  it('a value Understudy uses is still checked: a bad callback stops start-up naming clients[2].callbacks[0]', () => {
    const problems = configProblems(() => build({ clients: [{ name: 'A', callbacks: null }, { name: 'B', logo_uri: '' }, { name: 'C', callbacks: ['/relative'] }] }));
    expect(problems).toEqual([expect.stringMatching(/^clients\[2\]\.callbacks\[0\]: must be an absolute URL/)]);
  });
});
