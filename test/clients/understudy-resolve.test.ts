import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * understudy/resolve (src/testing/resolve.cjs), preloaded as users preload it: a Node process resolves
 * the configured names to loopback for dns.lookup, its promise forms, http and the built-in fetch, and
 * hands the preload on to the processes it starts through NODE_OPTIONS (as `next start` does to its
 * workers), and reads the names at each lookup. Every other name resolves as before.
 */
const PRELOAD = fileURLToPath(new URL('../../src/testing/resolve.cjs', import.meta.url));
const run = promisify(execFile);
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => res.end(`reached ${req.headers.host}`));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function node(script: string, env: Record<string, string>, preload: 'argument' | 'NODE_OPTIONS' = 'argument'): Promise<{ stdout: string; stderr: string }> {
  const args = preload === 'argument' ? ['--require', PRELOAD, '-e', script] : ['-e', script];
  return run(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...(preload === 'NODE_OPTIONS' ? { NODE_OPTIONS: `--require ${PRELOAD}` } : {}), ...env },
    timeout: 20_000,
  });
}

const LOOKUPS = `
const dns = require('node:dns');
const { promisify } = require('node:util');
const http = require('node:http');
(async () => {
  const out = {};
  out.callback = await new Promise((r) => dns.lookup('understudy.test', (e, a, f) => r(e ? e.code : a + '/' + f)));
  out.all = await new Promise((r) => dns.lookup('Understudy.Test', { all: true }, (e, a) => r(e ? e.code : a)));
  out.ipv6 = await new Promise((r) => dns.lookup('understudy.test', 6, (e, a) => r(e ? e.code : a)));
  out.promisified = await promisify(dns.lookup)('understudy.test');
  out.promises = await require('node:dns/promises').lookup('understudy.test');
  out.fetch = await (await fetch('http://understudy.test:' + process.env.PORT + '/')).text();
  out.http = await new Promise((r, j) => http.get('http://understudy.test:' + process.env.PORT + '/', (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => r(b)); }).on('error', j));
  out.other = await new Promise((r) => dns.lookup('not-configured.invalid', (e, a) => r(e ? 'not found' : a)));
  console.log(JSON.stringify(out));
})();
`;

describe('node --require understudy/resolve', () => {
  it('resolves UNDERSTUDY_HOSTS to loopback for dns.lookup in every form, http and fetch, and nothing else', async () => {
    const { stdout } = await node(LOOKUPS, { UNDERSTUDY_HOSTS: 'understudy.test, other.test' });
    expect(JSON.parse(stdout)).toEqual({
      callback: '127.0.0.1/4',
      all: [{ address: '127.0.0.1', family: 4 }],
      ipv6: '::1',
      promisified: { address: '127.0.0.1', family: 4 },
      promises: { address: '127.0.0.1', family: 4 },
      fetch: `reached understudy.test:${port}`,
      http: `reached understudy.test:${port}`,
      other: 'not found',
    });
  });

  it.each([
    [{ AUTH0_DOMAIN: 'understudy.test' }],
    [{ AUTH0_DOMAIN: 'https://understudy.test' }],
    [{ AUTH0_ISSUER_BASE_URL: 'https://understudy.test/' }],
    [{ ISSUER_BASE_URL: 'https://understudy.test/' }],
    [{ AUTH_AUTH0_ISSUER: 'https://understudy.test/' }],
  ])('without UNDERSTUDY_HOSTS takes the name from the SDK setting %j', async (env) => {
    const { stdout } = await node(`console.log(JSON.stringify(require(${JSON.stringify(PRELOAD)}).hosts))`, env);
    expect(JSON.parse(stdout)).toEqual(['understudy.test']);
  });

  it('UNDERSTUDY_HOSTS wins over the SDK settings', async () => {
    const { stdout } = await node(`console.log(JSON.stringify(require(${JSON.stringify(PRELOAD)}).hosts))`, { UNDERSTUDY_HOSTS: 'a.test,b.test', AUTH0_DOMAIN: 'c.test' });
    expect(JSON.parse(stdout)).toEqual(['a.test', 'b.test']);
  });

  it('through NODE_OPTIONS, reaches a process that this one starts', async () => {
    const child = `require('node:child_process').execFileSync(process.execPath, ['-e', "require('node:dns').lookup('understudy.test', (e, a) => console.log(e ? e.code : a))"], { stdio: 'inherit' })`;
    const { stdout } = await node(child, { AUTH0_DOMAIN: 'understudy.test' }, 'NODE_OPTIONS');
    expect(stdout.trim()).toBe('127.0.0.1');
  });

  it('reads the names at each lookup, so settings put into process.env later (Next.js .env.local) count', async () => {
    const script = `process.env.AUTH0_DOMAIN = 'late.test'; require('node:dns').lookup('late.test', (e, a) => console.log(e ? e.code : a))`;
    const { stdout, stderr } = await node(script, {});
    expect(stdout.trim()).toBe('127.0.0.1');
    expect(stderr).toBe('');
  });

  it('says so at a lookup while no name is set, once, and resolves as usual', async () => {
    const script = `const dns = require('node:dns'); dns.lookup('localhost', () => dns.lookup('localhost', (e, a) => console.log(a)))`;
    const { stdout, stderr } = await node(script, {});
    expect(stdout.trim()).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect(stderr.match(/understudy\/resolve: no host name set/g)).toHaveLength(1);
  });
});
