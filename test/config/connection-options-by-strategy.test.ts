import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { buildTenant } from '../../src/config/tenant-file.js';

/**
 * Every strategy Auth0's Management API lists, with every options key it documents, each carrying a
 * value of every JSON type: start-up must never fail on a key Understudy does not read.
 *
 * The strategies and their keys come from node-auth0 (the `auth0` package, pinned in package.json),
 * read with the TypeScript compiler: each `CreateConnectionRequestContent<Strategy>` interface of its
 * Management API types gives a `strategy` literal and its `options` type, whose properties (inherited
 * ones included) are the documented keys (docs/research/auth0-connection-options.md).
 *
 * What Understudy reads is the README's contract (The tenant file, Your tenant's Deploy CLI export):
 * a failure may name only those keys, for the strategies that read them.
 */
const READ: Record<string, readonly string[]> = {
  email: ['email', 'totp', 'disable_signup', 'brute_force_protection'],
  sms: ['template', 'syntax', 'from', 'totp', 'disable_signup', 'brute_force_protection'],
  auth0: ['disable_signup', 'brute_force_protection', 'requires_username', 'validation', 'passwordPolicy', 'password_complexity_options', 'password_no_personal_info', 'password_dictionary', 'password_history', 'authentication_methods'],
};
// Home-realm discovery reads the enterprise strategies' domains.
for (const strategy of ['ad', 'adfs', 'auth0-adldap', 'auth0-oidc', 'google-apps', 'ip', 'office365', 'oidc', 'okta', 'pingfederate', 'samlp', 'sharepoint', 'waad']) {
  READ[strategy] = ['domain_aliases', 'tenant_domain'];
}

function documentedOptions(): Map<string, string[]> {
  const root = dirname(createRequire(import.meta.url).resolve('auth0/package.json'));
  const file = join(root, 'dist/esm/management/api/types/types.d.mts');
  const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022 });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`node-auth0's Management API types are not at ${file}`);
  const out = new Map<string, string[]>();
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement) || !statement.name.text.startsWith('CreateConnectionRequestContent')) continue;
    const type = checker.getTypeAtLocation(statement.name);
    const strategy = type.getProperty('strategy');
    const options = type.getProperty('options');
    if (!strategy || !options) continue;
    const strategyType = checker.getTypeOfSymbolAtLocation(strategy, statement);
    const literals = (strategyType.isUnion() ? strategyType.types : [strategyType]).filter((t) => t.isStringLiteral()).map((t) => (t as ts.StringLiteralType).value);
    const optionsType = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(options, statement));
    const keys = checker.getPropertiesOfType(optionsType).map((p) => p.name);
    for (const literal of literals) out.set(literal, keys);
  }
  return out;
}

const strategies = documentedOptions();

/** Every JSON type, and the shapes a YAML file gives them. `null` and `""` are exports' "not set". */
const VALUES: [string, unknown][] = [
  ['true', true],
  ['false', false],
  ['0', 0],
  ['-1.5', -1.5],
  ['a string', 'some text'],
  ['a URL', 'https://idp.example/'],
  ['an empty list', []],
  ['a mixed list', [1, 'two', { three: 3 }, [4]]],
  ['an empty object', {}],
  ['an object', { enabled: true, nested: { deeper: ['x'] } }],
  ['null', null],
  ['""', ''],
];

function tenantWith(value: unknown): unknown {
  const connections = [...strategies].map(([strategy, keys]) => ({
    name: `c-${strategy}`,
    strategy,
    enabled_clients: ['App'],
    options: Object.fromEntries(keys.map((key) => [key, structuredClone(value)])),
  }));
  return { clients: [{ name: 'App', app_type: 'spa', callbacks: ['http://localhost:3000/callback'] }], connections };
}

function problemsOf(raw: unknown): string[] {
  try {
    buildTenant(raw, 'all-strategies.yaml', 'seed');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe("connection options, read per strategy (node-auth0's Management API types)", () => {
  it('finds the strategies and options node-auth0 documents', () => {
    // Sanity: the extraction found the list (55 strategies in auth0 7.1.0), not an empty map.
    expect(strategies.size).toBeGreaterThanOrEqual(50);
    expect(strategies.get('google-oauth2')).toContain('email');
    expect(strategies.get('email')).toEqual(expect.arrayContaining(['email', 'totp']));
    expect(strategies.get('auth0')).toEqual(expect.arrayContaining(['requires_username', 'passwordPolicy']));
    expect(strategies.get('samlp')).toContain('domain_aliases');
  });

  it.each(VALUES)('every documented key of every strategy set to %s: only keys Understudy reads can fail', (_name, value) => {
    const names = [...strategies.keys()];
    for (const problem of problemsOf(tenantWith(value))) {
      const match = /^connections\[(\d+)\]\.options\.([^.[:]+)/.exec(problem);
      expect(match, problem).not.toBeNull();
      const strategy = names[Number(match![1])]!;
      expect(READ[strategy] ?? [], `${strategy}: ${problem}`).toContain(match![2]);
    }
  });

  it('keys Understudy does not read never fail, whatever their type, on any strategy', () => {
    for (const [, value] of VALUES) {
      const raw = tenantWith(value) as { connections: { strategy: string; options: Record<string, unknown> }[] };
      for (const connection of raw.connections) {
        for (const key of READ[connection.strategy] ?? []) delete connection.options[key];
      }
      expect(problemsOf(raw)).toEqual([]);
    }
  });

  it("a social connection's options.email: true (request the email attribute) loads, and a passwordless one's is still its email", () => {
    const loaded = buildTenant(
      {
        clients: [{ name: 'App', app_type: 'spa' }],
        connections: [
          { name: 'google-oauth2', strategy: 'google-oauth2', options: { email: true, profile: true, scope: ['email', 'profile'] } },
          { name: 'github', strategy: 'github', options: { email: false, follow: false } },
          { name: 'email', strategy: 'email', options: { email: { from: 'a@b.example', subject: 'Code', body: '<p>{{ code }}</p>', syntax: 'liquid' } } },
        ],
      },
      'export',
      'seed',
    );
    expect(loaded.tenant.connections.map((c) => c.name)).toEqual(['google-oauth2', 'github', 'email']);
    expect(loaded.tenant.connections[2]!.messageTemplates?.email?.subject).toBe('Code');
    expect(loaded.ignoredKeys).toEqual(expect.arrayContaining(['connections[0].options.email', 'connections[1].options.email']));
  });

  it('a key Understudy reads with a wrong type still stops start-up, naming the key, the reason and the value', () => {
    expect(problemsOf({ connections: [{ name: 'email', strategy: 'email', options: { email: true } }] })).toEqual(['connections[0].options.email: must be object, got true']);
    expect(problemsOf({ databases: [{ name: 'db', options: { requires_username: 'yes' } }] })).toEqual(['databases[0].options.requires_username: must be boolean, got "yes"']);
  });
});
