import { isIP } from 'node:net';

/**
 * HTTPS mode (`--https` / UNDERSTUDY_HTTPS): either a certificate from Understudy's local CA for the
 * default hosts plus `hosts`, or the user's own certificate and key files.
 */
export type TlsConfig = { source: 'local-ca'; hosts: string[] } | { source: 'files'; certPath: string; keyPath: string };

export interface TlsInputs {
  /** `--https` on the command line. */
  flag: boolean;
  /** UNDERSTUDY_HTTPS, already read as a boolean; undefined when unset. */
  https: boolean | undefined;
  /** UNDERSTUDY_TLS_HOSTS, UNDERSTUDY_TLS_CERT, UNDERSTUDY_TLS_KEY as given. */
  hosts: string | undefined;
  cert: string | undefined;
  key: string | undefined;
}

const DNS_NAME = /^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** The TLS settings, or undefined for plain HTTP. Each problem names the variable to change. */
export function parseTlsConfig(input: TlsInputs, problems: string[]): TlsConfig | undefined {
  const cert = input.cert?.trim() || undefined;
  const key = input.key?.trim() || undefined;
  if (cert && !key) problems.push('UNDERSTUDY_TLS_KEY: needed with UNDERSTUDY_TLS_CERT (the path of that certificate\'s private key)');
  if (key && !cert) problems.push('UNDERSTUDY_TLS_CERT: needed with UNDERSTUDY_TLS_KEY (the path of the certificate for that key)');

  // The command line wins over the environment; a certificate of one's own implies HTTPS.
  const on = input.flag || (input.https ?? Boolean(cert || key));
  if (!on && (cert || key)) problems.push(`${cert ? 'UNDERSTUDY_TLS_CERT' : 'UNDERSTUDY_TLS_KEY'}: given, but UNDERSTUDY_HTTPS is false`);

  const hosts = (input.hosts ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  for (const host of hosts) {
    if (!isIP(host.replace(/^\[(.*)\]$/, '$1')) && !DNS_NAME.test(host)) {
      problems.push(`UNDERSTUDY_TLS_HOSTS: "${host}" is neither a host name nor an IP address (give a comma-separated list)`);
    }
  }
  if (hosts.length && !on) problems.push('UNDERSTUDY_TLS_HOSTS: given, but HTTPS mode is off (add --https or UNDERSTUDY_HTTPS=true)');
  if (hosts.length && cert) problems.push('UNDERSTUDY_TLS_HOSTS: only used for the generated certificate, not with UNDERSTUDY_TLS_CERT');

  if (!on) return undefined;
  return cert && key ? { source: 'files', certPath: cert, keyPath: key } : { source: 'local-ca', hosts };
}
