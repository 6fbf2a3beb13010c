// @peculiar/x509 needs a Reflect metadata polyfill loaded before it (tsyringe checks at import time).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints, id_ce_nameConstraints } from '@peculiar/asn1-x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

/** Making certificates with @peculiar/x509 on Node's WebCrypto: ECDSA P-256 keys, SHA-256 signatures. */
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const ORGANIZATION = 'O=Understudy (development only)';

x509.cryptoProvider.set(webcrypto as Crypto);

export interface IssuedPem {
  certPem: string;
  keyPem: string;
}

/** A positive 128-bit serial number, as RFC 5280 §4.1.2.2 asks. */
const serialNumber = (): string => {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x40;
  return bytes.toString('hex');
};

/**
 * RFC 5280 §4.2.1.10 name constraints: the CA can vouch only for these names (a DNS name and its
 * subdomains) and address ranges (CIDR), so a CA that a user told their browser to trust cannot be
 * used to impersonate any other site, whoever gets hold of its key.
 */
function nameConstraints(scope: readonly string[]): x509.Extension {
  const subtrees = scope.map((entry) => new GeneralSubtree({ base: new GeneralName(entry.includes('/') ? { iPAddress: entry } : { dNSName: entry }) }));
  const value = AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees) }));
  return new x509.Extension(id_ce_nameConstraints, true, value);
}

/** `scope`: DNS names and CIDR ranges (see local-ca.ts's caScope) the CA may issue for. */
export async function createCa(now: Date, lifetimeMs: number, scope: readonly string[]): Promise<IssuedPem> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=Understudy local CA ${randomBytes(4).toString('hex')}, ${ORGANIZATION}`,
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + lifetimeMs),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      nameConstraints(scope),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

export async function createServerCertificate(caPem: string, caKeyPem: string, hosts: string[], now: Date, lifetimeMs: number): Promise<IssuedPem> {
  const ca = new x509.X509Certificate(caPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(caKeyPem), EC, false, ['sign']);
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${hosts[0] ?? 'localhost'}, ${ORGANIZATION}`,
    issuer: ca.subject,
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + lifetimeMs),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hosts.map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}
