import { afterEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { token } from '../support/api.js';

/**
 * client_credentials with an organization (docs/research/auth0-organizations.md §7.2): the client
 * grant's organization_usage decides whether `organization` may or must be sent; the organization
 * must have the grant assigned (its `client_grants`) unless the grant allows any; the token names it.
 */
const API = 'https://reports.example';
const tenant = (grant: Record<string, unknown>) => ({
  clients: [
    { name: 'Reports Job', client_id: 'reports-job', client_secret: 'reports-job-secret', app_type: 'non_interactive' },
    { name: 'Other Job', client_id: 'other-job', client_secret: 'other-job-secret', app_type: 'non_interactive' },
  ],
  resourceServers: [{ identifier: API, name: 'Reports', scopes: [{ value: 'read:reports' }] }],
  clientGrants: [
    { client_id: 'Reports Job', audience: API, scope: ['read:reports'], ...grant },
    { client_id: 'Other Job', audience: API, scope: ['read:reports'], ...grant },
  ],
  connections: [{ name: 'email', strategy: 'email' }],
  organizations: [{ name: 'acme', id: 'org_AcmeAcmeAcme1234', connections: [{ name: 'email' }], client_grants: [{ client_id: 'Reports Job' }] }],
});

let t: TestApp;
afterEach(async () => t?.app.close());
const machine = (client: string, extra: Record<string, string> = {}) => token(t.app, { grant_type: 'client_credentials', client_id: client, client_secret: `${client}-secret`, audience: API, ...extra });

describe('machine-to-machine tokens for an organization', () => {
  it('allow: the token names the organization the grant is assigned to; another organization is refused', async () => {
    t = await buildTestApp({ tenant: tenant({ organization_usage: 'allow' }) });
    const named = await machine('reports-job', { organization: 'org_AcmeAcmeAcme1234' });
    expect(named.statusCode, named.body).toBe(200);
    expect(decodeJwt(named.json().access_token as string)).toMatchObject({ org_id: 'org_AcmeAcmeAcme1234', sub: 'reports-job@clients', gty: 'client-credentials' });
    expect(decodeJwt((await machine('reports-job')).json().access_token as string).org_id).toBeUndefined();
    const unassigned = await machine('other-job', { organization: 'org_AcmeAcmeAcme1234' });
    expect(unassigned.statusCode).toBe(403);
    expect(unassigned.json()).toMatchObject({ error: 'access_denied' });
    const unknown = await machine('reports-job', { organization: 'org_nobodynobody12' });
    expect(unknown.json()).toEqual({ error: 'invalid_request', error_description: 'parameter organization is invalid: org_nobodynobody12' });
  });

  it('deny (the default) refuses the parameter; require needs it; allow_any_organization skips the assignment', async () => {
    t = await buildTestApp({ tenant: tenant({}) });
    expect((await machine('reports-job', { organization: 'org_AcmeAcmeAcme1234' })).json()).toMatchObject({ error: 'invalid_request' });
    await t.app.close();
    t = await buildTestApp({ tenant: tenant({ organization_usage: 'require', allow_any_organization: true }) });
    expect((await machine('other-job')).json()).toMatchObject({ error: 'invalid_request' });
    expect(decodeJwt((await machine('other-job', { organization: 'org_AcmeAcmeAcme1234' })).json().access_token as string)).toMatchObject({ org_id: 'org_AcmeAcmeAcme1234' });
  });
});
