import { managementRejection } from '../support/node-auth0.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustLocalCa } from '../support/trust-local-ca.js';
import { ManagementClient } from 'auth0';
import { ManagementClient as LegacyManagementClient } from 'auth0/legacy';
import { defaultTenant } from '../../src/config/default-tenant.js';
import { ensureLocalCertificates } from '../../src/tls/local-ca.js';
import { type ListeningTestApp, listeningTestApp } from '../support/app.js';
import { passwordlessLogin } from '../support/flows.js';
import { tokensFor, verifyJwt } from '../support/screens.js';

/**
 * The `auth0` npm package's ManagementClient (auth0@7.1.0, the Fern-generated v7 API) unmodified
 * against Understudy in HTTPS mode: it builds `https://${domain}/api/v2` and gets its token with
 * client_credentials for `https://${domain}/api/v2/`, so the server listens with a certificate from
 * Understudy's local CA and this process trusts that CA (fetch through an undici dispatcher with it).
 * Users it creates log in through the screens and carry the tenant's namespaced roles claim.
 */
const SDK = 'auth0 (node-auth0) 7.1.0 ManagementClient';
const ROLES = 'https://example.com/roles';
const tenant = { ...defaultTenant, claims: [{ name: ROLES, from: 'app_metadata.roles' }] };


