import { expect } from 'vitest';
import { decodeJwt } from 'jose';
import type { TestApp } from './app.js';
import type { Browser } from './browser.js';
import { authorizeUrl, CALLBACK, exchangeCode, latestMessage, pkcePair, SPA, transactionState } from './flows.js';

/**
 * The Universal Login steps the MFA tests share, over HTTP as a browser walks them: the email-code
 * first factor up to where the second begins, and the end of a login at the callback.
 */

/** /authorize → login-id → the emailed code, then resume: where the second factor begins. */
export async function emailCodeFirstFactor(t: TestApp, browser: Browser, email: string, params: Record<string, string> = {}) {
  const { verifier, challenge } = pkcePair();
  const start = await browser.get(authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid profile email', state: 'app-state', code_challenge: challenge, code_challenge_method: 'S256', ...params }));
  const loginId = String(start.headers.location);
  const state = transactionState(loginId);
  const sent = await browser.post(loginId, { state, username: email, action: 'default' });
  const message = await latestMessage(t.app, email);
  const verified = await browser.post(String(sent.headers.location), { state, code: message.code, action: 'default' });
  expect(String(verified.headers.location)).toBe(`/authorize/resume?state=${encodeURIComponent(state)}`);
  const resumed = await browser.get(String(verified.headers.location));
  return { resumed, state, verifier };
}

/** Follows the login to the callback and exchanges its code: the ID token's claims. */
export async function idTokenClaimsAt(t: TestApp, browser: Browser, location: string, verifier: string): Promise<Record<string, unknown>> {
  const resumed = await browser.get(location);
  const callback = new URL(String(resumed.headers.location));
  expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
  const tokens = await exchangeCode(t.app, { grant_type: 'authorization_code', client_id: SPA, code: callback.searchParams.get('code') ?? '', code_verifier: verifier, redirect_uri: CALLBACK });
  expect(tokens.statusCode, tokens.body).toBe(200);
  return decodeJwt(tokens.json().id_token as string);
}
