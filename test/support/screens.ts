import { expect } from 'vitest';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Browser } from './browser.js';
import { CALLBACK, SPA, authorizeUrl, exchangeCode, latestMessage, pkcePair, transactionState } from './flows.js';

/**
 * Step-by-step helpers for acceptance tests that need to stop between screens (wrong codes, resends,
 * response modes), where flows.ts's passwordlessLogin walks the whole way in one call.
 */
export interface Started {
  browser: Browser;
  /** Understudy's transaction id (the `state` on /u/login/* URLs). */
  state: string;
  /** Where /authorize sent the browser. */
  location: string;
  verifier: string;
}

/** GET /authorize with the usual SPA parameters (overridable) and expects a redirect to a login screen. */
export async function startLogin(app: FastifyInstance, params: Record<string, string | undefined> = {}, browser = new Browser(app)): Promise<Started> {
  const { verifier, challenge } = pkcePair();
  const response = await browser.get(
    authorizeUrl({
      client_id: SPA,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid profile email phone',
      state: 'client-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...params,
    }),
  );
  expect(response.statusCode, response.body).toBe(302);
  const location = String(response.headers.location);
  // /u/login/<step> with Identifier First, /u/login itself with Identifier + Password.
  expect(location).toMatch(/^\/u\/login[/?]/);
  return { browser, state: transactionState(location), location, verifier };
}

/** Posts the identifier on login-id. */
export function enterIdentifier(s: Started, username: string): Promise<LightMyRequestResponse> {
  return s.browser.post(`/u/login/identifier?state=${encodeURIComponent(s.state)}`, { state: s.state, username, action: 'default' });
}

/** Posts a code (or a resend) on the challenge screen the identifier led to. */
export function postChallenge(s: Started, path: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
  return s.browser.post(path, { state: s.state, action: 'default', ...form });
}

/** Enters the identifier and returns the challenge path it led to. */
export async function reachChallenge(s: Started, username: string): Promise<string> {
  const submitted = await enterIdentifier(s, username);
  expect(submitted.statusCode, submitted.body).toBe(302);
  return String(submitted.headers.location);
}

/** Identifier → code from the mailbox → challenge → resume; returns the resume response (any mode). */
export async function loginToResume(s: Started, username: string, to: string, app: FastifyInstance): Promise<LightMyRequestResponse> {
  const challenge = await reachChallenge(s, username);
  const message = await latestMessage(app, to);
  const verified = await postChallenge(s, challenge, { code: message.code });
  expect(verified.statusCode, verified.body).toBe(302);
  return s.browser.get(String(verified.headers.location));
}

/** The client callback a 302 from resume (or from /authorize) points at. */
export function callbackOf(response: LightMyRequestResponse): URL {
  expect(response.statusCode, response.body).toBe(302);
  return new URL(String(response.headers.location));
}

/** Exchanges the code of a callback URL and returns the token response body (expects 200). */
export async function tokensFor(app: FastifyInstance, callback: URL, verifier: string, extra: Record<string, string> = {}): Promise<Record<string, any>> {
  const code = callback.searchParams.get('code');
  expect(code, callback.toString()).toBeTruthy();
  const token = await exchangeCode(app, { client_id: SPA, code: code!, code_verifier: verifier, ...extra });
  expect(token.statusCode, token.body).toBe(200);
  return token.json();
}

/** Verifies a JWT against the app's JWKS (signature, issuer, expiry on the app's clock) and returns its claims. */
export async function verifyJwt(app: FastifyInstance, token: string, issuer: string, now: number, audience?: string): Promise<JWTPayload> {
  const jwks = createLocalJWKSet((await app.inject('/.well-known/jwks.json')).json());
  const { payload } = await jwtVerify(token, jwks, { issuer, currentDate: new Date(now), ...(audience ? { audience } : {}) });
  return payload;
}
