import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';

/**
 * A local certificate authority for HTTPS mode, kept in `<dataDir>/tls/`. The CA is name-constrained
 * to the hosts it serves (loopback, localhost and its subdomains, the configured hosts: see caScope)
 * and lives a year; it is reused while it covers the hosts and has more than 30 days left, so a user
 * trusts it once a year at most, and a new CA is made (and must be trusted again) otherwise. The server
 * certificate (90 days) is re-issued when the host list changes, it expires within 30 days, or the CA
 * changed. Reuse needs only node:crypto; the X.509 library (./issue.ts) loads only to make certificates.
 */
export const DEFAULT_TLS_HOSTS = ['localhost', '127.0.0.1', '::1'];
const DAY_MS = 86_400_000;
const RENEW_BEFORE_MS = 30 * DAY_MS;
const CA_LIFETIME_MS = 365 * DAY_MS;
const SERVER_LIFETIME_MS = 90 * DAY_MS;

export interface LocalCertificates {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Where the CA certificate is, for NODE_EXTRA_CA_CERTS / curl --cacert. */
  caPath: string;
  /** The names the server certificate covers, in SAN order. */
  hosts: string[];
  /** What this call made anew (false: reused from the data folder). */
  created: { ca: boolean; server: boolean };
  serverValidTo: Date;
}

interface Pair {
  cert: X509Certificate;
  certPem: string;
  keyPem: string;
}

export async function ensureLocalCertificates(dataDir: string, extraHosts: readonly string[] = [], now: Date = new Date()): Promise<LocalCertificates> {
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const paths = { ca: join(dir, 'ca.pem'), caKey: join(dir, 'ca-key.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
  const hosts = tlsHostList(extraHosts);

  const scopePath = join(dir, 'ca-scope.json');
  const wantedScope = caScope(hosts);
  const storedCa = readPair(paths.ca, paths.caKey);
  const storedScope = readScope(scopePath);
  // A CA from before name constraints has no scope file: it is replaced, not trusted any longer.
  const caReused = storedCa !== undefined && storedCa.cert.ca && usableAt(storedCa.cert, now) && wantedScope.every((entry) => storedScope.includes(entry));
  const issue = (): Promise<typeof import('./issue.js')> => import('./issue.js');
  let ca: Pair;
  if (caReused) ca = storedCa;
  else {
    ca = writePair(paths.ca, paths.caKey, await (await issue()).createCa(now, CA_LIFETIME_MS, wantedScope));
    writeFileSync(scopePath, `${JSON.stringify(wantedScope)}\n`, { mode: 0o644 });
  }

  const storedServer = readPair(paths.cert, paths.key);
  const serverReused =
    caReused &&
    storedServer !== undefined &&
    storedServer.cert.checkIssued(ca.cert) &&
    storedServer.cert.verify(ca.cert.publicKey) &&
    usableAt(storedServer.cert, now) &&
    sameHosts(sanHosts(storedServer.cert), hosts);
  const server = serverReused
    ? storedServer
    : writePair(paths.cert, paths.key, await (await issue()).createServerCertificate(ca.certPem, ca.keyPem, hosts, now, SERVER_LIFETIME_MS));

  return {
    caPem: ca.certPem,
    certPem: server.certPem,
    keyPem: server.keyPem,
    caPath: paths.ca,
    hosts,
    created: { ca: !caReused, server: !serverReused },
    serverValidTo: new Date(server.cert.validTo),
  };
}

/**
 * What the CA may vouch for: `localhost` (with its subdomains), the loopback ranges, and each extra
 * host, a name (with its subdomains) or a single address.
 */
export function caScope(hosts: readonly string[]): string[] {
  const scope = ['localhost', '127.0.0.0/8', '::1/128'];
  for (const host of hosts) {
    const version = isIP(host);
    const entry = version === 4 ? `${host}/32` : version === 6 ? `${host}/128` : host;
    const covered = version ? scope.includes(entry) || (version === 4 && host.startsWith('127.')) || host === '::1' : host === 'localhost' || host.endsWith('.localhost') || scope.includes(entry);
    if (!covered) scope.push(entry);
  }
  return scope;
}

function readScope(path: string): string[] {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The defaults first, then the extra hosts; lower-cased, IPv6 without brackets, no duplicates. */
export function tlsHostList(extra: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of [...DEFAULT_TLS_HOSTS, ...extra]) {
    const host = canonicalHost(raw);
    if (host && !out.includes(host)) out.push(host);
  }
  return out;
}

function canonicalHost(raw: string): string {
  const host = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  // The URL parser writes an IPv6 address in its one short form (0:0:0:0:0:0:0:1 → [::1]).
  return isIP(host) === 6 ? new URL(`http://[${host}]/`).hostname.slice(1, -1) : host;
}

/** DNS and IP names from Node's rendering of subjectAltName ("DNS:localhost, IP Address:127.0.0.1"); any other kind stays prefixed and so never matches. */
function sanHosts(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '').split(', ').map((entry) => entry.replace(/^(DNS|IP Address):/, ''));
}

function sameHosts(found: string[], wanted: string[]): boolean {
  const names = new Set(found.map(canonicalHost));
  return names.size === wanted.length && wanted.every((h) => names.has(h));
}

function usableAt(cert: X509Certificate, now: Date): boolean {
  return Date.parse(cert.validFrom) <= now.getTime() && Date.parse(cert.validTo) - now.getTime() > RENEW_BEFORE_MS;
}

/** The stored certificate and its key, or undefined when either is missing, unreadable or they do not match. */
function readPair(certPath: string, keyPath: string): Pair | undefined {
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  try {
    const certPem = readFileSync(certPath, 'utf8');
    const keyPem = readFileSync(keyPath, 'utf8');
    const cert = new X509Certificate(certPem);
    return cert.checkPrivateKey(createPrivateKey(keyPem)) ? { cert, certPem, keyPem } : undefined;
  } catch {
    return undefined;
  }
}

function writePair(certPath: string, keyPath: string, pem: { certPem: string; keyPem: string }): Pair {
  writeFileSync(keyPath, pem.keyPem, { mode: 0o600 });
  writeFileSync(certPath, pem.certPem, { mode: 0o644 });
  return { cert: new X509Certificate(pem.certPem), ...pem };
}
