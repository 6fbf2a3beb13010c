import { X509Certificate, createHash } from 'node:crypto';

/**
 * Chromium's command-line arguments for reaching an Understudy in HTTPS mode under its own host name
 * (https://understudy.test/) from Playwright, with no hosts-file entry and no ignoreHTTPSErrors:
 *
 * - `--host-resolver-rules=MAP understudy.test 127.0.0.1` resolves only those names to this machine;
 * - `--ignore-certificate-errors-spki-list=<hashes>` accepts a chain only when one of its certificates
 *   has one of these public keys. Understudy sends its local CA with the server certificate, so pinning
 *   the CA (`.understudy/tls/ca.pem`, or GET /_dev/ca.pem) lasts as long as the CA does, across the
 *   server certificate's renewals. Every other site still gets Chromium's full certificate checks.
 *
 *   chromium.launch({ args: chromiumArgs({ hosts: ['understudy.test'], certificate: readFileSync('.understudy/tls/ca.pem', 'utf8') }) })
 */
export interface ChromiumArgsOptions {
  /** Host names (or issuer URLs, whose host is taken) that resolve to `address`. */
  hosts: string | readonly string[];
  /** PEM text of the certificates to accept: the local CA, the server certificate, or both. */
  certificate: string;
  /** Where the names resolve to; 127.0.0.1 by default. */
  address?: string;
}

export function chromiumArgs(options: ChromiumArgsOptions): string[] {
  const hosts = (typeof options.hosts === 'string' ? [options.hosts] : [...options.hosts]).map(hostName);
  if (!hosts.length) throw new Error('chromiumArgs needs at least one host name, such as understudy.test');
  const address = options.address ?? '127.0.0.1';
  const pins = pemCertificates(options.certificate).map(spkiHash);
  if (!pins.length) throw new Error('chromiumArgs: `certificate` holds no PEM certificate (pass the text of .understudy/tls/ca.pem)');
  return [`--host-resolver-rules=${hosts.map((host) => `MAP ${host} ${address}`).join(',')}`, `--ignore-certificate-errors-spki-list=${pins.join(',')}`];
}

/** Base64 SHA-256 of a certificate's DER SubjectPublicKeyInfo: the form Chromium's SPKI list takes. */
export function spkiHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** Each certificate of a PEM bundle, in order. */
export function pemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function hostName(value: string): string {
  const text = value.trim();
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  return url.hostname.toLowerCase();
}
