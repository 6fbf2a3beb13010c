import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildTenant, readTenantFile, type LoadedTenant } from '../../src/config/tenant-file.js';
import { ConfigError } from '../../src/config/config-error.js';
import { configProblems } from '../support/config-problems.js';

/** A tenant.yaml as Auth0's Deploy CLI exports it, trimmed, with keys Understudy has no use for left in. */
const DEPLOY_CLI_YAML = `
tenant:
  friendly_name: 'Acme Staging'
  picture_url: 'https://acme.example/logo.png'
  session_lifetime: 168
  enabled_locales:
    - en
branding:
  colors:
    primary: '#0059d6'
    page_background: '#000000'
  logo_url: 'https://acme.example/brand.png'
rules:
  - name: 'Add roles'
    script: ./rules/add-roles.js
pages:
  - name: login
    html: ./pages/login.html
clients:
  - name: Acme SPA
    client_id: acmeSpaClientId
    app_type: spa
    callbacks:
      - 'http://localhost:3000/callback'
    allowed_logout_urls:
      - 'http://localhost:3000'
    web_origins:
      - 'http://localhost:3000'
    custom_login_page_on: true
    oidc_conformant: true
    jwt_configuration:
      alg: RS256
      lifetime_in_seconds: 7200
      secret_encoded: false
  - name: Acme Web
    app_type: regular_web
    callbacks:
      - 'https://app.acme.example/callback'
    grant_types:
      - authorization_code
      - refresh_token
    refresh_token:
      rotation_type: rotating
      expiration_type: expiring
      leeway: 3
      token_lifetime: 3600
      idle_token_lifetime: 1800
  - name: Acme Backend
    client_id: acme-backend
    client_secret: backend-secret
    app_type: non_interactive
connections:
  - name: email
    strategy: email
    enabled_clients:
      - Acme SPA
      - Acme Web
    options:
      from: 'Acme <no-reply@acme.example>'
      subject: 'Your code'
      syntax: liquid
      totp:
        length: 8
        time_step: 300
      disable_signup: true
      brute_force_protection: true
  - name: sms
    strategy: sms
    enabled_clients:
      - acmeSpaClientId
  - name: Username-Password-Authentication
    strategy: auth0
    enabled_clients:
      - Acme Web
  - name: google-oauth2
    strategy: google-oauth2
resourceServers:
  - name: Acme API
    identifier: 'https://api.acme.example'
    scopes:
      - value: 'read:orders'
        description: 'Read orders'
      - value: 'write:orders'
    token_lifetime: 7200
    token_dialect: access_token_authz
    enforce_policies: true
    skip_consent_for_verifiable_first_party_clients: true
users:
  - connection: email
    email: ' Jane@Acme.Example '
    app_metadata:
      roles: [admin]
    user_metadata:
      theme: dark
  - connection: sms
    phone_number: '+1 (555) 123-4567'
    name: 'Phone User'
  - connection: Username-Password-Authentication
    email: 'db@acme.example'
    password: 'correct horse battery staple'
    user_id: 'auth0|db-user-1'
`;

const build = (raw: unknown, seed = 'seed-1'): LoadedTenant => buildTenant(raw, 'tenant.yaml', seed);

/** The problems a bad document produces (fails the test when it does not throw a ConfigError). */
const problemsOf = (raw: unknown): string[] => configProblems(() => build(raw));

const connection = (overrides: Record<string, unknown> = {}) => ({ name: 'email', strategy: 'email', ...overrides });

