import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import type { TlsConfig } from '../config/tls-options.js';
import { ensureLocalCertificates } from './local-ca.js';

/** What HTTPS mode hands to the server: Fastify's `https` option, the local CA (if ours), and lines for the start-up log. */
export interface PreparedTls {
  https: { key: string; cert: string };
  localCa?: { pem: string; path: string };
  summary: string[];
}

export async function prepareTls(config: TlsConfig, dataDir: string): Promise<PreparedTls> {
  if (config.source === 'files') return loadOwnCertificate(config.certPath, config.keyPath);
  const started = performance.now();
  const local = await ensureLocalCertificates(dataDir, config.hosts);
  const caPath = resolve(local.caPath);
  const made = local.created.ca ? 'created a new local CA and certificate' : local.created.server ? 'issued a new certificate' : 'reused the certificate';
  return {
    https: { key: local.keyPem, cert: local.certPem },
    localCa: { pem: local.caPem, path: caPath },
    summary: [
      `  tls           ${made} (${Math.round(performance.now() - started)} ms) for ${local.hosts.join(', ')}, valid until ${local.serverValidTo.toISOString().slice(0, 10)}`,
      `  local CA      ${caPath}`,
      `  trust it      NODE_EXTRA_CA_CERTS=${caPath} (Node) · curl --cacert ${caPath} · import it into the browser's authorities`,
    ],
  };
}

/** UNDERSTUDY_TLS_CERT / UNDERSTUDY_TLS_KEY: read once, and refused at start-up when unreadable or not a pair. */
function loadOwnCertificate(certPath: string, keyPath: string): PreparedTls {
  const read = (name: string, path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError('the environment', [`${name}: cannot read "${path}": ${(err as Error).message}`]);
    }
  };
  const cert = read('UNDERSTUDY_TLS_CERT', certPath);
  const key = read('UNDERSTUDY_TLS_KEY', keyPath);
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(cert);
  } catch (err) {
    throw new ConfigError('the environment', [`UNDERSTUDY_TLS_CERT: "${certPath}" is not a PEM certificate: ${(err as Error).message}`]);
  }
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError('the environment', [`UNDERSTUDY_TLS_KEY: "${keyPath}" is not the private key of "${certPath}": ${(err as Error).message}`]);
  }
  return {
    https: { key, cert },
    summary: [`  tls           ${resolve(certPath)} (${parsed.subjectAltName ?? parsed.subject}), valid until ${new Date(parsed.validTo).toISOString().slice(0, 10)}`],
  };
}
