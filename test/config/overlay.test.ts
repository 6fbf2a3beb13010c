import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { applyOverlay } from '../../src/config/overlay.js';
import { buildTenant } from '../../src/config/tenant-file.js';
import { configProblems } from '../support/config-problems.js';

/**
 * The overlay (--overlay): tenant-file keys merged onto an untouched export, entries matched by name
 * (identifier for resource servers). It pins client ids and secrets, adds users, switches things off,
 * and names any entry that matches nothing.
 */
const EXPORT = parseYaml(`
tenant:
  friendly_name: Acme
clients:
  - name: Acme SPA
    app_type: spa
    callbacks: ['http://localhost:3000/callback']
  - name: Acme API Client
    app_type: non_interactive
connections:
  - name: email
    strategy: email
    options:
      totp: { length: 6, time_step: 180 }
databases:
  - name: Username-Password-Authentication
    options: { brute_force_protection: true }
resourceServers:
  - identifier: https://api.acme.example
    name: Acme API
    scopes: [{ value: read:things }]
users:
  - connection: email
    email: exported@example.com
`);

describe('applyOverlay', () => {
  it('pins client ids and secrets by name, merges options key by key, adds users, and leaves the export as it was', () => {
    const before = structuredClone(EXPORT);
    const merged = applyOverlay(EXPORT, parseYaml(`
clients:
  - name: Acme SPA
    client_id: 9f3cRealSpaClientId
  - name: Acme API Client
    client_id: realM2mId
    client_secret: real-m2m-secret
connections:
  - name: email
    options: { totp: { length: 8 } }
  - name: Username-Password-Authentication
    options: { brute_force_protection: false }
resourceServers:
  - identifier: https://api.acme.example
    token_lifetime: 600
users:
  - connection: email
    email: overlay@example.com
tenant:
  friendly_name: Acme (offline)
`), 'overlay.yaml');
    expect(EXPORT).toEqual(before);
    const { tenant, generated } = buildTenant(merged, 'export + overlay', 'seed');
    expect(tenant.clients.map((c) => [c.name, c.clientId, c.clientSecret])).toEqual([
      ['Acme SPA', '9f3cRealSpaClientId', undefined],
      ['Acme API Client', 'realM2mId', 'real-m2m-secret'],
    ]);
    expect(generated).toEqual([]);
    expect(tenant.friendlyName).toBe('Acme (offline)');
    expect(tenant.connections.find((c) => c.name === 'email')?.otp).toEqual({ length: 8, timeStepSeconds: 180 });
    expect(tenant.connections.find((c) => c.name === 'Username-Password-Authentication')?.bruteForceProtection).toBe(false);
    expect(tenant.resourceServers[0]?.tokenLifetime).toBe(600);
    expect(tenant.users.map((u) => u.email)).toEqual(['exported@example.com', 'overlay@example.com']);
  });

  it('names every overlay entry that matches nothing in the export, and one without its name', () => {
    const problems = configProblems(() =>
      applyOverlay(EXPORT, { clients: [{ name: 'Acme Spa', client_id: 'x' }, { client_id: 'y' }], resourceServers: [{ identifier: 'https://other.example' }], roles: [{ name: 'Admin' }] }, 'overlay.yaml'),
    );
    expect(problems).toEqual([
      'clients[0].name: "Acme Spa" matches no client in the export',
      'clients[1].name: required, to find the entry of the export it changes',
      'resourceServers[0].identifier: "https://other.example" matches no resource server in the export',
      'roles[0].name: "Admin" matches no role in the export',
    ]);
  });

  it('switches a feature off by replacing a value: rate_limits false, an action not deployed', () => {
    const merged = applyOverlay({ ...EXPORT, actions: [{ name: 'Add roles', deployed: true, secrets: [{ name: 'DOMAIN', value: 'acme.eu.auth0.com' }] }] }, { rate_limits: false, actions: [{ name: 'Add roles', deployed: false }] }, 'overlay.yaml') as Record<string, unknown>;
    expect(merged.rate_limits).toBe(false);
    expect(merged.actions).toEqual([{ name: 'Add roles', deployed: false, secrets: [{ name: 'DOMAIN', value: 'acme.eu.auth0.com' }] }]);
    expect(buildTenant(merged, 'x', 'seed').tenant.rateLimits).toMatchObject({ passwordlessStart: false, oauthToken: false });
  });
});
