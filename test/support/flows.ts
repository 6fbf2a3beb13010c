import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Browser } from './browser.js';
import { devHeaders } from './app.js';

export const SPA = 'understudy-spa';
export const WEB = 'understudy-web';
export const WEB_SECRET = 'understudy-web-secret';
export const CALLBACK = 'http://localhost:3000/callback';

/** RFC 7636 S256, computed here rather than by the product's own pkce.ts, so a test checks it independently. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, v);
  return `/authorize?${query.toString()}`;
}

/** The message the dev mailbox holds for a recipient (through its HTTP API, as a user's test would). */
export async function latestMessage(app: FastifyInstance, to: string, after?: string): Promise<{ id: string; code: string; [k: string]: unknown }> {
  const query = new URLSearchParams({ to, ...(after ? { after } : {}) });
  const response = await app.inject({ method: 'GET', url: `/_dev/api/messages/latest?${query}`, headers: devHeaders(app) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** `state` of the login transaction from a /u/login/... location. */
export function transactionState(location: string): string {
  const state = new URL(location, 'http://x').searchParams.get('state');
  if (!state) throw new Error(`no state in ${location}`);
  return state;
}

export interface LoginResult {
  callback: URL;
  verifier: string;
  browser: Browser;
}

/**
 * A whole passwordless login through the screens: /authorize → login-id → code from the mailbox →
 * challenge → resume → the client's redirect_uri.
 */
export async function passwordlessLogin(
  app: FastifyInstance,
  options: { identifier: string; clientId?: string; params?: Record<string, string | undefined>; browser?: Browser },
): Promise<LoginResult> {
  const browser = options.browser ?? new Browser(app);
  const { verifier, challenge } = pkcePair();
  const start = await browser.get(
    authorizeUrl({
      client_id: options.clientId ?? SPA,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid profile email phone',
      state: 'client-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...options.params,
    }),
  );
  expect(start.statusCode, start.body).toBe(302);
  const loginId = String(start.headers.location);
  expect(loginId).toMatch(/^\/u\/login\/identifier\?state=/);
  const state = transactionState(loginId);

  const submitted = await browser.post(loginId, { state, username: options.identifier, action: 'default' });
  expect(submitted.statusCode, submitted.body).toBe(302);
  const challengeUrl = String(submitted.headers.location);
  const to = options.identifier.includes('@') ? options.identifier.trim().toLowerCase() : options.identifier.replace(/[^\d+]/g, '');
  const message = await latestMessage(app, to);

  const verified = await browser.post(challengeUrl, { state, code: message.code, action: 'default' });
  expect(verified.statusCode, verified.body).toBe(302);
  expect(String(verified.headers.location)).toBe(`/authorize/resume?state=${encodeURIComponent(state)}`);
  const resumed = await browser.get(String(verified.headers.location));
  expect(resumed.statusCode, resumed.body).toBe(302);
  return { callback: new URL(String(resumed.headers.location)), verifier, browser };
}

export async function exchangeCode(
  app: FastifyInstance,
  form: Record<string, string | undefined>,
): Promise<LightMyRequestResponse> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries({ grant_type: 'authorization_code', redirect_uri: CALLBACK, ...form })) if (v !== undefined) body.set(k, v);
  return app.inject({ method: 'POST', url: '/oauth/token', payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}