describe('buildTenant: a Deploy CLI tenant.yaml', () => {
  const loaded = build(parseYaml(DEPLOY_CLI_YAML));
  const { tenant } = loaded;

  it('reads the tenant settings and branding', () => {
    expect(tenant.friendlyName).toBe('Acme Staging');
    expect(tenant.sessionLifetimeHours).toBe(168);
    expect(tenant.branding).toEqual({ logoUrl: 'https://acme.example/brand.png', primaryColor: '#0059d6', pageBackground: '#000000' });
  });

  it('builds each client with its URLs, auth method and token settings', () => {
    const [spa, web, backend] = tenant.clients;
    expect(tenant.clients).toHaveLength(3);
    expect(spa).toMatchObject({
      name: 'Acme SPA',
      clientId: 'acmeSpaClientId',
      clientSecret: undefined,
      appType: 'spa',
      tokenEndpointAuthMethod: 'none',
      callbacks: ['http://localhost:3000/callback'],
      allowedLogoutUrls: ['http://localhost:3000'],
      webOrigins: ['http://localhost:3000'],
      idTokenLifetime: 7200,
    });
    expect(web).toMatchObject({
      name: 'Acme Web',
      appType: 'regular_web',
      tokenEndpointAuthMethod: 'client_secret_post',
      callbacks: ['https://app.acme.example/callback'],
      grantTypes: ['authorization_code', 'refresh_token'],
      idTokenLifetime: 36000,
      refreshToken: { rotationType: 'rotating', expirationType: 'expiring', leeway: 3, tokenLifetime: 3600, idleTokenLifetime: 1800 },
    });
    expect(web?.clientId).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(web?.clientSecret).toBeTruthy();
    expect(backend).toMatchObject({ clientId: 'acme-backend', clientSecret: 'backend-secret', appType: 'non_interactive', grantTypes: ['client_credentials'] });
  });

  it('builds connections in file order with kinds, OTP settings and enabled clients by name or id', () => {
    const webId = tenant.clients[1]!.clientId;
    expect(tenant.connections.map((c) => [c.name, c.kind])).toEqual([
      ['email', 'passwordless'],
      ['sms', 'passwordless'],
      ['Username-Password-Authentication', 'database'],
      ['google-oauth2', 'social'],
    ]);
    const [email, sms, db, google] = tenant.connections;
    expect(email).toMatchObject({ otp: { length: 8, timeStepSeconds: 300 }, disableSignup: true });
    expect([...email!.enabledClients].sort()).toEqual(['acmeSpaClientId', webId].sort());
    expect(sms).toMatchObject({ otp: { length: 6, timeStepSeconds: 180 }, disableSignup: false });
    expect([...sms!.enabledClients]).toEqual(['acmeSpaClientId']);
    expect([...db!.enabledClients]).toEqual([webId]);
    expect(google?.displayName).toBe('Google');
  });

  it('builds resource servers with scopes, lifetime and RBAC permissions', () => {
    expect(tenant.resourceServers).toEqual([
      {
        identifier: 'https://api.acme.example',
        name: 'Acme API',
        scopes: ['read:orders', 'write:orders'],
        scopeDescriptions: { 'read:orders': 'Read orders' },
        tokenLifetime: 7200,
        enforcePolicies: true,
        tokenDialect: 'access_token_authz',
        allowOfflineAccess: true,
      },
    ]);
  });

  it('builds seed users with normalised email and E.164 phone number', () => {
    expect(tenant.users).toHaveLength(3);
    expect(tenant.users[0]).toMatchObject({
      connection: 'email',
      email: 'jane@acme.example',
      appMetadata: { roles: ['admin'] },
      userMetadata: { theme: 'dark' },
      blocked: false,
    });
    expect(tenant.users[1]).toMatchObject({ connection: 'sms', phoneNumber: '+15551234567', name: 'Phone User' });
    expect(tenant.users[2]).toMatchObject({
      connection: 'Username-Password-Authentication',
      email: 'db@acme.example',
      password: 'correct horse battery staple',
      userId: 'auth0|db-user-1',
    });
  });

  it('lists the keys it does not know in ignoredKeys instead of failing', () => {
    expect(loaded.ignoredKeys).toEqual(
      expect.arrayContaining([
        'rules',
        'pages',
        'clients[0].custom_login_page_on',
        'clients[0].oidc_conformant',
        'clients[0].jwt_configuration.secret_encoded',
        'connections[0].options.subject',
        // An SMS connection's sender and template syntax: an email connection does not read them.
        'connections[0].options.from',
        'connections[0].options.syntax',
        'resourceServers[0].skip_consent_for_verifiable_first_party_clients',
      ]),
    );
    expect(loaded.ignoredKeys).toHaveLength(9);
  });

  it('reports what it generated: the missing client_id and client_secret of "Acme Web" only', () => {
    const web = tenant.clients[1]!;
    expect(loaded.generated).toEqual([`client "Acme Web": client_id ${web.clientId}`, `client "Acme Web": client_secret ${web.clientSecret}`]);
  });
});

