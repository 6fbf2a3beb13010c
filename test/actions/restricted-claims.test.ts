import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA, latestMessage } from '../support/flows.js';
import { OTP_GRANT, post, token } from '../support/api.js';
import { writeActionsExport, type WrittenExport } from '../support/actions-export.js';

/**
 * Custom claims as Auth0 takes them ("Create custom claims"): a restricted name (`act`, `cnf`,
 * `org_id`…), a name in Auth0's own namespaces (urn:auth0, auth0.com, webtask.io, webtask.run), a
 * non-namespaced claim on an access token for Auth0's own Management API, and anything past the
 * 100 KB total are skipped without failing the login; the rest go into the tokens.
 */
const API = 'https://cargo.example.com/';
const CODE = `
exports.onExecutePostLogin = async (event, api) => {
  for (const name of ['act', 'cnf', 'org_id', 'client_id', 'typ', 'urn:auth0:tenant', 'https://auth0.com/claims/x', 'https://acme.webtask.run/y', 'https://example.com/kept', 'favourite_colour']) {
    api.idToken.setCustomClaim(name, 'set by an action');
    api.accessToken.setCustomClaim(name, 'set by an action');
  }
  api.idToken.setCustomClaim('https://example.com/big', 'x'.repeat(120 * 1024));
};`;

let t: TestApp;
let exported: WrittenExport;
beforeAll(async () => {
  exported = writeActionsExport({
    actions: [{ name: 'Claims', trigger: 'post-login', code: CODE }],
    clients: [{ name: 'SPA', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], grant_types: ['authorization_code', OTP_GRANT] }],
    connections: [{ name: 'email', strategy: 'email', enabled_clients: ['SPA'] }],
    resourceServers: [{ identifier: API, name: 'Cargo', scopes: [] }],
  });
  t = await buildTestApp({ tenant: exported.read(), tenantSource: exported.dir });
});
afterAll(async () => {
  await t.app.close();
  exported.remove();
});

async function tokens(email: string, audience: string): Promise<{ id: Record<string, unknown>; access: Record<string, unknown> }> {
  await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', send: 'code', email });
  const { code } = await latestMessage(t.app, email);
  const granted = await token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: email, otp: code, scope: 'openid', audience });
  expect(granted.statusCode, granted.body).toBe(200);
  return { id: decodeJwt(granted.json().id_token), access: decodeJwt(granted.json().access_token) };
}

const skipped = ['act', 'cnf', 'org_id', 'client_id', 'typ', 'urn:auth0:tenant', 'https://auth0.com/claims/x', 'https://acme.webtask.run/y'];

describe('custom claims an Action sets', () => {
  it("skips Auth0's restricted names and namespaces, and a claim past the 100 KB total, without failing the login", async () => {
    const { id, access } = await tokens('ada@example.com', API);
    for (const name of skipped) {
      expect(id[name], name).not.toBe('set by an action');
      expect(access[name], name).not.toBe('set by an action');
    }
    expect(id['https://example.com/kept']).toBe('set by an action');
    expect(id.favourite_colour).toBe('set by an action');
    expect(access.favourite_colour).toBe('set by an action');
    expect(id['https://example.com/big']).toBeUndefined();
  });

  it('on an access token for the Management API, keeps only namespaced claims', async () => {
    const { access } = await tokens('grace@example.com', `${t.issuer}api/v2/`);
    expect(access['https://example.com/kept']).toBe('set by an action');
    expect(access.favourite_colour).toBeUndefined();
  });
});
