import { afterEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';
import { CALLBACK, authorizeUrl, exchangeCode, passwordlessLogin, pkcePair, transactionState } from '../support/flows.js';
import { ADMIN_CLIENT, adminGrant, machineToken } from '../support/management.js';
import { writeActionsExport } from '../support/actions-export.js';

/**
 * Logins to an organization over HTTP (docs/research/auth0-organizations.md): /authorize's
 * `organization` names one by id (or by name where the tenant allows it); its members log in and
 * their tokens carry org_id, with the permissions of the roles they hold there and not the tenant's;
 * a non-member is refused unless a connection makes them a member; the client's organization_usage
 * decides whether the parameter may, must or may not be sent; refresh keeps the organization.
 */
const ORDERS = 'https://orders.example.com';
const SPA = 'org-spa';
const READER = 'jane@acme.example';
const OUTSIDER = 'bob@elsewhere.example';

const tenant = (options: { assign?: boolean; names?: boolean; usage?: 'deny' | 'allow' | 'require' } = {}) => ({
  tenant: { friendly_name: 'Harbor', ...(options.names ? { allow_organization_name_in_authentication_api: true } : {}) },
  clients: [
    { name: 'Org SPA', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], grant_types: ['authorization_code', 'refresh_token'], organization_usage: options.usage ?? 'allow' },
    ADMIN_CLIENT,
  ],
  clientGrants: [adminGrant(['read:organizations', 'read:organization_members'])],
  connections: [{ name: 'email', strategy: 'email' }],
  resourceServers: [{ identifier: ORDERS, name: 'Orders', scopes: [{ value: 'read:orders' }, { value: 'write:orders' }], enforce_policies: true, token_dialect: 'access_token_authz' }],
  roles: [
    { name: 'Admin', permissions: ['read:orders', 'write:orders'].map((permission_name) => ({ permission_name, resource_server_identifier: ORDERS })) },
    { name: 'Reader', permissions: [{ permission_name: 'read:orders', resource_server_identifier: ORDERS }] },
  ],
  // Jane is an Admin of the tenant, but only a Reader in Acme.
  users: [{ connection: 'email', email: READER, roles: ['Admin'] }, { connection: 'email', email: OUTSIDER }],
  organizations: [
    {
      name: 'acme',
      display_name: 'Acme Corporation',
      branding: { logo_url: 'https://acme.example/logo.png', colors: { primary: '#ff5500', page_background: '#101820' } },
      metadata: { plan: 'gold' },
      connections: [{ name: 'email', assign_membership_on_login: options.assign ?? false }],
      members: [{ email: READER, roles: ['Reader'] }],
    },
  ],
});

let t: TestApp;
afterEach(async () => t?.app.close());

/** The tenant's administrator reads organizations and their members (its client grant). */
const managementToken = () => machineToken(t.app, t.issuer);
async function acmeId(): Promise<string> {
  const listed = await t.app.inject({ method: 'GET', url: '/api/v2/organizations/name/acme', headers: { authorization: `Bearer ${await managementToken()}` } });
  expect(listed.statusCode, listed.body).toBe(200);
  return (listed.json() as { id: string }).id;
}
const tokensOf = async (callback: URL, verifier: string) => {
  const response = await exchangeCode(t.app, { client_id: SPA, code: callback.searchParams.get('code') ?? '', code_verifier: verifier });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { id_token: string; access_token: string; refresh_token?: string };
};
const login = (identifier: string, params: Record<string, string>) => passwordlessLogin(t.app, { identifier, clientId: SPA, params: { scope: 'openid email offline_access read:orders write:orders', audience: ORDERS, ...params } });
const refused = async (params: Record<string, string>) => {
  const { challenge } = pkcePair();
  const answer = await new Browser(t.app).get(authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: 's1', ...params }));
  const location = new URL(String(answer.headers.location));
  return { error: location.searchParams.get('error'), description: location.searchParams.get('error_description'), state: location.searchParams.get('state') };
};

