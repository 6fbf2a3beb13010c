import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntimeConfig } from '../../src/config/runtime.js';
import { ConfigError } from '../../src/config/config-error.js';
import { prepareTls } from '../../src/tls/prepare.js';
import { ensureLocalCertificates, type LocalCertificates } from '../../src/tls/local-ca.js';
import { runtimeProblems } from '../support/config-problems.js';

const problemsOf = runtimeProblems;

async function configErrorOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

describe('HTTPS mode settings (--https, UNDERSTUDY_HTTPS, UNDERSTUDY_TLS_*)', () => {
  it('stays plain HTTP by default', () => {
    const config = loadRuntimeConfig({});
    expect(config.tls).toBeUndefined();
    expect(config.issuer).toBe('http://localhost:4000/');
  });

  it.each([[{}, ['--https']], [{ UNDERSTUDY_HTTPS: 'true' }, []], [{ UNDERSTUDY_HTTPS: '1' }, []]])('%j %j turns on the local CA and an https issuer on PORT', (env, argv) => {
    const config = loadRuntimeConfig({ PORT: '4443', ...env }, argv);
    expect(config.tls).toEqual({ source: 'local-ca', hosts: ['localhost'] });
    expect(config.issuer).toBe('https://localhost:4443/');
  });

  it('--https wins over UNDERSTUDY_HTTPS=false; UNDERSTUDY_HTTPS=false alone keeps HTTP', () => {
    expect(loadRuntimeConfig({ UNDERSTUDY_HTTPS: 'false' }, ['--https']).tls?.source).toBe('local-ca');
    expect(loadRuntimeConfig({ UNDERSTUDY_HTTPS: 'false' }).tls).toBeUndefined();
  });

  it('adds UNDERSTUDY_TLS_HOSTS and the host of ISSUER_BASE_URL to the certificate hosts', () => {
    const config = loadRuntimeConfig({ UNDERSTUDY_TLS_HOSTS: ' dev.example.test, 192.168.1.5 ,[fe80::1],*.apps.test', ISSUER_BASE_URL: 'https://auth.example.test:8443' }, ['--https']);
    expect(config.issuer).toBe('https://auth.example.test:8443/');
    expect(config.tls).toEqual({ source: 'local-ca', hosts: ['dev.example.test', '192.168.1.5', '[fe80::1]', '*.apps.test', 'auth.example.test'] });
  });

  it('takes the user\'s own certificate and key, which imply HTTPS', () => {
    const config = loadRuntimeConfig({ UNDERSTUDY_TLS_CERT: '/certs/cert.pem', UNDERSTUDY_TLS_KEY: ' /certs/key.pem ' });
    expect(config.tls).toEqual({ source: 'files', certPath: '/certs/cert.pem', keyPath: '/certs/key.pem' });
    expect(config.issuer).toBe('https://localhost:4000/');
  });

  it.each([
    [{ ISSUER_BASE_URL: 'http://localhost:4000' }, ['--https'], 'ISSUER_BASE_URL'],
    [{ UNDERSTUDY_HTTPS: 'perhaps' }, [], 'UNDERSTUDY_HTTPS'],
    [{ UNDERSTUDY_TLS_CERT: '/certs/cert.pem' }, [], 'UNDERSTUDY_TLS_KEY'],
    [{ UNDERSTUDY_TLS_KEY: '/certs/key.pem' }, [], 'UNDERSTUDY_TLS_CERT'],
    [{ UNDERSTUDY_TLS_CERT: '/c.pem', UNDERSTUDY_TLS_KEY: '/k.pem', UNDERSTUDY_HTTPS: 'false' }, [], 'UNDERSTUDY_TLS_CERT'],
    [{ UNDERSTUDY_TLS_HOSTS: 'dev.example.test' }, [], 'UNDERSTUDY_TLS_HOSTS'],
    [{ UNDERSTUDY_TLS_HOSTS: 'not a host!,ok.test' }, ['--https'], 'UNDERSTUDY_TLS_HOSTS'],
    [{ UNDERSTUDY_TLS_HOSTS: 'dev.example.test', UNDERSTUDY_TLS_CERT: '/c.pem', UNDERSTUDY_TLS_KEY: '/k.pem' }, [], 'UNDERSTUDY_TLS_HOSTS'],
  ])('refuses %j %j, naming %s', (env, argv, name) => {
    expect(problemsOf(env, argv)).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
  });

  it('names --https among the known arguments', () => {
    expect(problemsOf({}, ['--tls'])[0]).toMatch(/^--tls: unknown argument \(known: .*--https/);
  });
});

describe('prepareTls', () => {
  let dir: string;
  let local: LocalCertificates;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'understudy-tls-config-'));
    local = await ensureLocalCertificates(join(dir, 'data'), []);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('local CA: hands Fastify the server pair and reports the absolute CA path with the NODE_EXTRA_CA_CERTS hint', async () => {
    const prepared = await prepareTls({ source: 'local-ca', hosts: [] }, join(dir, 'data'));
    expect(prepared.https).toEqual({ key: local.keyPem, cert: local.certPem });
    expect(prepared.localCa?.pem).toBe(local.caPem);
    expect(isAbsolute(prepared.localCa!.path)).toBe(true);
    expect(prepared.summary.join('\n')).toContain(`NODE_EXTRA_CA_CERTS=${prepared.localCa!.path}`);
    expect(prepared.summary.join('\n')).toContain('reused the certificate');
  });

  it('own files: reads the pair once, with no CA of Understudy\'s to serve', async () => {
    const prepared = await prepareTls({ source: 'files', certPath: join(dir, 'data', 'tls', 'server.pem'), keyPath: join(dir, 'data', 'tls', 'server-key.pem') }, dir);
    expect(prepared.https).toEqual({ key: local.keyPem, cert: local.certPem });
    expect(prepared.localCa).toBeUndefined();
    expect(prepared.summary.join('\n')).toContain('server.pem');
  });

  it('refuses a missing certificate, a file that is no certificate, and a key of another certificate, naming the variable', async () => {
    const key = join(dir, 'data', 'tls', 'server-key.pem');
    const missing = await configErrorOf(prepareTls({ source: 'files', certPath: join(dir, 'nope.pem'), keyPath: key }, dir));
    expect(missing).toEqual([expect.stringMatching(/^UNDERSTUDY_TLS_CERT: cannot read .*nope\.pem/)]);

    writeFileSync(join(dir, 'garbage.pem'), 'not a certificate');
    const garbage = await configErrorOf(prepareTls({ source: 'files', certPath: join(dir, 'garbage.pem'), keyPath: key }, dir));
    expect(garbage).toEqual([expect.stringMatching(/^UNDERSTUDY_TLS_CERT: .*garbage\.pem" is not a PEM certificate/)]);

    copyFileSync(join(dir, 'data', 'tls', 'ca-key.pem'), join(dir, 'other-key.pem'));
    const mismatch = await configErrorOf(prepareTls({ source: 'files', certPath: join(dir, 'data', 'tls', 'server.pem'), keyPath: join(dir, 'other-key.pem') }, dir));
    expect(mismatch).toEqual([expect.stringMatching(/^UNDERSTUDY_TLS_KEY: .*other-key\.pem" is not the private key of/)]);
  });
});
