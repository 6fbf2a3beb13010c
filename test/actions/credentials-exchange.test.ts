import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { verifyJwt } from '../support/screens.js';
import { errorOf, token } from '../support/api.js';
import { writeActionsExport, type WrittenExport } from '../support/actions-export.js';

/**
 * credentials-exchange Actions on client_credentials: the tenant's code adds claims to the M2M
 * token, reads the client, the API and the requested scopes, and may refuse with Auth0's codes.
 */
const API = 'https://api.example.com/';
const CODE = `
exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.client.metadata.blocked === 'yes') return api.access.deny('invalid_request', 'This machine is retired');
  if (event.transaction.requested_scopes.includes('write:things')) return api.access.deny('invalid_scope', 'write:things is not for machines');
  api.accessToken.setCustomClaim('https://example.com/machine', event.client.name);
  api.accessToken.setCustomClaim('https://example.com/api', event.resource_server.identifier);
  api.accessToken.setCustomClaim('https://example.com/tenant', event.tenant.id);
  api.accessToken.setCustomClaim('https://example.com/secret', event.secrets.SIGNING_HINT);
  // Restricted: Auth0 leaves these as they are.
  api.accessToken.setCustomClaim('sub', 'someone-else');
  api.accessToken.setCustomClaim('permissions', ['everything']);
};`;

describe('credentials-exchange Actions', () => {
  let t: TestApp;
  let exported: WrittenExport;
  beforeAll(async () => {
    exported = writeActionsExport({
      actions: [{ name: 'Tag machines', trigger: 'credentials-exchange', code: CODE, secrets: [{ name: 'SIGNING_HINT', value: 'hint-1' }] }],
      clients: [
        { name: 'Machine', client_id: 'm2m', client_secret: 'm2m-secret', app_type: 'non_interactive' },
        { name: 'Retired', client_id: 'retired', client_secret: 'retired-secret', app_type: 'non_interactive', client_metadata: { blocked: 'yes' } },
      ],
      resourceServers: [{ identifier: API, name: 'Things', scopes: [{ value: 'read:things' }, { value: 'write:things' }] }],
    });
    t = await buildTestApp({ tenant: exported.read(), tenantSource: exported.dir, issuer: 'http://harbor.understudy.test/' });
  });
  afterAll(async () => {
    await t.app.close();
    exported.remove();
  });

  it('adds the claims an action sets to the M2M token, and leaves restricted claims alone', async () => {
    const response = await token(t.app, { grant_type: 'client_credentials', client_id: 'm2m', client_secret: 'm2m-secret', audience: API, scope: 'read:things' });
    expect(response.statusCode, response.body).toBe(200);
    const claims = await verifyJwt(t.app, response.json().access_token, t.issuer, t.clock.now(), API);
    expect(claims).toMatchObject({
      'https://example.com/machine': 'Machine',
      'https://example.com/api': API,
      'https://example.com/tenant': 'harbor',
      'https://example.com/secret': 'hint-1',
      sub: 'm2m@clients',
      scope: 'read:things',
    });
    expect(claims.permissions).toBeUndefined();
  });

  it('refuses with the code the action chose: invalid_scope and invalid_request are 400', async () => {
    const scoped = await token(t.app, { grant_type: 'client_credentials', client_id: 'm2m', client_secret: 'm2m-secret', audience: API, scope: 'write:things' });
    expect(errorOf(scoped)).toEqual({ status: 400, body: { error: 'invalid_scope', error_description: 'write:things is not for machines' } });
    const retired = await token(t.app, { grant_type: 'client_credentials', client_id: 'retired', client_secret: 'retired-secret', audience: API });
    expect(errorOf(retired)).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'This machine is retired' } });
  });
});
