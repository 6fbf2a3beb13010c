import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../support/app.js';
import { token } from '../support/api.js';
import type { Passkey } from '../../src/store/records.js';

/**
 * Where a user's passkeys show outside the screens: the Management API's authentication methods
 * (type "passkey") and the dev API the mailbox page uses. The passkeys are put in the store directly;
 * test/clients/passkeys.test.ts makes real ones in Chromium.
 */
const DB = 'Username-Password-Authentication';
const tenant = {
  prompts: { webauthn_platform_first_factor: true },
  clients: [
    { name: 'Admin', client_id: 'admin', client_secret: 'admin-secret', app_type: 'non_interactive' },
    { name: 'Reader', client_id: 'reader', client_secret: 'reader-secret', app_type: 'non_interactive' },
  ],
  clientGrants: [
    { client_id: 'admin', audience: 'https://acme.eu.auth0.com/api/v2/', scope: ['read:users', 'delete:users', 'read:authentication_methods', 'delete:authentication_methods'] },
    { client_id: 'reader', audience: 'https://acme.eu.auth0.com/api/v2/', scope: ['read:users'] },
  ],
  connections: [{ name: DB, strategy: 'auth0' }],
  users: [
    { connection: DB, email: 'dana@example.com', user_id: 'auth0|dana-1', password: 'correct horse battery' },
    { connection: DB, email: 'fox@example.com', user_id: 'auth0|fox-1', password: 'trust no one' },
  ],
};

const passkey = (overrides: Partial<Passkey>): Passkey => ({
  id: 'cred-dana-1',
  userId: 'auth0|dana-1',
  publicKey: 'pQECAyYgASFYIA',
  counter: 3,
  transports: ['internal', 'hybrid'],
  deviceType: 'multiDevice',
  backedUp: true,
  aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
  createdAt: '2026-06-01T12:00:00.000Z',
  lastUsedAt: '2026-06-01T12:30:00.000Z',
  ...overrides,
});

describe('passkeys outside the screens', () => {
  let t: TestApp;
  let bearer: string;
  beforeEach(async () => {
    t = await buildTestApp({ tenant });
    await t.app.deps.store.savePasskey(passkey({}));
    await t.app.deps.store.savePasskey(passkey({ id: 'cred-dana-2', deviceType: 'singleDevice', backedUp: false, lastUsedAt: undefined, transports: ['internal'] }));
    await t.app.deps.store.savePasskey(passkey({ id: 'cred-fox-1', userId: 'auth0|fox-1' }));
    bearer = await mgmtToken('admin', 'admin-secret');
  });
  afterEach(() => t.app.close());

  async function mgmtToken(clientId: string, secret: string): Promise<string> {
    const response = await token(t.app, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience: `${t.issuer}api/v2/` });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().access_token;
  }
  const api = (method: 'GET' | 'DELETE', url: string, auth = bearer): Promise<LightMyRequestResponse> =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${auth}` } });

  it('GET /api/v2/users/{id}/authentication-methods lists the user\'s passkeys as type "passkey"', async () => {
    const response = await api('GET', `/api/v2/users/${encodeURIComponent('auth0|dana-1')}/authentication-methods`);
    expect(response.statusCode, response.body).toBe(200);
    const methods = response.json();
    expect(methods).toEqual([
      {
        id: 'passkey|cred-dana-1',
        type: 'passkey',
        created_at: '2026-06-01T12:00:00.000Z',
        last_auth_at: '2026-06-01T12:30:00.000Z',
        identity_user_id: 'dana-1',
        key_id: 'cred-dana-1',
        public_key: 'pQECAyYgASFYIA',
        transports: ['internal', 'hybrid'],
        credential_device_type: 'multi_device',
        credential_backed_up: true,
        aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
        relying_party_identifier: 'understudy.test',
      },
      expect.objectContaining({ id: 'passkey|cred-dana-2', credential_device_type: 'single_device', credential_backed_up: false }),
    ]);
    expect(methods[1]).not.toHaveProperty('last_auth_at');

    const totals = await api('GET', `/api/v2/users/${encodeURIComponent('auth0|dana-1')}/authentication-methods?include_totals=true&per_page=1`);
    expect(totals.json()).toMatchObject({ start: 0, limit: 1, total: 2, authenticators: [{ id: 'passkey|cred-dana-1' }] });
  });

  it('needs read:authentication_methods, and an unknown user is a 404', async () => {
    const reader = await mgmtToken('reader', 'reader-secret');
    const refused = await api('GET', `/api/v2/users/${encodeURIComponent('auth0|dana-1')}/authentication-methods`, reader);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ statusCode: 403, errorCode: 'insufficient_scope' });
    expect((await api('GET', '/api/v2/users/auth0%7Cnobody/authentication-methods')).statusCode).toBe(404);
  });

  it('DELETE /api/v2/users/{id}/authentication-methods/{id} removes the passkey, only from its own user', async () => {
    const other = await api('DELETE', `/api/v2/users/${encodeURIComponent('auth0|fox-1')}/authentication-methods/${encodeURIComponent('passkey|cred-dana-1')}`);
    expect(other.statusCode).toBe(404);
    const deleted = await api('DELETE', `/api/v2/users/${encodeURIComponent('auth0|dana-1')}/authentication-methods/${encodeURIComponent('passkey|cred-dana-1')}`);
    expect(deleted.statusCode).toBe(204);
    expect((await t.app.deps.store.listPasskeys('auth0|dana-1')).map((p) => p.id)).toEqual(['cred-dana-2']);
  });

  it('the dev API lists passkeys with their user and deletes one; an unknown id is a 404', async () => {
    const listed = await t.app.inject({ method: 'GET', url: '/_dev/api/passkeys' });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().passkeys.map((p: { id: string; email: string }) => [p.id, p.email])).toEqual([
      ['cred-dana-1', 'dana@example.com'],
      ['cred-dana-2', 'dana@example.com'],
      ['cred-fox-1', 'fox@example.com'],
    ]);
    const fox = await t.app.inject({ method: 'GET', url: `/_dev/api/passkeys?user_id=${encodeURIComponent('auth0|fox-1')}` });
    expect(fox.json().passkeys).toEqual([expect.objectContaining({ id: 'cred-fox-1', user_id: 'auth0|fox-1', connection: DB, counter: 3, device_type: 'multiDevice' })]);

    expect((await t.app.inject({ method: 'DELETE', url: '/_dev/api/passkeys/cred-fox-1' })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: '/_dev/api/passkeys/cred-fox-1' })).statusCode).toBe(404);
    expect(await t.app.deps.store.listPasskeys('auth0|fox-1')).toEqual([]);
  });

  it('deleting a user through the Management API takes their passkeys along', async () => {
    const admin = await t.app.inject({ method: 'GET', url: '/_dev/api/passkeys' });
    expect(admin.json().passkeys).toHaveLength(3);
    expect((await api('DELETE', `/api/v2/users/${encodeURIComponent('auth0|dana-1')}`)).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/_dev/api/passkeys' })).json().passkeys.map((p: { id: string }) => p.id)).toEqual(['cred-fox-1']);
  });
});
