// Fixtures: one RS256 key for every server, Understudy data folders and a bench tenant file.
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The resource server client_credentials tokens are issued for. */
export const API = 'https://bench.example/api';
export const M2M = { id: 'bench-m2m', secret: 'bench-m2m-secret' };
/** The name of the client every login uses: the Actions figures expect it in event.client.name. */
export const WEB_CLIENT_NAME = 'Understudy Web';

/** Writes the fixtures under `work`; returns the key, the key file, the data folder and the tenant (object and file). */
export function fixtures(work) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench' };
  const keyFile = join(work, 'key.json');
  writeFileSync(keyFile, JSON.stringify(jwk));
  const dataDir = join(work, 'understudy-data');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'signing-key.json'), JSON.stringify(jwk));
  writeFileSync(join(dataDir, 'master-secret'), randomBytes(32).toString('base64url'));
  // The embedded default tenant's clients and connections, plus an API for client_credentials.
  const tenant = {
    tenant: { friendly_name: 'Understudy Bench' },
    clients: [
      { name: WEB_CLIENT_NAME, client_id: 'understudy-web', client_secret: 'understudy-web-secret', app_type: 'regular_web', token_endpoint_auth_method: 'client_secret_post', callbacks: ['http://localhost:3000/callback'], allowed_logout_urls: ['http://localhost:3000'], web_origins: ['http://localhost:3000'] },
      { name: 'Bench M2M', client_id: M2M.id, client_secret: M2M.secret, app_type: 'non_interactive', token_endpoint_auth_method: 'client_secret_post' },
    ],
    connections: [{ name: 'email', strategy: 'email', options: { totp: { length: 6, time_step: 180 } } }],
    resourceServers: [{ identifier: API, name: 'Bench API', scopes: [{ value: 'read:bench' }] }],
    // Rate limits off twice over: here and UNDERSTUDY_RATE_LIMITS=off (an unknown key to a build without them).
    rate_limits: false,
  };
  const tenantFile = join(work, 'tenant.json');
  writeFileSync(tenantFile, JSON.stringify(tenant));
  return { jwk, keyFile, dataDir, tenantFile, tenant };
}

/** Guardian's otp factor under the all-applications policy: every login must pass an authenticator app's code. */
export const MFA_GUARDIAN = { guardianFactors: [{ name: 'otp', enabled: true }], guardianPolicies: { policies: ['all-applications'] } };

/** Writes the bench tenant with MFA_GUARDIAN added (nothing else differs from `fx.tenantFile`); returns the file. */
export function mfaTenantFile(work, tenant) {
  const file = join(work, 'tenant-mfa.json');
  writeFileSync(file, JSON.stringify({ ...tenant, ...MFA_GUARDIAN }));
  return file;
}
