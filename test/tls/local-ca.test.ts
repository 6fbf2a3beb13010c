import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLocalCertificates, tlsHostList, type LocalCertificates } from '../../src/tls/local-ca.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const DAY_MS = 86_400_000;
const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-ca-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A TLS handshake from a client that trusts only `ca`, against a server holding the generated pair. */
async function handshake(certs: LocalCertificates, options: { servername?: string; ca?: string }): Promise<{ authorized: boolean; error?: string }> {
  const server = createServer({ key: certs.keyPem, cert: certs.certPem }, (socket) => socket.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, ...(options.ca ? { ca: options.ca } : {}), ...(options.servername ? { servername: options.servername } : {}) });
    // events.once rejects on 'error', which is the answer for an untrusted certificate.
    const outcome = await once(socket, 'secureConnect').then(
      () => ({ authorized: socket.authorized }),
      (err: NodeJS.ErrnoException) => ({ authorized: false, error: err.code ?? String(err) }),
    );
    socket.destroy();
    return outcome;
  } finally {
    server.close();
  }
}

describe('ensureLocalCertificates (HTTPS mode local CA)', () => {
  let dir: string;
  let first: LocalCertificates;
  let ca: X509Certificate;
  let cert: X509Certificate;

  beforeAll(async () => {
    dir = freshDir();
    first = await ensureLocalCertificates(dir, ['dev.example.test', '10.1.2.3']);
    ca = new X509Certificate(first.caPem);
    cert = new X509Certificate(first.certPem);
  });

  it('constrains the CA to the hosts it serves, for a year: a certificate it signs for another name is refused by a client that trusts it', async () => {
    const validDays = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / DAY_MS;
    expect(validDays).toBeLessThanOrEqual(366);
    expect((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY_MS).toBeLessThanOrEqual(91);
    const { createServerCertificate } = await import('../../src/tls/issue.js');
    const caKeyPem = readFileSync(join(dir, 'tls', 'ca-key.pem'), 'utf8');
    for (const outsider of ['bank.example', '192.0.2.10']) {
      const forged = await createServerCertificate(first.caPem, caKeyPem, [outsider], new Date(), 90 * DAY_MS);
      // Signed by the CA and naming the host: the name constraint is the only thing wrong with it.
      const forgedCert = new X509Certificate(forged.certPem);
      expect(forgedCert.verify(ca.publicKey)).toBe(true);
      expect(forgedCert.subjectAltName).toContain(outsider);
      const outcome = await handshake({ ...first, certPem: forged.certPem, keyPem: forged.keyPem }, { ca: first.caPem, ...(outsider.includes('.example') ? { servername: outsider } : {}) });
      expect(outcome.authorized, outsider).toBe(false);
      // OpenSSL's "permitted subtree violation" (47), which Node reports as UNSPECIFIED.
      expect(outcome.error).toMatch(/SUBTREE|NAME_CONSTRAINT|PERMITTED|UNSPECIFIED/i);
    }
  });

  it('creates a CA that signs the server certificate', () => {
    expect(first.created).toEqual({ ca: true, server: true });
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(first.keyPem))).toBe(true);
    expect(cert.keyUsage).toContain(SERVER_AUTH);
  });

  it('names localhost, 127.0.0.1, ::1 and the configured hosts in the SANs', () => {
    expect(first.hosts).toEqual(['localhost', '127.0.0.1', '::1', 'dev.example.test', '10.1.2.3']);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkHost('dev.example.test')).toBe('dev.example.test');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(cert.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(cert.checkHost('other.example.test')).toBeUndefined();
  });

  it('keeps the files in <dataDir>/tls with the private keys readable by the owner only', () => {
    expect(first.caPath).toBe(join(dir, 'tls', 'ca.pem'));
    expect(readFileSync(first.caPath, 'utf8')).toBe(first.caPem);
    expect(readFileSync(join(dir, 'tls', 'server.pem'), 'utf8')).toBe(first.certPem);
    for (const key of ['ca-key.pem', 'server-key.pem']) expect(statSync(join(dir, 'tls', key)).mode & 0o077).toBe(0);
  });

  it('serves TLS that a client trusting only the CA accepts, by name and by IP, and a client without it refuses', async () => {
    expect(await handshake(first, { servername: 'localhost', ca: first.caPem })).toEqual({ authorized: true });
    expect(await handshake(first, { servername: 'dev.example.test', ca: first.caPem })).toEqual({ authorized: true });
    expect(await handshake(first, { ca: first.caPem })).toEqual({ authorized: true });
    const untrusted = await handshake(first, { servername: 'localhost' });
    expect(untrusted.authorized).toBe(false);
    expect(untrusted.error).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/);
    const wrongName = await handshake(first, { servername: 'other.example.test', ca: first.caPem });
    expect(wrongName.error).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('reuses both files on a second call with the same hosts, in any order, case or bracket form', async () => {
    const again = await ensureLocalCertificates(dir, ['10.1.2.3', 'DEV.example.test', '[::1]', 'localhost']);
    expect(again.created).toEqual({ ca: false, server: false });
    expect(again.caPem).toBe(first.caPem);
    expect(again.certPem).toBe(first.certPem);
    expect(again.keyPem).toBe(first.keyPem);
  });

  it('re-issues the server certificate, from the same CA, when the host list changes within the CA\'s names', async () => {
    const other = freshDir();
    const before = await ensureLocalCertificates(other, ['a.example.test', 'b.example.test']);
    const after = await ensureLocalCertificates(other, ['b.example.test']);
    expect(after.created).toEqual({ ca: false, server: true });
    expect(after.caPem).toBe(before.caPem);
    const reissued = new X509Certificate(after.certPem);
    expect(reissued.serialNumber).not.toBe(new X509Certificate(before.certPem).serialNumber);
    expect(reissued.checkHost('b.example.test')).toBe('b.example.test');
    expect(reissued.checkHost('a.example.test')).toBeUndefined();
    expect(reissued.verify(new X509Certificate(before.caPem).publicKey)).toBe(true);
    expect(readFileSync(join(other, 'tls', 'server.pem'), 'utf8')).toBe(after.certPem);
  });

  it('re-issues the server certificate when it expires within 30 days, keeping the CA', async () => {
    const other = freshDir();
    const made = await ensureLocalCertificates(other, []);
    const later = new Date(made.serverValidTo.getTime() - 29 * DAY_MS);
    const renewed = await ensureLocalCertificates(other, [], later);
    expect(renewed.created).toEqual({ ca: false, server: true });
    expect(renewed.caPem).toBe(made.caPem);
    expect(renewed.serverValidTo.getTime()).toBeGreaterThan(later.getTime() + 80 * DAY_MS);
    // 31 days before expiry it is still kept.
    const kept = await ensureLocalCertificates(other, [], new Date(renewed.serverValidTo.getTime() - 31 * DAY_MS));
    expect(kept.created).toEqual({ ca: false, server: false });
  });

  it('makes a new CA for a host outside the names the old one may vouch for, and when the CA has 30 days left', async () => {
    const other = freshDir();
    const made = await ensureLocalCertificates(other, ['a.example.test']);
    const wider = await ensureLocalCertificates(other, ['a.example.test', 'other.example.test']);
    expect(wider.created).toEqual({ ca: true, server: true });
    expect(new X509Certificate(wider.certPem).checkHost('other.example.test')).toBe('other.example.test');
    expect((await handshake(wider, { servername: 'other.example.test', ca: wider.caPem })).authorized).toBe(true);
    const caValidTo = Date.parse(new X509Certificate(wider.caPem).validTo);
    const renewed = await ensureLocalCertificates(other, ['a.example.test', 'other.example.test'], new Date(caValidTo - 29 * DAY_MS));
    expect(renewed.created).toEqual({ ca: true, server: true });
    expect(renewed.caPem).not.toBe(made.caPem);
  });

  it('replaces a server key that does not match its certificate, and a missing CA (then re-issuing the server certificate)', async () => {
    const other = freshDir();
    const made = await ensureLocalCertificates(other, []);
    writeFileSync(join(other, 'tls', 'server-key.pem'), readFileSync(join(other, 'tls', 'ca-key.pem')));
    const fixed = await ensureLocalCertificates(other, []);
    expect(fixed.created).toEqual({ ca: false, server: true });
    expect(new X509Certificate(fixed.certPem).checkPrivateKey(createPrivateKey(fixed.keyPem))).toBe(true);

    unlinkSync(join(other, 'tls', 'ca.pem'));
    const renewed = await ensureLocalCertificates(other, []);
    expect(renewed.created).toEqual({ ca: true, server: true });
    expect(renewed.caPem).not.toBe(made.caPem);
    expect(new X509Certificate(renewed.certPem).verify(new X509Certificate(renewed.caPem).publicKey)).toBe(true);
  });
});

describe('tlsHostList', () => {
  it('puts the defaults first and drops duplicates, brackets and case', () => {
    expect(tlsHostList(['Example.test', '[::1]', '0:0:0:0:0:0:0:1', 'localhost', ' example.test '])).toEqual(['localhost', '127.0.0.1', '::1', 'example.test']);
  });
});
