import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildTestApp } from '../support/app.js';
import { defaultTenant } from '../../src/config/default-tenant.js';
import { CALLBACK, SPA, WEB, WEB_SECRET, exchangeCode, passwordlessLogin } from '../support/flows.js';
import { OTP_GRANT, token } from '../support/api.js';
import { startLogin } from '../support/screens.js';

/**
 * Hostile input on every route (property-based, fast-check): random and malformed query strings,
 * JSON and form bodies, deeply nested JSON, wrong content types, bodies over the limit, unicode and
 * control characters, odd methods and headers (hostile Host and Origin among them), administrator and
 * user tokens, with known parameter names and values mixed in so requests reach past the first check. For each request: no 5xx, no stack trace or internal message in the body, a body in
 * one of Understudy's shapes, and nothing stored when the request failed. Afterwards the app still
 * logs a user in.
 *
 * `npm test` runs FUZZ_RUNS (default 1500) requests from a fixed seed (FUZZ_SEED, default 20260601);
 * `npm run fuzz` runs 20,000.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const SEED = Number(process.env.FUZZ_SEED ?? 20260601);

interface Route {
  path: string;
  methods: string[];
}

/** Every route of the app, from Fastify's own route tree (so a new route is fuzzed without editing this file). */
function routesOf(app: FastifyInstance): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (.*) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = `${stack[depth - 1] ?? ''}${match[2]}`;
    stack[depth] = path;
    routes.push({ path, methods: match[3]!.split(', ') });
  }
  return routes;
}

const KEYS = [
  'client_id', 'client_secret', 'redirect_uri', 'response_type', 'response_mode', 'state', 'nonce', 'scope', 'audience', 'connection',
  'prompt', 'max_age', 'login_hint', 'screen_hint', 'code_challenge', 'code_challenge_method', 'returnTo', 'post_logout_redirect_uri',
  'id_token_hint', 'logout_hint', 'federated', 'grant_type', 'code', 'code_verifier', 'refresh_token', 'username', 'otp', 'realm', 'email',
  'phone_number', 'send', 'authParams', 'token', 'access_token', 'to', 'channel', 'after', 'advance_seconds', 'set', 'match', 'until',
  'kind', 'delay_ms', 'times', 'password', 'action', 'q', 'page', 'per_page', 'include_totals', 'search_engine', 'fields', 'name',
  'given_name', 'blocked', 'app_metadata', 'user_metadata', 'verification_code', 'passkey', 'client_assertion', 'client_assertion_type',
];

const VALUES = [
  SPA, WEB, WEB_SECRET, 'understudy-m2m', 'understudy-m2m-secret', CALLBACK, 'http://localhost:3000', 'email', 'sms', 'code', 'token',
  'id_token', 'code id_token', 'form_post', 'web_message', 'fragment', 'query', 'none', 'login', 'openid profile email offline_access',
  'jane@example.com', '+15551234567', OTP_GRANT, 'authorization_code', 'refresh_token', 'client_credentials', 'S256', 'plain',
  'resend', 'default', 'fail', 'delay', 'link', '123456', 'true', 'false', '0', '-1', '1e309', 'NaN', 'null', '[]', '{}',
  'http://understudy.test/api/v2/', 'google-oauth2', 'Username-Password-Authentication', '2026-06-01T12:00:00Z', 'x'.repeat(43),
];

/** Text that is awkward in every layer: control characters, lone surrogates, RTL marks, NUL, long runs. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\u202E', '\uFEFF', '\r\n', '%', '%ZZ', '%E0%A4%A', '%00', '../../etc/passwd', '<script>', "'\"", '\\', '__proto__', 'constructor'),
  fc.integer({ min: 1000, max: 70_000 }).map((n) => 'a'.repeat(n)),
);

const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: nasty }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'wait') });
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...VALUES) },
  { weight: 3, arbitrary: nasty },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** A query string, sometimes well-formed, sometimes broken on purpose. */
