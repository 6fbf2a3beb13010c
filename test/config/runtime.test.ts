import { describe, expect, it } from 'vitest';
import { isLoopbackHost, loadRuntimeConfig, normalizeIssuer } from '../../src/config/runtime.js';
import { runtimeProblems } from '../support/config-problems.js';

const problemsOf = runtimeProblems;

describe('loadRuntimeConfig', () => {
  it('defaults to localhost:4000 with the issuer on that port, dev routes on, and the embedded tenant', () => {
    expect(loadRuntimeConfig({}, [])).toEqual({
      port: 4000,
      host: 'localhost',
      issuer: 'http://localhost:4000/',
      dataDir: './.understudy',
      tenantPath: undefined,
      devRoutes: true,
      logLevel: 'info',
      logFormat: 'auto',
      signingKey: undefined,
      rateLimits: true,
      trustProxy: false,
      mailboxLimit: 1000,
      devToken: undefined,
      keywords: undefined,
      overlayPath: undefined,
      connections: { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, idleTimeoutMs: 65_000, maxConnections: 1024 },
      devHosts: [],
      // Unset: the tenant file's `store` decides, else memory.
      store: undefined,
      seedPath: undefined,
    });
  });

  it('reads PORT, HOST, UNDERSTUDY_DATA_DIR, LOG_LEVEL, LOG_FORMAT and UNDERSTUDY_SIGNING_KEY', () => {
    const config = loadRuntimeConfig({
      PORT: '5001',
      HOST: '0.0.0.0',
      UNDERSTUDY_DATA_DIR: ' /var/lib/understudy ',
      LOG_LEVEL: 'DEBUG',
      LOG_FORMAT: 'json',
      UNDERSTUDY_SIGNING_KEY: '  {"kty":"RSA"}\n',
    });
    expect(config).toMatchObject({
      port: 5001,
      host: '0.0.0.0',
      issuer: 'http://localhost:5001/',
      dataDir: '/var/lib/understudy',
      logLevel: 'debug',
      logFormat: 'json',
      signingKey: '{"kty":"RSA"}',
    });
  });

  describe('PORT', () => {
    it.each(['0', '1', '8080', '65535'])('accepts %s', (port) => {
      expect(loadRuntimeConfig({ PORT: port }).port).toBe(Number(port));
    });

    it.each(['abc', '-1', '65536', '80.5', '4000abc'])('refuses %j, naming PORT', (port) => {
      const problems = problemsOf({ PORT: port });
      expect(problems).toEqual([expect.stringMatching(/^PORT: .*must be an integer/)]);
      expect(problems[0]).toContain(`"${port}"`);
    });

    it('treats an empty PORT as unset (4000), as compose files pass "PORT=" for an unset variable', () => {
      expect(loadRuntimeConfig({ PORT: '' }).port).toBe(4000);
      expect(loadRuntimeConfig({ PORT: '  ' }).port).toBe(4000);
    });
  });

  describe('ISSUER_BASE_URL', () => {
    it.each([
      ['http://localhost:4000', 'http://localhost:4000/'],
      ['https://auth.example.com', 'https://auth.example.com/'],
      ['https://auth.example.com/', 'https://auth.example.com/'],
      ['https://example.com/understudy', 'https://example.com/understudy/'],
      ['https://example.com/understudy/', 'https://example.com/understudy/'],
      ['HTTPS://Auth.Example.COM:443', 'https://auth.example.com/'],
    ])('%s becomes the issuer %s, always with a trailing slash', (value, issuer) => {
      expect(loadRuntimeConfig({ ISSUER_BASE_URL: value }).issuer).toBe(issuer);
      expect(normalizeIssuer(value)).toBe(issuer);
    });

    it('is independent of PORT when given', () => {
      expect(loadRuntimeConfig({ PORT: '4000', ISSUER_BASE_URL: 'https://login.example.test' })).toMatchObject({
        port: 4000,
        issuer: 'https://login.example.test/',
      });
    });

    it.each(['localhost:4000/x', 'not a url', 'ftp://example.com/', 'https://example.com/?tenant=a', 'https://example.com/#x'])(
      'refuses %j, naming ISSUER_BASE_URL',
      (value) => {
        expect(problemsOf({ ISSUER_BASE_URL: value })).toEqual([expect.stringMatching(/^ISSUER_BASE_URL: /)]);
      },
    );
  });

  describe('tenant file: --config and UNDERSTUDY_CONFIG', () => {
    it.each([
      [['--config', 'tenant.yaml']],
      [['--config=tenant.yaml']],
      [['-c', 'tenant.yaml']],
    ])('reads the path from %j', (argv) => {
      expect(loadRuntimeConfig({}, argv).tenantPath).toBe('tenant.yaml');
    });

    it('reads the path from UNDERSTUDY_CONFIG, trimmed', () => {
      expect(loadRuntimeConfig({ UNDERSTUDY_CONFIG: ' ./config/tenant.json ' }).tenantPath).toBe('./config/tenant.json');
      expect(loadRuntimeConfig({ UNDERSTUDY_CONFIG: '   ' }).tenantPath).toBeUndefined();
    });

    it('prefers --config over UNDERSTUDY_CONFIG', () => {
      expect(loadRuntimeConfig({ UNDERSTUDY_CONFIG: 'from-env.yaml' }, ['--config', 'from-cli.yaml']).tenantPath).toBe('from-cli.yaml');
    });

    it('refuses --config without a path, naming --config', () => {
      expect(problemsOf({}, ['--config'])).toEqual([expect.stringMatching(/^--config: /)]);
    });
  });

  describe('UNDERSTUDY_DEV_ROUTES', () => {
    it.each(['false', 'FALSE', '0', 'no', 'off'])('%j turns the dev routes off', (value) => {
      expect(loadRuntimeConfig({ UNDERSTUDY_DEV_ROUTES: value }).devRoutes).toBe(false);
    });

    it.each(['true', 'True', '1', 'yes', 'on', ''])('%j keeps the dev routes on', (value) => {
      expect(loadRuntimeConfig({ UNDERSTUDY_DEV_ROUTES: value }).devRoutes).toBe(true);
    });

    it.each(['maybe', 'disabled', '2'])('refuses %j, naming UNDERSTUDY_DEV_ROUTES', (value) => {
      expect(problemsOf({ UNDERSTUDY_DEV_ROUTES: value })).toEqual([expect.stringMatching(/^UNDERSTUDY_DEV_ROUTES: /)]);
    });
  });

  describe('hardening settings', () => {
    it.each(['off', 'false', '0', 'no'])('UNDERSTUDY_RATE_LIMITS=%s turns the rate limits off', (value) => {
      expect(loadRuntimeConfig({ UNDERSTUDY_RATE_LIMITS: value }).rateLimits).toBe(false);
    });

    it('refuses an unclear UNDERSTUDY_RATE_LIMITS, naming it', () => {
      expect(problemsOf({ UNDERSTUDY_RATE_LIMITS: 'sometimes' })).toEqual([expect.stringMatching(/^UNDERSTUDY_RATE_LIMITS: /)]);
    });

    it.each([
      ['', false],
      ['false', false],
      ['true', true],
      ['2', 2],
      ['10.0.0.1', '10.0.0.1'],
      ['10.0.0.0/8, 192.168.1.1', '10.0.0.0/8,192.168.1.1'],
      ['loopback,fd00::/8', 'loopback,fd00::/8'],
    ] as const)('UNDERSTUDY_TRUST_PROXY=%j trusts %j', (value, trust) => {
      expect(loadRuntimeConfig({ UNDERSTUDY_TRUST_PROXY: value }).trustProxy).toEqual(trust);
    });

    it.each(['everyone', '10.0.0.0/33', '10.0.0.1/x', '300.1.1.1', '10.0.0.1,,'])('refuses UNDERSTUDY_TRUST_PROXY=%j, naming it', (value) => {
      expect(problemsOf({ UNDERSTUDY_TRUST_PROXY: value })).toEqual([expect.stringMatching(/^UNDERSTUDY_TRUST_PROXY: /)]);
    });

    it('reads UNDERSTUDY_MAILBOX_LIMIT and refuses anything but a positive integer', () => {
      expect(loadRuntimeConfig({ UNDERSTUDY_MAILBOX_LIMIT: '25' }).mailboxLimit).toBe(25);
      for (const value of ['0', '-1', 'ten', '2.5']) expect(problemsOf({ UNDERSTUDY_MAILBOX_LIMIT: value })).toEqual([expect.stringMatching(/^UNDERSTUDY_MAILBOX_LIMIT: /)]);
    });

    it('reads UNDERSTUDY_DEV_TOKEN and refuses one short enough to guess', () => {
      expect(loadRuntimeConfig({ UNDERSTUDY_DEV_TOKEN: ' a-long-enough-dev-token ' }).devToken).toBe('a-long-enough-dev-token');
      expect(problemsOf({ UNDERSTUDY_DEV_TOKEN: 'short' })).toEqual([expect.stringMatching(/^UNDERSTUDY_DEV_TOKEN: /)]);
    });

    it('reads UNDERSTUDY_DEV_HOSTS as host names and refuses URLs or ports, naming the value', () => {
      expect(loadRuntimeConfig({ UNDERSTUDY_DEV_HOSTS: ' Understudy , mailbox.example.test,10.0.0.5' }).devHosts).toEqual(['understudy', 'mailbox.example.test', '10.0.0.5']);
      expect(loadRuntimeConfig({}).devHosts).toEqual([]);
      for (const value of ['http://understudy', 'understudy:4000', 'a b']) {
        expect(problemsOf({ UNDERSTUDY_DEV_HOSTS: value })).toEqual([expect.stringMatching(/^UNDERSTUDY_DEV_HOSTS: ".*" is not a host name/)]);
      }
    });

    it.each([
      ['localhost', true],
      ['127.0.0.1', true],
      ['127.1.2.3', true],
      ['::1', true],
      ['[::1]', true],
      ['app.localhost', true],
      ['0.0.0.0', false],
      ['::', false],
      ['192.168.1.10', false],
      ['example.com', false],
    ] as const)('isLoopbackHost(%j) is %j', (host, loopback) => {
      expect(isLoopbackHost(host)).toBe(loopback);
    });
  });

  describe('logging', () => {
    it('refuses an unknown LOG_LEVEL and LOG_FORMAT, naming each', () => {
      expect(problemsOf({ LOG_LEVEL: 'verbose' })).toEqual([expect.stringMatching(/^LOG_LEVEL: /)]);
      expect(problemsOf({ LOG_FORMAT: 'xml' })).toEqual([expect.stringMatching(/^LOG_FORMAT: /)]);
    });
  });

  describe('command line', () => {
    it.each([[['--port', '4000']], [['tenant.yaml']], [['--verbose']]])('refuses the unknown argument in %j, naming it', (argv) => {
      const problems = problemsOf({}, argv);
      expect(problems[0]).toMatch(new RegExp(`^${argv[0]!.replace(/[-.]/g, '\\$&')}: unknown argument`));
    });
  });

  it('reports every problem at once, in one ConfigError', () => {
    const problems = problemsOf({ PORT: 'eighty', UNDERSTUDY_DEV_ROUTES: 'perhaps', LOG_LEVEL: 'loud' }, ['--bogus']);
    expect(problems).toHaveLength(4);
    for (const name of ['PORT', 'UNDERSTUDY_DEV_ROUTES', 'LOG_LEVEL', '--bogus']) {
      expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${name}: `)));
    }
  });
});