describe('readTenantFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'understudy-tenant-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads YAML and JSON files into the same document', () => {
    const doc = parseYaml(DEPLOY_CLI_YAML) as unknown;
    writeFileSync(join(dir, 'tenant.yaml'), DEPLOY_CLI_YAML);
    writeFileSync(join(dir, 'tenant.json'), JSON.stringify(doc));
    expect(readTenantFile(join(dir, 'tenant.yaml'))).toEqual(doc);
    expect(readTenantFile(join(dir, 'tenant.json'))).toEqual(doc);
    expect(build(readTenantFile(join(dir, 'tenant.json'))).tenant.clients.map((c) => c.name)).toEqual(['Acme SPA', 'Acme Web', 'Acme Backend']);
  });

  it('names the file when it cannot be read', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => readTenantFile(missing)).toThrow(ConfigError);
    expect(() => readTenantFile(missing)).toThrow(missing);
  });

  it('names the file when it cannot be parsed', () => {
    writeFileSync(join(dir, 'broken.yaml'), 'clients:\n  - name: "unterminated\n');
    writeFileSync(join(dir, 'broken.json'), '{"clients": [');
    expect(() => readTenantFile(join(dir, 'broken.yaml'))).toThrow(/broken\.yaml[\s\S]*cannot parse/);
    expect(() => readTenantFile(join(dir, 'broken.json'))).toThrow(/broken\.json[\s\S]*cannot parse/);
  });
});