describe(SDK, () => {
  let dir: string;
  let t: ListeningTestApp;
  let issuer: string;
  let domain: string;
  let management: ManagementClient;
  let untrust: (() => Promise<void>) | undefined;

  /** Logs the user in by email code through the Universal Login screens and returns the verified ID token claims. */
  async function loginClaims(email: string): Promise<Record<string, unknown>> {
    const { callback, verifier } = await passwordlessLogin(t.app, { identifier: email });
    const tokens = await tokensFor(t.app, callback, verifier);
    return verifyJwt(t.app, tokens.id_token, issuer, t.clock.now());
  }

  const rejection = managementRejection;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'understudy-node-auth0-mgmt-'));
    const certs = await ensureLocalCertificates(dir, []);
    t = await listeningTestApp({ scheme: 'https', host: 'localhost' }, () => ({ tenant, https: { key: certs.keyPem, cert: certs.certPem, localCaPem: certs.caPem } }));
    issuer = t.issuer;
    domain = `localhost:${t.port}`;

    untrust = trustLocalCa(certs.caPem);
    management = new ManagementClient({ domain, clientId: 'understudy-m2m', clientSecret: 'understudy-m2m-secret' });
  });

  afterAll(async () => {
    await untrust?.();
    await t?.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('users.create with app_metadata.roles; the user logs in by email code and the ID token carries the roles claim', async () => {
    const created = await management.users.create({ connection: 'email', email: 'sdk.admin@example.com', app_metadata: { roles: ['admin', 'billing'] } });
    expect(created.user_id).toMatch(/^email\|[0-9a-f]{24}$/);
    expect(created).toMatchObject({ email: 'sdk.admin@example.com', app_metadata: { roles: ['admin', 'billing'] } });

    const claims = await loginClaims('sdk.admin@example.com');
    expect(claims.sub).toBe(created.user_id);
    expect(claims[ROLES]).toEqual(['admin', 'billing']);
  });

  it('users.list / users.get / users.update round-trip, and the update shows in the next login', async () => {
    const created = await management.users.create({ connection: 'email', email: 'sdk.round@example.com', app_metadata: { roles: ['viewer'], plan: 'free' } });

    const page = await management.users.list({ q: 'email:"sdk.round@example.com"', search_engine: 'v3' });
    expect(page.data.map((u) => u.user_id)).toEqual([created.user_id]);
    expect(page.response.total).toBe(1);
    const all = await management.users.list({ per_page: 1 });
    const seen: string[] = [];
    for await (const user of all) seen.push(String(user.user_id));
    expect(seen).toEqual(expect.arrayContaining([created.user_id]));
    expect(new Set(seen).size).toBe(seen.length);

    const got = await management.users.get(created.user_id!);
    expect(got).toMatchObject({ user_id: created.user_id, email: 'sdk.round@example.com', app_metadata: { roles: ['viewer'], plan: 'free' } });

    const updated = await management.users.update(created.user_id!, { app_metadata: { roles: ['editor'], plan: null }, user_metadata: { theme: 'dark' } });
    expect(updated.app_metadata).toEqual({ roles: ['editor'] });
    expect(await management.users.get(created.user_id!)).toMatchObject({ app_metadata: { roles: ['editor'] }, user_metadata: { theme: 'dark' } });
    expect((await loginClaims('sdk.round@example.com'))[ROLES]).toEqual(['editor']);
  });

  it('users.listUsersByEmail finds the user; users.delete removes it', async () => {
    const created = await management.users.create({ connection: 'sms', phone_number: '+15550009999', blocked: false });
    expect(created.user_id).toMatch(/^sms\|/);
    const email = await management.users.create({ connection: 'email', email: 'sdk.gone@example.com' });
    expect((await management.users.listUsersByEmail({ email: 'sdk.gone@example.com' })).map((u) => u.user_id)).toEqual([email.user_id]);
    await management.users.delete(email.user_id!);
    expect(await management.users.listUsersByEmail({ email: 'sdk.gone@example.com' })).toEqual([]);
  });

  it('an unknown user makes users.get throw a 404 ManagementError with errorCode inexistent_user', async () => {
    const error = await rejection(management.users.get('email|000000000000000000000000'));
    expect(error.statusCode).toBe(404);
    expect(error.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'The user does not exist.', errorCode: 'inexistent_user' });
  });

  it('a duplicate users.create throws a 409 ManagementError', async () => {
    await management.users.create({ connection: 'email', email: 'sdk.twice@example.com' });
    const error = await rejection(management.users.create({ connection: 'email', email: 'sdk.twice@example.com' }));
    expect(error.statusCode).toBe(409);
  });

  it('clients.list and connections.list return the tenant\'s clients and connections', async () => {
    const clients = await management.clients.list();
    expect(clients.data.map((c) => c.client_id)).toEqual(expect.arrayContaining(['understudy-spa', 'understudy-web', 'understudy-m2m']));
    expect(clients.data.some((c) => c.client_secret !== undefined)).toBe(false);
    const connections = await management.connections.list();
    expect(connections.data.map((c) => [c.name, c.strategy])).toEqual([
      ['email', 'email'],
      ['sms', 'sms'],
    ]);
  });

  it('a client without a Management API grant cannot call it (access_denied at the token endpoint)', async () => {
    const outsider = new ManagementClient({ domain, clientId: 'understudy-web', clientSecret: 'understudy-web-secret' });
    const error = await rejection(outsider.users.list());
    expect(error.statusCode).toBe(403);
    expect(error.body).toEqual({
      error: 'access_denied',
      error_description: `Client is not authorized to access "${issuer}api/v2/". You need to create a "client-grant" associated to this API.`,
    });
  });

  describe('its v4 ManagementClient (auth0/legacy)', () => {
    it('users.getAll / users.get / users.update round-trip', async () => {
      const legacy = new LegacyManagementClient({ domain, clientId: 'understudy-m2m', clientSecret: 'understudy-m2m-secret' });
      const { data: created } = await legacy.users.create({ connection: 'email', email: 'legacy@example.com', app_metadata: { roles: ['ops'] } });
      const { data: found } = await legacy.users.getAll({ q: 'email:"legacy@example.com"', search_engine: 'v3' });
      expect(found.map((u) => u.user_id)).toEqual([created.user_id]);
      const { data: got } = await legacy.users.get({ id: created.user_id });
      expect(got.app_metadata).toEqual({ roles: ['ops'] });
      const { data: updated } = await legacy.users.update({ id: created.user_id }, { app_metadata: { roles: ['ops', 'oncall'] } });
      expect(updated.app_metadata).toEqual({ roles: ['ops', 'oncall'] });
      expect((await loginClaims('legacy@example.com'))[ROLES]).toEqual(['ops', 'oncall']);
    });
  });
});
