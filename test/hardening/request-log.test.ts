import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { TEST_ISSUER, buildTestApp } from '../support/app.js';
import { CALLBACK, WEB, WEB_SECRET, exchangeCode, pkcePair } from '../support/flows.js';
import { token } from '../support/api.js';
import { postChallenge, reachChallenge, startLogin } from '../support/screens.js';
import { describeUrl } from '../../src/http/request-log.js';
import { maskRecipient } from '../../src/otp/otp-log.js';

/**
 * LOG_LEVEL=debug on a whole Universal Login (email code, a wrong code first, then tokens, a refresh
 * and userinfo): one line per request, naming its method, path, status and time, and the login
 * transaction on the steps that belong to one; the info lines a login's steps leave (code sent, code
 * refused and accepted, token issued); and no code, token, secret or whole transaction id anywhere,
 * with the dev routes off. With them on, the only exception is the dev mailbox's line for each message,
 * the line people read their codes from (see logs.test.ts).
 */
const EMAIL = 'debug.user@example.com';

interface Made {
  method: string;
  path: string;
  status: number;
}

interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** An app logging at debug into `lines`, whose every app.inject() is recorded in `made`. */
async function debugApp(devRoutes: boolean): Promise<{ app: FastifyInstance; lines: Line[]; made: Made[] }> {
  const lines: Line[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  const { app } = await buildTestApp({ devRoutes, app: { logger } });
  const made: Made[] = [];
  const inject = app.inject.bind(app) as (options: InjectOptions) => Promise<LightMyRequestResponse>;
  (app as unknown as { inject: typeof inject }).inject = async (options) => {
    const response = await inject(options);
    made.push({ method: String(options.method ?? 'GET'), path: describeUrl(String(options.url)).path, status: response.statusCode });
    return response;
  };
  return { app, lines, made };
}

/** The login, returning every secret it handed out or sent. */
async function login(app: FastifyInstance, devRoutes: boolean): Promise<{ secrets: string[]; transaction: string }> {
  const { verifier, challenge } = pkcePair();
  const s = await startLogin(app, { client_id: WEB, connection: 'email', scope: 'openid email offline_access', code_challenge: challenge });
  const path = await reachChallenge(s, EMAIL);
  // A test reads the code from the mailbox API; with the dev routes off, from the outbox itself.
  const code = devRoutes
    ? (await app.inject({ method: 'GET', url: `/_dev/api/messages/latest?to=${encodeURIComponent(EMAIL)}&wait=1000` })).json<{ code: string }>().code
    : (await app.deps.outbox.list({ to: EMAIL }))[0]!.code!;
  expect(code).toMatch(/^\d{6}$/);
  expect((await postChallenge(s, path, { code: code === '000000' ? '111111' : '000000' })).statusCode).toBe(400);
  const done = await postChallenge(s, path, { code });
  expect(done.statusCode, done.body).toBe(302);
  const resumed = await s.browser.get(String(done.headers.location));
  const authCode = new URL(String(resumed.headers.location)).searchParams.get('code')!;
  const exchanged = await exchangeCode(app, { client_id: WEB, client_secret: WEB_SECRET, code: authCode, code_verifier: verifier, redirect_uri: CALLBACK });
  expect(exchanged.statusCode, exchanged.body).toBe(200);
  const tokens = exchanged.json<{ access_token: string; id_token: string; refresh_token: string }>();
  const refreshed = (await token(app, { grant_type: 'refresh_token', client_id: WEB, client_secret: WEB_SECRET, refresh_token: tokens.refresh_token })).json();
  expect(refreshed.access_token).toBeTruthy();
  expect((await app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } })).statusCode).toBe(200);
  const secrets = [code, authCode, verifier, WEB_SECRET, tokens.access_token, tokens.id_token, tokens.refresh_token, refreshed.access_token, refreshed.id_token, s.state, ...s.browser.cookies.values()];
  return { secrets: secrets.filter((x) => typeof x === 'string' && x.length >= 6), transaction: s.state };
}

const isRequestLine = (line: Line): boolean => line.level === 20 && typeof line.path === 'string' && typeof line.status === 'number';
const isDevCodeLine = (line: Line): boolean => /^(email|SMS) to /.test(line.msg) && line.code !== undefined;