const queryString = fc.oneof(
  fc.dictionary(key, value, { maxKeys: 8 }).map((d) => new URLSearchParams(Object.entries(d).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? ''])).toString()),
  fc.array(fc.tuple(key, value), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${String(v)}`).join('&')),
  nasty,
  fc.constant(''),
);

const contentTypes = [
  'application/json', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8', 'application/json; charset=utf-16',
  'text/plain', 'text/html', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', 'application/jwt',
  'application/x-www-form-urlencoded; charset=iso-8859-1', '*/*', 'garbage', '',
];

const body = fc.oneof(
  fc.dictionary(key, value, { maxKeys: 10 }).map((d) => ({ kind: 'json', payload: JSON.stringify(d) })),
  fc.dictionary(key, value, { maxKeys: 10 }).map((d) => ({
    kind: 'form',
    payload: new URLSearchParams(Object.entries(d).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? ''])).toString(),
  })),
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ kind: 'json', payload: JSON.stringify(v) ?? 'null' })),
  fc.constantFrom('{', '{"a":', '[1,2', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', 'a=1&a=2&a[]=3', '%%%', '\u0000\u0001').map((payload) => ({ kind: 'raw', payload })),
  nasty.map((payload) => ({ kind: 'raw', payload })),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ kind: 'bytes', payload: Buffer.from(bytes) })),
  fc.constant({ kind: 'oversized', payload: `grant_type=${'x'.repeat(70_000)}` }),
  // Nested past the 32-level bound, up to what fits in the body limit.
  fc.integer({ min: 33, max: 30_000 }).map((depth) => ({ kind: 'json', payload: `{"client_id":${'['.repeat(depth)}1${']'.repeat(depth)},"user_metadata":{}}` })),
  fc.constant({ kind: 'none', payload: undefined }),
);

const ADMIN_SCOPES = 'read:users create:users update:users delete:users read:clients read:client_keys read:connections read:authentication_methods delete:authentication_methods read:current_user update:current_user_metadata delete:current_user';

const STACK_TRACE = /^\s+at\s|\bat [\w$.<>]+ \(|\.[cm]?[jt]s:\d+(:\d+)?|\b[A-Z]\w*Error:|node:internal|\/node_modules\//m;

let app: FastifyInstance;
let routes: Route[];
let managementToken: string;
/** A user's token for the Management API audience, asking for every scope (it gets only *:current_user*). */
let userManagementToken: string;
let transaction: { state: string; cookie: string };

beforeAll(async () => {
  // Limits high enough never to bite (so requests reach the handlers), still computed on every request.
  ({ app } = await buildTestApp({
    tenant: {
      ...defaultTenant,
      connections: [...(defaultTenant.connections ?? []), { name: 'google-oauth2', strategy: 'google-oauth2' }, { name: 'Username-Password-Authentication', strategy: 'auth0' }],
      rate_limits: { passwordless_start: { max: 1e6, window_seconds: 60 }, login_identifier: { max: 1e6, window_seconds: 60 }, oauth_token: { max: 1e6, window_seconds: 1 }, userinfo: { max: 1e6, window_seconds: 60 } },
    },
  }));
  routes = routesOf(app);
  const m2m = await token(app, { grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: 'understudy-m2m-secret', audience: 'http://understudy.test/api/v2/' });
  managementToken = m2m.json().access_token;
  const email = 'fuzz.user@example.com';
  await app.inject({ method: 'POST', url: '/passwordless/start', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ client_id: SPA, connection: 'email', email, send: 'code' }) });
  const code = (await app.inject(`/_dev/api/messages/latest?to=${email}`)).json().code;
  const userToken = await token(app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: email, otp: code, audience: 'http://understudy.test/api/v2/', scope: `openid ${ADMIN_SCOPES}` });
  userManagementToken = userToken.json().access_token;
  const s = await startLogin(app);
  transaction = { state: s.state, cookie: [...s.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
});
afterAll(async () => app.close());

const request = fc.record({
  route: fc.nat(),
  methodChoice: fc.oneof({ weight: 9, arbitrary: fc.constant('route') }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') }),
  param: fc.oneof(fc.constantFrom('auth0|jane', 'email|abc', 'msg_1'), nasty),
  query: queryString,
  body,
  contentType: fc.oneof(fc.constantFrom(...contentTypes), nasty),
  auth: fc.oneof(fc.constant(undefined), fc.constant('management'), fc.constant('user'), nasty.map((v) => `Bearer ${v}`), nasty.map((v) => `Basic ${v}`), nasty),
  withTransaction: fc.boolean(),
  accept: fc.constantFrom(undefined, 'text/html', 'application/json', '*/*'),
  extraHeader: fc.option(
    fc.oneof(
      fc.tuple(fc.constantFrom('x-forwarded-for', 'origin', 'auth0-client', 'x-request-language', 'cookie', 'accept-language', 'dpop', 'host'), nasty),
      fc.tuple(fc.constantFrom('host', 'origin'), fc.constantFrom('rebind.attacker.test', 'http://evil.example', 'null', 'understudy.test.evil.example:80', '[::1]:1', '127.0.0.1.nip.io')),
    ),
  ),
});

/** Lone surrogates replaced, so encodeURIComponent can take it (the raw ones still go out in query strings and bodies). */
const wellFormed = (text: string): string => text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

function toInject(r: FuzzRequest): InjectOptions {
  const route = routes[r.route % routes.length]!;
  const method = (r.methodChoice === 'route' ? route.methods[r.route % route.methods.length] : r.methodChoice) as InjectOptions['method'];
  let path = route.path.replace(/:[a-z]+/gi, () => encodeURIComponent(wellFormed(String(r.param))));
  if (path === '*') path = '/oauth/token';
  let query = String(r.query);
  // A long poll would only make the run slow.
  if (path.startsWith('/_dev/api/messages')) query = query.replace(/(^|&)wait=[^&]*/g, '');
  if (r.withTransaction && path.startsWith('/u/')) query = `state=${encodeURIComponent(transaction.state)}&${query}`;
  const headers: Record<string, string> = {};
  const safe = (v: string): string => v.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
  if (r.body.kind !== 'none' && r.contentType) headers['content-type'] = safe(String(r.contentType));
  if (r.auth === 'management') headers.authorization = `Bearer ${managementToken}`;
  else if (r.auth === 'user') headers.authorization = `Bearer ${userManagementToken}`;
  else if (r.auth !== undefined) headers.authorization = safe(String(r.auth));
  if (r.accept) headers.accept = r.accept;
  if (r.withTransaction) headers.cookie = transaction.cookie;
  if (r.extraHeader) headers[r.extraHeader[0]] = safe(String(r.extraHeader[1]));
  return {
    method,
    url: `${path}${query ? `?${query}` : ''}`,
    headers,
    ...(r.body.kind !== 'none' && method !== 'GET' && method !== 'HEAD' ? { payload: r.body.payload as string | Buffer } : {}),
  };
}

async function snapshot(): Promise<string> {
  const users = await app.deps.store.listUsers();
  const messages = await app.deps.store.listMessages({});
  const dev = [await app.deps.fixedCodes.list(), app.deps.clock.offsetMs()];
  return JSON.stringify([users.map((u) => [u.user_id, u.email, u.blocked, u.app_metadata, u.user_metadata, u.name]), messages.map((m) => m.id), dev]);
}

function checkResponse(options: InjectOptions, response: LightMyRequestResponse): void {
  const where = `${options.method} ${String(options.url).slice(0, 200)} -> ${response.statusCode}: ${response.body.slice(0, 300)}`;
  // 502 is the answer for a simulated delivery fault (which the fuzzer may set through the dev API).
  const simulatedFault = response.statusCode === 502 && /couldn't send/.test(response.body);
  expect(response.statusCode < 500 || simulatedFault, where).toBe(true);
  expect(response.body, where).not.toMatch(STACK_TRACE);
  const type = String(response.headers['content-type'] ?? '');
  if (response.body.length && options.method !== 'HEAD') {
    expect(type, where).toMatch(/^(application\/json|text\/html|application\/x-pem-file)/);
    if (type.startsWith('application/json') && response.statusCode >= 400) {
      const json = response.json() as Record<string, unknown>;
      const auth0Shape = typeof json.error === 'string' && typeof json.error_description === 'string';
      const managementShape = typeof json.statusCode === 'number' && typeof json.message === 'string';
      // The database connections' endpoints answer in Auth0's older envelope, or a bare `{error}` (docs/research/auth0-database-connections.md §1.3).
      const legacyShape = String(options.url).startsWith('/dbconnections/') && typeof json.code === 'string' && json.description !== undefined && typeof json.statusCode === 'number';
      const bareShape = String(options.url).startsWith('/dbconnections/') && typeof json.error === 'string';
      expect(auth0Shape || managementShape || legacyShape || bareShape, where).toBe(true);
    }
  }
}

describe(`hostile input on every route (${RUNS} requests, seed ${SEED})`, () => {
  it('knows the routes it fuzzes', () => {
    const paths = routes.map((r) => r.path);
    for (const path of ['/authorize', '/authorize/resume', '/u/login/identifier', '/u/login/passwordless-email-challenge', '/oauth/token', '/userinfo', '/passwordless/start', '/api/v2/users/:id', '/_dev/api/messages/latest', '/v2/logout']) {
      expect(paths).toContain(path);
    }
  });

  it('answers every request without a 5xx, a stack trace, or a change to the store when it refuses', { timeout: Math.max(120_000, RUNS * 100) }, async () => {
    const started = Date.now();
    let count = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const options = toInject(r);
        const before = await snapshot();
        const response = await app.inject(options);
        checkResponse(options, response);
        if (response.statusCode >= 400) expect(await snapshot(), `${options.method} ${options.url} changed the store`).toBe(before);
        count++;
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // Shown in the test output: how much was thrown at it and how fast.
    const histogram = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
    process.stdout.write(`fuzz: ${count} requests in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}): ${histogram}\n`);
  });

  it('a user token at every Management route, with every method and body: no 5xx, nothing another user owns read or changed', async () => {
    const before = await snapshot();
    const others = (await app.deps.store.listUsers()).filter((u) => u.email !== 'fuzz.user@example.com');
    for (const route of routes.filter((r) => r.path.startsWith('/api/v2/'))) {
      for (const method of ['GET', 'POST', 'PATCH', 'DELETE'] as const) {
        for (const other of others.slice(0, 3)) {
          const path = route.path.replace(':id', encodeURIComponent(other.user_id)).replace(':method', 'passkey%7Cx');
          for (const payload of [undefined, '{"user_metadata":{"x":1},"email":"taken@example.com","blocked":true,"password":"Pw-1234567890"}', `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`]) {
            const options: InjectOptions = { method, url: `${path}${path.includes('user-blocks') && !path.includes(other.user_id) ? `?identifier=${other.email}` : ''}`, headers: { authorization: `Bearer ${userManagementToken}`, ...(payload ? { 'content-type': 'application/json' } : {}) }, ...(payload ? { payload } : {}) };
            const response = await app.inject(options);
            checkResponse(options, response);
            expect(response.statusCode, `${method} ${options.url}`).toBeGreaterThanOrEqual(400);
            expect(response.body).not.toContain(other.email ?? other.user_id);
            expect(response.body).not.toContain('"client_secret":');
          }
        }
      }
    }
    expect(await snapshot()).toBe(before);
  });

  it('a hostile Host or Origin at every dev route: no 5xx, no change to the store or to the dev state', async () => {
    const before = await snapshot();
    for (const route of routes.filter((r) => r.path.startsWith('/_dev/'))) {
      for (const method of route.methods.filter((m) => m !== 'HEAD' && m !== 'OPTIONS')) {
        const path = route.path.replace(/:[a-z]+/gi, 'x');
        for (const headers of [{ host: 'rebind.attacker.test' }, { origin: 'http://evil.example' }, { origin: 'null' }, { origin: 'http://evil.example', 'content-type': 'text/plain' }]) {
          const options: InjectOptions = { method: method as InjectOptions['method'], url: path.startsWith('/_dev/api/messages') ? path : `${path}`, headers, ...(method === 'GET' ? {} : { payload: headers['content-type'] ? 'match=*&code=000000' : undefined }) };
          const response = await app.inject(options);
          checkResponse(options, response);
          // Reads with a rebound Host are refused; with a foreign Origin, only changes are.
          if ('host' in headers || method !== 'GET') expect(response.statusCode, `${method} ${path} ${JSON.stringify(headers)}`).toBeGreaterThanOrEqual(400);
        }
      }
    }
    expect(await snapshot()).toBe(before);
  });

  it('slow bodies (a byte every 50 ms, at most 4 s each) on the JSON, form and Management routes end in 408, and the server keeps serving', async () => {
    const { app: slow } = await buildTestApp({ app: { connections: { requestTimeoutMs: 700, headersTimeoutMs: 700, idleTimeoutMs: 31_000, maxConnections: 50 } } });
    await slow.listen({ port: 0, host: '127.0.0.1' });
    const port = (slow.server.address() as { port: number }).port;
    const { connect } = await import('node:net');
    try {
      const answers = await Promise.all(['/passwordless/start', '/oauth/token', '/api/v2/users', '/_dev/api/fixed-codes', '/u/login/identifier?state=x'].map((path) => new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let received = '';
        let sent = 0;
        socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
        socket.on('error', () => undefined);
        socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n`);
        const drip = setInterval(() => (sent++ >= 80 || socket.destroyed ? (clearInterval(drip), socket.destroy()) : socket.write('[')), 50);
        socket.once('close', () => {
          clearInterval(drip);
          resolve(received);
        });
      })));
      for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await slow.close();
    }
  });

  it('answers a malformed path or an over-long path segment in Auth0\'s shape, not Fastify\'s', async () => {
    for (const [url, description] of [
      ['/%E0%A4%A', 'The request URL is malformed'],
      ['/authorize%', 'The request URL is malformed'],
      [`/api/v2/users/${'x'.repeat(500)}`, 'A path segment is too long'],
    ] as const) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toEqual({ error: 'invalid_request', error_description: description });
    }
  });

  it('still logs a known user in afterwards', async () => {
    // Undo what the fuzzer may have set through the dev API (clock, faults, fixed codes), not the store.
    for (const url of ['/_dev/api/clock', '/_dev/api/faults', '/_dev/api/fixed-codes']) await app.inject({ method: 'DELETE', url });
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    const { callback, verifier } = await passwordlessLogin(app, { identifier: 'after.fuzz@example.com', params: { connection: 'email' } });
    const tokens = await exchangeCode(app, { client_id: SPA, code: callback.searchParams.get('code')!, code_verifier: verifier });
    expect(tokens.statusCode, tokens.body).toBe(200);
  });
});
