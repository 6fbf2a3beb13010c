import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { ensureLocalCertificates } from '../../src/tls/local-ca.js';
import { type ListeningTestApp, listeningTestApp } from '../support/app.js';
import { CALLBACK, SPA, exchangeCode, passwordlessLogin } from '../support/flows.js';
import { writeActionsExport, type WrittenExport } from '../support/actions-export.js';
import { ADMIN_CLIENT, adminGrant } from '../support/management.js';

/**
 * A post-login Action that calls the Management API with node-auth0, as tenants' actions do:
 * `require('auth0')` installed beside the export (`npm i --prefix <export dir> auth0`), and
 * `event.secrets.DOMAIN` pointing at Understudy in HTTPS mode, whose local CA the Actions process
 * trusts. The action gives a new user the Crew role; the next login's event.authorization.roles has it.
 */
const AUTH0_VERSION = (createRequire(import.meta.url)('auth0/package.json') as { version: string }).version;
const CODE = `
const { ManagementClient } = require('auth0');
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://example.com/roles', event.authorization.roles);
  if (event.authorization.roles.includes('Crew')) return;
  const management = new ManagementClient({ domain: event.secrets.DOMAIN, clientId: event.secrets.CLIENT_ID, clientSecret: event.secrets.CLIENT_SECRET });
  const crew = (await management.roles.list({ name_filter: 'Crew' })).data[0];
  await management.users.roles.assign(event.user.user_id, { roles: [crew.id] });
  console.log('gave ' + event.user.email + ' the role ' + crew.id);
};`;

describe('node-auth0 inside a post-login Action, against Understudy', () => {
  let t: ListeningTestApp;
  let exported: WrittenExport;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'understudy-action-auth0-'));
    const certs = await ensureLocalCertificates(dataDir, []);
    exported = writeActionsExport({
      actions: [{ name: 'Enlist', trigger: 'post-login', code: CODE, dependencies: [{ name: 'auth0', version: AUTH0_VERSION }], secrets: [{ name: 'DOMAIN' }, { name: 'CLIENT_ID' }, { name: 'CLIENT_SECRET' }] }],
      clients: [{ name: 'Harbor SPA', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], web_origins: ['http://localhost:3000'] }, ADMIN_CLIENT],
      connections: [{ name: 'email', strategy: 'email', enabled_clients: ['Harbor SPA'] }],
      grants: [adminGrant(['read:roles', 'update:users', 'read:users'])],
      roles: [{ name: 'Crew', description: 'Ship crew', permissions: [] }],
    });
    // What the README tells users to run; the package comes from npm's cache when it is there.
    execFileSync('npm', ['i', '--prefix', exported.dir, `auth0@${AUTH0_VERSION}`, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'pipe', timeout: 120_000 });
    t = await listeningTestApp({ scheme: 'https', host: 'localhost' }, ({ port }: { port: number }) => {
      const tenant = exported.read() as { actions: { secrets: unknown[] }[] };
      // Secrets come without values in exports: the test gives them, as an overlay would.
      tenant.actions[0]!.secrets = [
        { name: 'DOMAIN', value: `localhost:${port}` },
        { name: 'CLIENT_ID', value: ADMIN_CLIENT.client_id },
        { name: 'CLIENT_SECRET', value: ADMIN_CLIENT.client_secret },
      ];
      return { tenant, tenantSource: exported.dir, https: { key: certs.keyPem, cert: certs.certPem, localCaPem: certs.caPem }, app: { actions: { caFile: certs.caPath } } };
    });
  }, 180_000);

  afterAll(async () => {
    await t?.app.close();
    exported?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function rolesClaim(email: string): Promise<unknown> {
    const { callback, verifier } = await passwordlessLogin(t.app, { identifier: email });
    const response = await exchangeCode(t.app, { client_id: SPA, code: callback.searchParams.get('code')!, code_verifier: verifier });
    expect(response.statusCode, response.body).toBe(200);
    return decodeJwt(response.json().id_token)['https://example.com/roles'];
  }

  it("assigns a role through Understudy's Management API, and the next login sees it", async () => {
    expect(await rolesClaim('new-hand@crew.example')).toEqual([]);
    const logs = (await t.app.inject({ method: 'GET', url: '/_dev/api/action-logs' })).json().logs as { line: string }[];
    expect(logs.map((l) => l.line)).toContainEqual(expect.stringMatching(/^gave new-hand@crew\.example the role rol_[A-Za-z0-9]{16}$/));
    expect(await rolesClaim('new-hand@crew.example')).toEqual(['Crew']);
  });
});
