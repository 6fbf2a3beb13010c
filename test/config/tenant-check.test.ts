import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Code } from 'typebox/compile';
import { Value } from 'typebox/value';
import { TenantFileSchema } from '../../src/config/tenant-schema.js';
import { defaultTenant } from '../../src/config/default-tenant.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { tenantCheckSource } from '../../scripts/emit-tenant-check.mjs';

/**
 * The build compiles the tenant-file schema to a standalone check (scripts/emit-tenant-check.mjs), and
 * start-up trusts a file that check accepts without loading TypeBox. So it must never accept what
 * TypeBox refuses, and what it accepts must be what TypeBox would have left after dropping unknown keys.
 */
const dir = mkdtempSync(join(tmpdir(), 'tenant-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function compiledCheck(): (value: unknown) => boolean {
  const file = join(dir, 'tenant-check.cjs');
  writeFileSync(file, (tenantCheckSource as (schema: unknown, code: unknown) => string)(TenantFileSchema, Code));
  return (createRequire(import.meta.url)(file) as { Check(value: unknown): boolean }).Check;
}

const example = parseYaml(readFileSync(new URL('../../docker/tenant.example.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;

/** A rich valid tenant, then one mutation at a time: wrong types, bad values, unknown keys, at each level. */
function samples(): [string, unknown][] {
  const rich = {
    ...structuredClone(example),
    tenant: { friendly_name: 'Acme', session_lifetime: 72, idle_session_lifetime: 12, allowed_logout_urls: ['http://localhost:3000'] },
    branding: { logo_url: 'https://acme.example/logo.png', colors: { primary: '#0059d6', page_background: '#000' } },
    resourceServers: [{ identifier: 'https://api.example', name: 'API', scopes: [{ value: 'read:x', description: 'x' }], token_lifetime: 600 }],
    users: [{ connection: 'email', email: 'jane@example.com', app_metadata: { roles: ['admin'] } }],
    clientGrants: [{ client_id: 'understudy-web', audience: 'https://api.example', scope: ['read:x'] }],
    claims: [{ name: 'https://acme.example/roles', from: 'app_metadata.roles' }],
    dev: { fixed_codes: [{ match: '*@example.com', code: '123456' }] },
  };
  const out: [string, unknown][] = [
    ['the embedded default tenant', defaultTenant],
    ['docker/tenant.example.yaml', example],
    ['a rich tenant', rich],
    ['an empty object', {}],
    ['null', null],
    ['an array', []],
  ];
  const mutate = (name: string, change: (t: typeof rich & Record<string, unknown>) => void): void => {
    const copy = structuredClone(rich) as typeof rich & Record<string, unknown>;
    change(copy);
    out.push([name, copy]);
  };
  mutate('unknown top-level key', (t) => { t.rules = []; });
  mutate('unknown key in tenant', (t) => { (t.tenant as Record<string, unknown>).enabled_locales = ['en']; });
  mutate('unknown key in a client', (t) => { ((t.clients as Record<string, unknown>[])[0] as Record<string, unknown>).oidc_conformant = true; });
  mutate('unknown key in a resource server scope', (t) => { (t.resourceServers[0]!.scopes[0] as Record<string, unknown>).extra = 1; });
  mutate('clients not an array', (t) => { (t as Record<string, unknown>).clients = 'nope'; });
  mutate('client without a name', (t) => { delete ((t.clients as Record<string, unknown>[])[0] as Record<string, unknown>).name; });
  mutate('bad app_type type', (t) => { ((t.clients as Record<string, unknown>[])[0] as Record<string, unknown>).app_type = 7; });
  mutate('bad colour', (t) => { t.branding.colors.primary = 'blue'; });
  mutate('negative session lifetime', (t) => { t.tenant.session_lifetime = -1; });
  mutate('token_lifetime not an integer', (t) => { t.resourceServers[0]!.token_lifetime = 1.5; });
  mutate('empty scope value', (t) => { t.resourceServers[0]!.scopes[0]!.value = ''; });
  mutate('fixed code with letters', (t) => { t.dev.fixed_codes[0]!.code = '12ab56'; });
  mutate('claim from outside metadata', (t) => { t.claims[0]!.from = 'password_hash'; });
  mutate('user without connection', (t) => { delete (t.users[0] as Record<string, unknown>).connection; });
  mutate('metadata not an object', (t) => { (t.users[0] as Record<string, unknown>).app_metadata = 'x'; });
  mutate('unicode friendly name', (t) => { t.tenant.friendly_name = 'Åcme 🎭'; });
  mutate('a store key', (t) => { t.store = 'sqlite:state/understudy.db'; });
  return out;
}

describe('the compiled tenant check (start-up without TypeBox)', () => {
  const check = compiledCheck();

  it.each(samples())('agrees with TypeBox on %s', (_name, value) => {
    expect(check(value)).toBe(Value.Check(TenantFileSchema, value));
  });

  it('accepts only files TypeBox would leave unchanged (no unknown keys to drop)', () => {
    for (const [name, value] of samples()) {
      if (!check(value)) continue;
      expect(Value.Clean(TenantFileSchema, structuredClone(value)), name).toEqual(value);
    }
  });

  it('accepts the common files, so they start without TypeBox', () => {
    expect(check(defaultTenant)).toBe(true);
    expect(check(example)).toBe(true);
    expect(check({ ...example, store: 'sqlite:state/understudy.db' })).toBe(true);
    expect(check({ ...example, store: 'redis://localhost:6379/0' })).toBe(true);
  });
});