describe('LOG_LEVEL=debug over a whole login', () => {
  for (const devRoutes of [false, true]) {
    it(`logs every request, the login's steps, and no code, token or secret (dev routes ${devRoutes ? 'on' : 'off'})`, async () => {
      const { app, lines, made } = await debugApp(devRoutes);
      const { secrets, transaction } = await login(app, devRoutes);

      // One request line per request, in order, with what was asked and answered.
      const requests = lines.filter(isRequestLine);
      expect(requests.map((l) => ({ method: l.method, path: l.path, status: l.status }))).toEqual(made);
      expect(made.length).toBeGreaterThanOrEqual(devRoutes ? 9 : 8);
      for (const line of requests) {
        expect(line.ms).toEqual(expect.any(Number));
        expect(line.reqId).toEqual(expect.any(String));
      }
      // Query parameters by name only.
      const authorize = requests.find((l) => l.path === '/authorize')!;
      expect(authorize.query).toEqual(expect.arrayContaining(['client_id', 'redirect_uri', 'code_challenge', 'state']));
      expect(authorize.msg).toMatch(/^GET \/authorize\?client_id&.* 302 \(\d+ ms, login \S+\)$/);
      // The login's steps carry its transaction (a prefix of it); the API calls carry none.
      const short = transaction.slice(0, 8);
      for (const line of requests) {
        const path = String(line.path);
        const inLogin = path === '/authorize' || path.startsWith('/u/') || path === '/authorize/resume';
        expect(line.transaction, line.msg).toBe(inLogin ? short : undefined);
      }

      // The info lines of the login's steps.
      const info = lines.filter((l) => l.level === 30).map((l) => l.msg);
      expect(info).toContainEqual(expect.stringMatching(/^email to /));
      expect(info).toContain(`passwordless login refused: wrong code for ${maskRecipient(EMAIL)} (email)`);
      expect(info).toContain(`passwordless login: code accepted for ${maskRecipient(EMAIL)} (email)`);
      expect(info).toContain(`token issued: authorization_code to ${WEB}`);
      // The screens' own lines: the wrong code refused, then the login that succeeded.
      expect(info).toContain('login step refused on email-challenge: wrong_code');
      expect(info).toContain('login succeeded on email-challenge');
      expect(info).toContain(`token issued: refresh_token to ${WEB}`);

      // No secret anywhere, the dev mailbox's own code line (dev routes on) aside.
      const checked = lines.filter((l) => !isDevCodeLine(l));
      expect(checked.length).toBe(lines.length - (devRoutes ? 1 : 0));
      for (const line of checked) {
        const text = JSON.stringify(line);
        for (const secret of secrets) expect(text, `a secret in ${text}`).not.toContain(secret);
      }
      await app.close();
    });
  }

  it('logs no request line below debug', async () => {
    const lines: Line[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
    const { app } = await buildTestApp({ app: { logger } });
    expect((await app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).statusCode).toBe(200);
    expect(lines.filter(isRequestLine)).toEqual([]);
    await app.close();
  });

  it('names token requests by grant, client and audience', async () => {
    const lines: Line[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
    const { app } = await buildTestApp({ app: { logger } });
    const m2m = await token(app, { grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: 'understudy-m2m-secret', audience: 'http://understudy.test/api/v2/' });
    expect(m2m.statusCode, m2m.body).toBe(200);
    const issued = lines.find((l) => l.msg.startsWith('token issued'))!;
    expect(issued).toMatchObject({ grantType: 'client_credentials', clientId: 'understudy-m2m', audience: 'http://understudy.test/api/v2/' });
    expect(issued.msg).toBe('token issued: client_credentials to understudy-m2m for http://understudy.test/api/v2/');
    expect(JSON.stringify(lines)).not.toContain(m2m.json().access_token);
    await app.close();
  });
});

describe('request URLs in the log', () => {
  it('keep the path and the names of the query, never its values', () => {
    expect(describeUrl('/passwordless/verify_redirect?verification_code=123456&email=a%40b.c&client_id=x')).toEqual({
      path: '/passwordless/verify_redirect',
      query: ['verification_code', 'email', 'client_id'],
    });
    expect(describeUrl('/authorize?login_ticket=T&login_ticket=T2&bad=%E0%A4%A')).toEqual({ path: '/authorize', query: ['login_ticket', 'bad'] });
    expect(describeUrl('/healthz')).toEqual({ path: '/healthz', query: [] });
    expect(describeUrl(`/${'a'.repeat(500)}`).path.length).toBe(200);
  });

  it('mask recipients', () => {
    expect(maskRecipient('jane.doe@example.com')).toBe('j***@example.com');
    expect(maskRecipient('+15551234567')).toBe('+15*******67');
    expect(maskRecipient('+1555')).toBe('***');
  });

  it("names the API a machine token is for in its info line, and the response carries only Auth0's fields", async () => {
    const { app, lines } = await debugApp(true);
    const audience = `${TEST_ISSUER}api/v2/`;
    const issued = await app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: 'understudy-m2m-secret', audience } });
    expect(issued.statusCode, issued.body).toBe(200);
    expect(Object.keys(issued.json() as object).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(lines.filter((l) => l.level === 30).map((l) => l.msg)).toContain(`token issued: client_credentials to understudy-m2m for ${audience}`);
    await app.close();
  });
});