describe('logins to an organization', () => {
  it("a member's tokens carry org_id and only the permissions of the roles held there", async () => {
    t = await buildTestApp({ tenant: tenant() });
    const org = await acmeId();
    expect(org).toMatch(/^org_[A-Za-z0-9]{16}$/);
    const { callback, verifier } = await login(READER, { organization: org });
    const tokens = await tokensOf(callback, verifier);
    expect(decodeJwt(tokens.id_token)).toMatchObject({ org_id: org, email: READER });
    expect(decodeJwt(tokens.id_token).org_name).toBeUndefined();
    const access = decodeJwt(tokens.access_token);
    expect(access).toMatchObject({ org_id: org, permissions: ['read:orders'] });
    expect(String(access.scope).split(' ')).not.toContain('write:orders');

    // Without the organization, the tenant's roles count again.
    const plain = await login(READER, {});
    expect(decodeJwt((await tokensOf(plain.callback, plain.verifier)).access_token)).toMatchObject({ permissions: ['read:orders', 'write:orders'] });

    // A refresh keeps the organization.
    const refreshed = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'refresh_token', client_id: SPA, refresh_token: tokens.refresh_token } });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(decodeJwt(refreshed.json().access_token as string)).toMatchObject({ org_id: org, permissions: ['read:orders'] });
  });

  it("the login screens wear the organization's logo, colours and name", async () => {
    t = await buildTestApp({ tenant: tenant() });
    const org = await acmeId();
    const browser = new Browser(t.app);
    const { challenge } = pkcePair();
    const started = await browser.get(authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', organization: org }));
    const screen = await browser.get(String(started.headers.location));
    expect(screen.body).toContain('src="https://acme.example/logo.png"');
    expect(screen.body).toContain('--primary: #ff5500');
    expect(screen.body).toContain('Acme Corporation');
    expect(transactionState(String(started.headers.location))).toBeTruthy();
  });

  it('a non-member is refused with Auth0\'s words, unless the connection makes members', async () => {
    t = await buildTestApp({ tenant: tenant() });
    const org = await acmeId();
    const denied = await login(OUTSIDER, { organization: org });
    expect(denied.callback.searchParams.get('error')).toBe('access_denied');
    expect(denied.callback.searchParams.get('error_description')).toMatch(new RegExp(`^user email\\|[0-9a-f]{24} is not part of the ${org} organization$`));
    await t.app.close();

    t = await buildTestApp({ tenant: tenant({ assign: true }) });
    const auto = await acmeId();
    const joined = await login(OUTSIDER, { organization: auto });
    const tokens = await tokensOf(joined.callback, joined.verifier);
    expect(decodeJwt(tokens.id_token)).toMatchObject({ org_id: auto });
    // Now a member, with no roles there: no permissions.
    expect(decodeJwt(tokens.access_token).permissions).toEqual([]);
    const members = await t.app.inject({ method: 'GET', url: `/api/v2/organizations/${auto}/members`, headers: { authorization: `Bearer ${await managementToken()}` } });
    expect((members.json() as { email: string }[]).map((m) => m.email)).toEqual([READER, OUTSIDER]);
  });

  it('organization_usage, unknown organizations and names follow Auth0', async () => {
    t = await buildTestApp({ tenant: tenant({ usage: 'deny' }) });
    expect(await refused({ organization: 'org_anything' })).toEqual({ error: 'invalid_request', description: 'parameter organization is not allowed for this client', state: 's1' });
    await t.app.close();

    t = await buildTestApp({ tenant: tenant({ usage: 'require' }) });
    expect(await refused({})).toEqual({ error: 'invalid_request', description: 'parameter organization is required for this client', state: 's1' });
    expect(await refused({ organization: 'org_unknown0000000000' })).toEqual({ error: 'invalid_request', description: 'parameter organization is invalid: org_unknown0000000000', state: 's1' });
    expect(await refused({ organization: 'acme' })).toEqual({ error: 'invalid_request', description: 'authorization request parameter organization must be an organization id', state: 's1' });
    await t.app.close();

    // With allow_organization_name_in_authentication_api: the name works, and tokens carry org_name.
    t = await buildTestApp({ tenant: tenant({ names: true }) });
    const { callback, verifier } = await login(READER, { organization: 'ACME' });
    expect(decodeJwt((await tokensOf(callback, verifier)).id_token)).toMatchObject({ org_id: await acmeId(), org_name: 'acme' });
  });

  it('a post-login Action reads event.organization and sets a claim from it', async () => {
    const exported = writeActionsExport({
      actions: [
        {
          name: 'Org claim',
          trigger: 'post-login',
          code: `exports.onExecutePostLogin = async (event, api) => {
  if (event.organization) api.idToken.setCustomClaim('https://harbor.example/org', event.organization.display_name + ' (' + event.organization.metadata.plan + ')');
  api.idToken.setCustomClaim('https://harbor.example/roles', event.authorization.roles);
};`,
        },
      ],
    });
    try {
      const base = tenant();
      t = await buildTestApp({ tenant: { ...(exported.read() as Record<string, unknown>), ...base, tenant: base.tenant }, tenantSource: exported.dir });
      const org = await acmeId();
      const { callback, verifier } = await login(READER, { organization: org });
      expect(decodeJwt((await tokensOf(callback, verifier)).id_token)).toMatchObject({ 'https://harbor.example/org': 'Acme Corporation (gold)', 'https://harbor.example/roles': ['Reader'] });
    } finally {
      exported.remove();
    }
  });

  it('the dev plane lists each organization with its members and their roles there, for the mailbox page', async () => {
    t = await buildTestApp({ tenant: tenant() });
    const org = await acmeId();
    const listed = await t.app.inject('/_dev/api/organizations');
    expect(listed.json()).toEqual({
      organizations: [{ id: org, name: 'acme', display_name: 'Acme Corporation', connections: ['email'], members: [{ user_id: expect.stringMatching(/^email\|/), email: READER, roles: ['Reader'] }] }],
    });
    expect((await t.app.inject('/_dev/mailbox')).body).toContain('id="organizations-heading"');
  });
});
