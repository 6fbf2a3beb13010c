import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../support/app.js';
import { defaultTenant } from '../../src/config/default-tenant.js';
import { CALLBACK, SPA, WEB, WEB_SECRET, exchangeCode, pkcePair } from '../support/flows.js';
import { OTP_GRANT, post, token } from '../support/api.js';
import { enterIdentifier, postChallenge, reachChallenge, startLogin } from '../support/screens.js';

/**
 * Logs at info and above carry no secret: no one-time code or magic link, authorization code, access,
 * ID or refresh token, client secret, password or cookie, whatever the outcome of the request. The one
 * exception is the dev mailbox's line for each message ("email to …: Your verification code is …"),
 * which is how people read codes off a terminal; with dev routes off it names the message without its
 * code or link.
 */
const DB = 'Username-Password-Authentication';
const PASSWORD = 'correct horse battery staple';
const M2M_SECRET = 'understudy-m2m-secret';

const tenant = {
  ...defaultTenant,
  connections: [...(defaultTenant.connections ?? []), { name: DB, strategy: 'auth0' }],
  users: [{ connection: DB, email: 'dana@example.com', password: PASSWORD }],
};

interface Captured {
  lines: Record<string, unknown>[];
  app: FastifyInstance;
}

async function capturedApp(devRoutes: boolean): Promise<Captured> {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const { app } = await buildTestApp({ tenant, devRoutes, app: { logger } });
  return { lines, app };
}

