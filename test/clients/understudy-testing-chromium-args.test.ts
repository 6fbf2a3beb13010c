// @peculiar/x509 reads SubjectPublicKeyInfo independently of node:crypto, to check spkiHash against.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, pemCertificates, spkiHash } from '../../src/testing/index.js';
import { ensureLocalCertificates, type LocalCertificates } from '../../src/tls/local-ca.js';
import { buildTestApp } from '../support/app.js';
import { CHROMIUM_ARGS, ensureChromium } from '../support/chromium.js';
import { chromium } from 'playwright-core';

/**
 * understudy/testing's chromiumArgs in Debian's Chromium: an HTTPS Understudy under a host name that
 * nothing resolves, reached through the host resolver rule, its chain accepted because it carries the
 * pinned local CA (as the server sends it), and refused under another CA's pin. No ignoreHTTPSErrors.
 */
const dir = mkdtempSync(join(tmpdir(), 'understudy-chromium-args-'));
let certs: LocalCertificates;
let other: LocalCertificates;
let app: FastifyInstance;
let port: number;
const browsers: Browser[] = [];

beforeAll(async () => {
  certs = await ensureLocalCertificates(join(dir, 'served'), ['understudy.test']);
  other = await ensureLocalCertificates(join(dir, 'other'), ['understudy.test']);
  ({ app } = await buildTestApp({
    issuer: 'https://understudy.test/',
    https: { key: certs.keyPem, cert: `${certs.certPem.trimEnd()}\n${certs.caPem}`, localCaPem: certs.caPem },
  }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
}, 60_000);
afterAll(async () => {
  for (const browser of browsers) await browser.close();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function visit(args: string[], url: string): Promise<string> {
  const browser = await chromium.launch({ executablePath: await ensureChromium(), headless: true, args: [...CHROMIUM_ARGS, ...args] });
  browsers.push(browser);
  const page = await browser.newPage();
  try {
    const response = await page.goto(url);
    return `${response?.status()} ${(await response?.json() as { issuer?: string }).issuer}`;
  } catch (err) {
    return /net::(ERR_[A-Z_]+)/.exec(String(err))?.[1] ?? String(err);
  }
}

describe('chromiumArgs', () => {
  it('pins by the base64 SHA-256 of the SubjectPublicKeyInfo, one pin per certificate given', () => {
    const independent = createHash('sha256').update(Buffer.from(new x509.X509Certificate(certs.caPem).publicKey.rawData)).digest('base64');
    expect(spkiHash(certs.caPem)).toBe(independent);
    expect(pemCertificates(`${certs.certPem}\n${certs.caPem}`)).toHaveLength(2);
    expect(chromiumArgs({ hosts: ['https://understudy.test/', 'mail.understudy.test'], certificate: `${certs.caPem}${certs.certPem}` })).toEqual([
      '--host-resolver-rules=MAP understudy.test 127.0.0.1,MAP mail.understudy.test 127.0.0.1',
      `--ignore-certificate-errors-spki-list=${spkiHash(certs.caPem)},${spkiHash(certs.certPem)}`,
    ]);
    expect(() => chromiumArgs({ hosts: 'understudy.test', certificate: 'not a certificate' })).toThrow(/no PEM certificate/);
  });

  it('lets Chromium reach the server under its name with the local CA pinned, and refuses another CA', async () => {
    const url = `https://understudy.test:${port}/.well-known/openid-configuration`;
    expect(await visit(chromiumArgs({ hosts: 'understudy.test', certificate: certs.caPem }), url)).toBe('200 https://understudy.test/');
    expect(await visit(chromiumArgs({ hosts: 'understudy.test', certificate: other.caPem }), url)).toBe('ERR_CERT_AUTHORITY_INVALID');
    // Only the mapped names change: another name still goes to the (here, absent) DNS.
    expect(await visit(chromiumArgs({ hosts: 'understudy.test', certificate: certs.caPem }), `https://elsewhere.invalid:${port}/`)).toBe('ERR_NAME_NOT_RESOLVED');
  }, 90_000);
});