describe('buildTenant: errors name the bad key path', () => {
  it('a wrong type: clients[1].callbacks given as a string', () => {
    const problems = problemsOf({ clients: [{ name: 'A' }, { name: 'B', callbacks: 'http://localhost:3000/callback' }] });
    expect(problems).toEqual([expect.stringMatching(/^clients\[1\]\.callbacks: /)]);
  });

  it('a wrong type and a value out of range: connections[0].options.totp.length', () => {
    expect(problemsOf({ connections: [connection({ options: { totp: { length: 'six' } } })] })).toEqual([
      expect.stringMatching(/^connections\[0\]\.options\.totp\.length: /),
    ]);
    expect(problemsOf({ connections: [connection({ options: { totp: { length: 3 } } })] })).toEqual([
      expect.stringMatching(/^connections\[0\]\.options\.totp\.length: /),
    ]);
  });

  it('a bad time_step: connections[0].options.totp.time_step', () => {
    expect(problemsOf({ connections: [connection({ options: { totp: { time_step: 0 } } })] })).toEqual([
      expect.stringMatching(/^connections\[0\]\.options\.totp\.time_step: /),
    ]);
  });

  it('a user on an unknown connection: users[0].connection', () => {
    const problems = problemsOf({ connections: [connection()], users: [{ connection: 'emial', email: 'jane@example.com' }] });
    expect(problems).toEqual([expect.stringMatching(/^users\[0\]\.connection: .*"emial"/)]);
  });

  it('an unknown client name in enabled_clients is a warning naming it; the connection is enabled for the others', () => {
    const { tenant, warnings } = build({ clients: [{ name: 'Acme SPA', client_id: 'spa', app_type: 'spa' }], connections: [connection({ enabled_clients: ['Acme Mobile', 'Acme SPA'] })] });
    expect(warnings).toEqual([expect.stringMatching(/^connections\[0\]\.enabled_clients: no client named "Acme Mobile" in the export, so the connection "email" is enabled for the others only$/)]);
    expect([...tenant.connections[0]!.enabledClients]).toEqual(['spa']);
  });

  it('what Understudy can run without is a warning with its consequence and remedy, and the rest loads', () => {
    const loaded = build({
      clients: [
        { name: 'Legacy SPA', app_type: 'spa', client_secret: 'exported-secret', jwt_configuration: { alg: 'HS256', lifetime_in_seconds: 600 } },
        { name: 'Web', app_type: 'regular_web', client_secret: 's', jwt_configuration: { alg: 'HS256' } },
      ],
      connections: [connection(), { name: 'google-oauth2', strategy: 'google-oauth2' }],
      databases: [{ name: 'email' }],
      resourceServers: [{ identifier: 'https://api.example', signing_alg: 'HS256' }],
      clientGrants: [{ client_id: 'Gone M2M', audience: 'https://api.example', scope: [] }],
      tenant: { default_audience: 'https://not-an-api.example' },
    });
    expect(loaded.warnings).toEqual([
      'clients[0].client_secret: "Legacy SPA" is a public client (token_endpoint_auth_method none), so its secret is not used: the client authenticates with PKCE alone, as in Auth0',
      expect.stringMatching(/^clients\[0\]\.jwt_configuration\.alg: "HS256" is not emulated; "Legacy SPA" gets RS256 ID tokens, .* set alg: RS256 in an overlay$/),
      expect.stringMatching(/^clients\[1\]\.jwt_configuration\.alg: "HS256" is not emulated/),
      'databases[0].name: "email" is also the name of connections[0], which is loaded; this auth0 connection is left out (Auth0 keeps connection names unique)',
      expect.stringMatching(/^resourceServers\[0\]\.signing_alg: "HS256" is not emulated; access tokens for "https:\/\/api\.example" are RS256/),
      'clientGrants[0].client_id: no client named "Gone M2M" in the export, so no client gets tokens for https://api.example through this grant',
      'tenant.default_audience: no API (resourceServers) with identifier "https://not-an-api.example", so a login that names no audience gets an opaque access token, for /userinfo only',
    ]);
    expect(loaded.tenant.clients.map((c) => [c.name, c.clientSecret])).toEqual([['Legacy SPA', undefined], ['Web', 's']]);
    expect(loaded.tenant.connections.map((c) => [c.name, c.kind])).toEqual([['email', 'passwordless'], ['google-oauth2', 'social']]);
    expect(loaded.tenant.defaultAudience).toBeUndefined();
  });

  it('a duplicate client_id: clients[1].client_id', () => {
    const problems = problemsOf({
      clients: [
        { name: 'One', client_id: 'same-id', app_type: 'spa' },
        { name: 'Two', client_id: 'same-id', app_type: 'spa' },
      ],
    });
    expect(problems).toEqual([expect.stringMatching(/^clients\[1\]\.client_id: .*"same-id"/)]);
  });

  it('a relative callback URL: clients[0].callbacks[1]', () => {
    const problems = problemsOf({ clients: [{ name: 'A', app_type: 'spa', callbacks: ['http://localhost:3000', '/callback'] }] });
    expect(problems).toEqual([expect.stringMatching(/^clients\[0\]\.callbacks\[1\]: .*"\/callback"/)]);
  });

  it('an app_type of the wrong type: clients[0].app_type', () => {
    expect(problemsOf({ clients: [{ name: 'A', app_type: 7 }] })).toEqual([expect.stringMatching(/^clients\[0\]\.app_type: /)]);
  });

  it('an app_type outside Auth0\'s enum (a typo such as "regularweb") is refused, naming the key and the allowed values', () => {
    const problems = problemsOf({ clients: [{ name: 'A', app_type: 'spa' }, { name: 'B', app_type: 'regularweb' }] });
    expect(problems).toEqual([expect.stringMatching(/^clients\[1\]\.app_type: "regularweb" is not an Auth0 app type; allowed: native, spa, regular_web, non_interactive, .*sso_integration/)]);
  });

  it('every app_type of Auth0\'s enum loads; SSO integrations are confidential web apps, spa/native public, non_interactive M2M', () => {
    const types = ['native', 'spa', 'regular_web', 'non_interactive', 'resource_server', 'express_configuration', 'b2b_integration', 'rms', 'box', 'cloudbees', 'concur', 'dropbox', 'mscrm', 'echosign', 'egnyte', 'newrelic', 'office365', 'salesforce', 'sentry', 'sharepoint', 'slack', 'springcm', 'zendesk', 'zoom', 'sso_integration', 'oag'];
    const { tenant, warnings } = buildTenant({ clients: types.map((app_type) => ({ name: app_type, app_type })) }, 'test', 'seed');
    expect(tenant.clients.map((c) => c.appType)).toEqual(types);
    expect(warnings).toEqual([]);
    const byName = (name: string) => tenant.clients.find((c) => c.name === name)!;
    expect(byName('sso_integration').tokenEndpointAuthMethod).toBe('client_secret_post');
    expect(byName('sso_integration').grantTypes).toContain('authorization_code');
    expect(byName('spa').tokenEndpointAuthMethod).toBe('none');
    expect(byName('native').clientSecret).toBeUndefined();
    expect(byName('non_interactive').grantTypes).toEqual(['client_credentials']);
  });

  it('databases from a Deploy CLI export are database connections, with paths under databases[…]', () => {
    const { tenant } = buildTenant(
      { clients: [{ name: 'A' }], databases: [{ name: 'Username-Password-Authentication', enabled_clients: ['A'] }] },
      'test',
      'seed',
    );
    expect(tenant.connections.map((c) => [c.name, c.kind])).toEqual([['Username-Password-Authentication', 'database']]);
    expect(build({ clients: [{ name: 'A' }], databases: [{ name: 'db', enabled_clients: ['B'] }] }).warnings).toEqual([
      expect.stringMatching(/^databases\[0\]\.enabled_clients: no client named "B"/),
    ]);
  });

  it('two seed users with the same identifier on one connection: users[1]', () => {
    const doc = { connections: [connection({ name: 'email', strategy: 'email' })] };
    expect(problemsOf({ ...doc, users: [{ connection: 'email', email: 'a@example.com' }, { connection: 'email', email: 'A@example.com' }] })).toEqual([
      expect.stringMatching(/^users\[1\]: /),
    ]);
  });

  it('an sms user without a usable phone number: users[0].phone_number', () => {
    const doc = { connections: [connection({ name: 'sms', strategy: 'sms' })] };
    expect(problemsOf({ ...doc, users: [{ connection: 'sms', phone_number: 'call me' }] })).toEqual([
      expect.stringMatching(/^users\[0\]\.phone_number: /),
    ]);
    expect(problemsOf({ ...doc, users: [{ connection: 'sms', email: 'jane@example.com' }] })).toEqual([
      expect.stringMatching(/^users\[0\]\.phone_number: /),
    ]);
  });

  it('lists every problem of one kind in a single error whose message names each path', () => {
    let error: unknown;
    try {
      build({ clients: [{ name: 'A', callbacks: 5 }, { name: 'B', web_origins: 'x' }], connections: [connection({ options: { totp: { length: 99 } } })] });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('tenant.yaml');
    for (const path of ['clients[0].callbacks', 'clients[1].web_origins', 'connections[0].options.totp.length']) expect(message).toContain(path);
  });

  it('lists the schema problems and the checks after it in one run, without repeating a problem about a value it refused', () => {
    const problems = problemsOf({
      clients: [{ name: 'A', callbacks: 5 }, { name: 'A', app_type: 'spa' }, { app_type: 'spa', callbacks: ['/relative'] }],
      connections: [connection({ options: { totp: { length: 'six' } }, enabled_clients: ['A'] }), { name: 'db' }],
      users: [{ connection: 'nope', email: 'jane@example.com' }, { email: 'no-connection@example.com' }],
      claims: [{ name: 'sub', value: 1 }],
    });
    expect(problems).toEqual([
      'clients[0].callbacks: must be array, got 5',
      'clients[2]: "name" is required',
      'connections[1]: "strategy" is required',
      'users[1]: "connection" is required',
      'connections[0].options.totp.length: must be integer, got "six"',
      'clients[2].callbacks[0]: must be an absolute URL, got "/relative"',
      'clients[1].name: "A" is used twice',
      'users[0].connection: no connection named "nope"',
      'claims[0].name: "sub" is a reserved claim; use a namespaced name such as https://example.com/sub',
    ]);
  });

  it('still finds a bad key in an export that carries many unknown keys', () => {
    const doc = parseYaml(DEPLOY_CLI_YAML) as { clients: Record<string, unknown>[]; users: Record<string, unknown>[] };
    doc.clients[1]!.callbacks = 'https://app.acme.example/callback';
    doc.users[0]!.connection = 42;
    const problems = problemsOf(doc);
    expect(problems).toContainEqual(expect.stringMatching(/^clients\[1\]\.callbacks: /));
    expect(problems).toContainEqual(expect.stringMatching(/^users\[0\]\.connection: /));
  });

  it('reports every unknown key of a large export, however many there are', () => {
    const clients = Array.from({ length: 30 }, (_, i) => ({ name: `App ${i}`, app_type: 'spa', oidc_conformant: true, sso: false }));
    const loaded = build({ clients });
    expect(loaded.ignoredKeys).toHaveLength(60);
    expect(loaded.ignoredKeys).toContain('clients[29].sso');
  });

  it('unknown keys alone never fail, at any depth', () => {
    const loaded = build({
      rules: [{ name: 'r' }],
      // Read now (verify_email's switch, the links' lifetime); the report names the templates' bodies as not rendered.
      emailTemplates: [{ template: 'welcome_email', enabled: true, body: '<p>Hi</p>' }],
      clients: [{ name: 'A', app_type: 'spa', custom_login_page: '<html>', mobile: { android: {} } }],
      connections: [connection({ is_domain_connection: false, options: { template: 'x', totp: { length: 6, skew: 1 } } })],
      users: [{ connection: 'email', email: 'jane@example.com', identities: [] }],
    });
    expect(loaded.ignoredKeys.sort()).toEqual(
      [
        'rules',
        'clients[0].custom_login_page',
        'clients[0].mobile',
        'connections[0].is_domain_connection',
        // An SMS connection's text: an email connection does not read it.
        'connections[0].options.template',
        'connections[0].options.totp.skew',
        'users[0].identities',
      ].sort(),
    );
    expect(loaded.tenant.clients[0]).not.toHaveProperty('custom_login_page');
  });
});

describe('buildTenant: generated client ids and secrets', () => {
  const doc = { clients: [{ name: 'Acme Web', app_type: 'regular_web' }, { name: 'Acme SPA', app_type: 'spa' }] };

  it('derives a 32-character client_id from the name, the same on every build', () => {
    const first = build(doc).tenant.clients;
    const second = build(structuredClone(doc), 'another-seed').tenant.clients;
    expect(first[0]?.clientId).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(second[0]?.clientId).toBe(first[0]?.clientId);
    expect(second[1]?.clientId).toBe(first[1]?.clientId);
    expect(first[0]?.clientId).not.toBe(first[1]?.clientId);
  });

  it('generates a secret for a confidential client without one, stable for the same seed, and lists it', () => {
    const first = build(doc, 'seed-a');
    const again = build(doc, 'seed-a');
    const otherSeed = build(doc, 'seed-b');
    const web = first.tenant.clients[0]!;
    expect(web.clientSecret).toBeTruthy();
    expect(again.tenant.clients[0]?.clientSecret).toBe(web.clientSecret);
    expect(otherSeed.tenant.clients[0]?.clientSecret).not.toBe(web.clientSecret);
    expect(first.generated).toContain(`client "Acme Web": client_secret ${web.clientSecret}`);
  });

  it('gives a public client no secret and lists only its client_id', () => {
    const loaded = build(doc);
    const spa = loaded.tenant.clients[1]!;
    expect(spa.clientSecret).toBeUndefined();
    expect(loaded.generated.filter((g) => g.startsWith('client "Acme SPA"'))).toEqual([`client "Acme SPA": client_id ${spa.clientId}`]);
  });

  it('generates nothing for clients that carry their own id and secret', () => {
    const loaded = build({ clients: [{ name: 'W', client_id: 'w', client_secret: 's', app_type: 'regular_web' }] });
    expect(loaded.generated).toEqual([]);
    expect(loaded.tenant.clients[0]).toMatchObject({ clientId: 'w', clientSecret: 's' });
  });

  it('refuses two clients with the same name (their derived ids would collide)', () => {
    const problems = problemsOf({ clients: [{ name: 'Twin', app_type: 'spa' }, { name: 'Twin', app_type: 'spa' }] });
    expect(problems).toContainEqual(expect.stringMatching(/^clients\[1\]\.name: /));
  });
});

describe('buildTenant: defaults', () => {
  it('enabled_clients omitted means every client', () => {
    const { tenant } = build({
      clients: [
        { name: 'A', client_id: 'a', app_type: 'spa' },
        { name: 'B', client_id: 'b', app_type: 'spa' },
      ],
      connections: [connection()],
    });
    expect([...tenant.connections[0]!.enabledClients].sort()).toEqual(['a', 'b']);
  });

  it('enabled_clients empty means no client', () => {
    const { tenant } = build({ clients: [{ name: 'A', client_id: 'a', app_type: 'spa' }], connections: [connection({ enabled_clients: [] })] });
    expect([...tenant.connections[0]!.enabledClients]).toEqual([]);
  });

  it('a passwordless connection without options gets 6-digit codes valid for 180 s', () => {
    expect(build({ connections: [connection()] }).tenant.connections[0]).toMatchObject({ otp: { length: 6, timeStepSeconds: 180 }, disableSignup: false });
  });

  it('a client without app_type is a confidential regular web app', () => {
    expect(build({ clients: [{ name: 'A', client_id: 'a', client_secret: 's' }] }).tenant.clients[0]).toMatchObject({
      appType: 'regular_web',
      tokenEndpointAuthMethod: 'client_secret_post',
    });
  });

  it('an empty document is an empty tenant, not an error', () => {
    const loaded = build(null);
    expect(loaded.tenant).toMatchObject({ friendlyName: 'Understudy', clients: [], connections: [], resourceServers: [], users: [] });
    expect(loaded.ignoredKeys).toEqual([]);
  });

  it('store is a known key, left to the server (the tenant model does not carry it)', () => {
    const loaded = build({ store: 'sqlite:state/understudy.db', clients: [{ name: 'A', client_id: 'a', app_type: 'spa' }] });
    expect(loaded.ignoredKeys).toEqual([]);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.tenant).not.toHaveProperty('store');
  });
});
