import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ManagementClient } from 'auth0';
import { ensureLocalCertificates } from '../../src/tls/local-ca.js';
import { listeningTestApp, type ListeningTestApp } from './app.js';
import { trustLocalCa } from './trust-local-ca.js';

/**
 * A listening Understudy over HTTPS with its local CA trusted, as node-auth0 requires, and a
 * ManagementClient (auth0@7.1.0) for the default M2M client: opened before the describe's tests,
 * closed after them. The fields are filled in beforeAll.
 */
export interface HttpsManagement {
  t: ListeningTestApp;
  domain: string;
  management: ManagementClient;
}

export function useHttpsManagement(tenant: () => unknown, tag: string): HttpsManagement {
  const env = {} as HttpsManagement;
  let dir: string | undefined;
  let untrust: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `understudy-${tag}-`));
    const certs = await ensureLocalCertificates(dir, []);
    env.t = await listeningTestApp({ scheme: 'https', host: 'localhost' }, () => ({ tenant: tenant(), https: { key: certs.keyPem, cert: certs.certPem, localCaPem: certs.caPem } }));
    env.domain = `localhost:${env.t.port}`;
    untrust = trustLocalCa(certs.caPem);
    env.management = new ManagementClient({ domain: env.domain, clientId: 'understudy-m2m', clientSecret: 'understudy-m2m-secret' });
  });
  afterAll(async () => {
    await untrust?.();
    await env.t?.app.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return env;
}