/** Every kind of secret a run hands out, with requests that succeed and requests that fail. */
async function exercise(app: FastifyInstance): Promise<string[]> {
  const secrets: string[] = [WEB_SECRET, M2M_SECRET, PASSWORD, 'wrong-secret-value', 'not-the-password'];
  const codeOf = async (to: string): Promise<string> => {
    const [message] = await app.deps.outbox.list({ to });
    secrets.push(message!.code ?? '', message!.link ?? '', new URL(message!.link ?? 'http://x/?verification_code=').searchParams.get('verification_code') ?? '');
    return message!.code ?? new URL(message!.link!).searchParams.get('verification_code')!;
  };

  // Screens: a wrong code, then the right one; the code flow with a confidential client.
  const { verifier, challenge } = pkcePair();
  const s = await startLogin(app, { client_id: WEB, connection: 'email', scope: 'openid email offline_access', code_challenge: challenge });
  const path = await reachChallenge(s, 'logs.user@example.com');
  const code = await codeOf('logs.user@example.com');
  await postChallenge(s, path, { code: code === '000000' ? '111111' : '000000' });
  const done = await postChallenge(s, path, { code });
  const resumed = await s.browser.get(String(done.headers.location));
  const authCode = new URL(String(resumed.headers.location)).searchParams.get('code')!;
  secrets.push(authCode, ...s.browser.cookies.values());
  await exchangeCode(app, { client_id: WEB, client_secret: 'wrong-secret-value', code: 'not-a-code', code_verifier: verifier });
  const tokens = (await exchangeCode(app, { client_id: WEB, client_secret: WEB_SECRET, code: authCode, code_verifier: verifier })).json();
  expect(tokens.refresh_token).toBeTruthy();
  secrets.push(tokens.access_token, tokens.id_token, tokens.refresh_token);
  // Refresh, userinfo, the same code again (refused, and it revokes the refresh token), revoke.
  const refreshed = (await token(app, { grant_type: 'refresh_token', client_id: WEB, client_secret: WEB_SECRET, refresh_token: tokens.refresh_token })).json();
  expect(refreshed.access_token).toBeTruthy();
  secrets.push(refreshed.access_token, refreshed.id_token);
  await app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
  await app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}x` } });
  await exchangeCode(app, { client_id: WEB, client_secret: WEB_SECRET, code: authCode, code_verifier: verifier });
  await post(app, '/oauth/revoke', { client_id: WEB, client_secret: WEB_SECRET, token: tokens.refresh_token });
  await token(app, { grant_type: 'refresh_token', client_id: WEB, client_secret: WEB_SECRET, refresh_token: tokens.refresh_token });

  // Embedded passwordless: a code by SMS, a magic link by email.
  await post(app, '/passwordless/start', { client_id: SPA, connection: 'sms', phone_number: '+15550100999' });
  const sms = await codeOf('+15550100999');
  await token(app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'sms', username: '+15550100999', otp: '999999' === sms ? '000000' : '999999' });
  secrets.push((await token(app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'sms', username: '+15550100999', otp: sms, scope: 'openid' })).json().id_token);
  await post(app, '/passwordless/start', { client_id: SPA, connection: 'email', email: 'link@example.com', authParams: { redirect_uri: CALLBACK, response_type: 'code', state: 'st' } });
  const link = await codeOf('link@example.com');
  const magic = await app.inject({ method: 'GET', url: `/passwordless/verify_redirect?${new URLSearchParams({ client_id: SPA, connection: 'email', email: 'link@example.com', verification_code: link, redirect_uri: CALLBACK, response_type: 'code', state: 'st' })}` });
  expect(new URL(String(magic.headers.location)).searchParams.get('code')).toBeTruthy();
  secrets.push(new URL(String(magic.headers.location)).searchParams.get('code') ?? '');

  // Database login: a wrong password, then the right one.
  const db = await startLogin(app, { connection: DB });
  await enterIdentifier(db, 'dana@example.com');
  const passwordPath = `/u/login/password?state=${encodeURIComponent(db.state)}`;
  await db.browser.post(passwordPath, { state: db.state, password: 'not-the-password', action: 'default' });
  expect((await db.browser.post(passwordPath, { state: db.state, password: PASSWORD, action: 'default' })).statusCode).toBe(302);
  secrets.push(...db.browser.cookies.values());

  // Machine to machine, and the Management API with a bad and a good token.
  await token(app, { grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: 'wrong-secret-value', audience: 'http://understudy.test/api/v2/' });
  const m2m = (await token(app, { grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: M2M_SECRET, audience: 'http://understudy.test/api/v2/' })).json();
  expect(m2m.access_token).toBeTruthy();
  secrets.push(m2m.access_token);
  await app.inject({ method: 'GET', url: '/api/v2/users', headers: { authorization: `Bearer ${m2m.access_token}` } });
  await app.inject({ method: 'GET', url: '/api/v2/users', headers: { authorization: `Bearer ${m2m.access_token}x` } });

  return secrets.filter((x) => typeof x === 'string' && x.length >= 6);
}

const isDevCodeLine = (line: Record<string, unknown>): boolean => typeof line.msg === 'string' && /^(email|SMS) to /.test(line.msg);

describe('secrets in the log', () => {
  it('with dev routes on, only the dev mailbox lines carry codes and links; nothing else carries any secret', async () => {
    const { lines, app } = await capturedApp(true);
    const secrets = await exercise(app);
    expect(secrets.length).toBeGreaterThan(20);
    expect(lines.some((l) => l.msg === 'request refused')).toBe(true);
    const codeLines = lines.filter(isDevCodeLine);
    expect(codeLines.length).toBe(3);
    expect(codeLines.some((l) => typeof l.code === 'string' && String(l.msg).includes(String(l.code)))).toBe(true);
    for (const line of lines.filter((l) => !isDevCodeLine(l))) {
      const text = JSON.stringify(line);
      for (const secret of secrets) expect(text, `a secret in ${text}`).not.toContain(secret);
    }
    await app.close();
  });

  it('with dev routes off, no line carries any code, link or other secret', async () => {
    const { lines, app } = await capturedApp(false);
    const secrets = await exercise(app);
    const codeLines = lines.filter(isDevCodeLine);
    expect(codeLines.length).toBe(3);
    for (const line of codeLines) {
      expect(line.code).toBeUndefined();
      expect(line.link).toBeUndefined();
    }
    for (const line of lines) {
      const text = JSON.stringify(line);
      for (const secret of secrets) expect(text, `a secret in ${text}`).not.toContain(secret);
    }
    await app.close();
  });
});
