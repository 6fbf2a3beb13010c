import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser, alertText, decodeEntities, inputValue } from '../support/browser.js';
import { CALLBACK, SPA, authorizeUrl, exchangeCode, passwordlessLogin, pkcePair } from '../support/flows.js';
import { callbackOf, loginToResume, startLogin, tokensFor, verifyJwt } from '../support/screens.js';

/** /authorize and the authorization-code exchange: PKCE, code lifetime, redirect_uri rules, response modes, SSO. */
describe('/authorize and the authorization code', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(() => t.app.close());

  const login = (params: Record<string, string | undefined> = {}, browser?: Browser) =>
    passwordlessLogin(t.app, { identifier: 'user@example.com', params, ...(browser ? { browser } : {}) });
  const codeOf = (callback: URL) => callback.searchParams.get('code')!;
  const base = { client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', state: 'st-123' };

  describe('PKCE and the code', () => {
    it('exchanges a code for tokens with an S256 verifier', async () => {
      const { callback, verifier } = await login();
      const tokens = await tokensFor(t.app, callback, verifier);
      expect(tokens).toMatchObject({ token_type: 'Bearer', id_token: expect.any(String), access_token: expect.any(String) });
    });

    it('exchanges a code for tokens with a plain verifier', async () => {
      const verifier = pkcePair().verifier;
      const { callback } = await login({ code_challenge: verifier, code_challenge_method: 'plain' });
      const token = await exchangeCode(t.app, { client_id: SPA, code: codeOf(callback), code_verifier: verifier });
      expect(token.statusCode, token.body).toBe(200);
    });

    it('refuses a wrong verifier with invalid_grant "Failed to verify code verifier"', async () => {
      const { callback } = await login();
      const token = await exchangeCode(t.app, { client_id: SPA, code: codeOf(callback), code_verifier: pkcePair().verifier });
      expect(token.statusCode).toBe(403);
      expect(token.json()).toEqual({ error: 'invalid_grant', error_description: 'Failed to verify code verifier' });
    });

    it('refuses a missing verifier when the code was issued with a challenge', async () => {
      const { callback } = await login();
      const token = await exchangeCode(t.app, { client_id: SPA, code: codeOf(callback) });
      expect(token.json()).toMatchObject({ error: 'invalid_grant', error_description: 'Failed to verify code verifier' });
    });

    it('refuses a code the second time with invalid_grant', async () => {
      const { callback, verifier } = await login();
      await tokensFor(t.app, callback, verifier);
      const again = await exchangeCode(t.app, { client_id: SPA, code: codeOf(callback), code_verifier: verifier });
      expect(again.statusCode).toBe(403);
      expect(again.json().error).toBe('invalid_grant');
    });

    it('refuses a code after its five-minute lifetime with invalid_grant', async () => {
      const { callback, verifier } = await login();
      t.clock.advance(5 * 60_000 + 1000);
      const late = await exchangeCode(t.app, { client_id: SPA, code: codeOf(callback), code_verifier: verifier });
      expect(late.json().error).toBe('invalid_grant');
    });

    it('refuses a code redeemed with another redirect_uri than the authorization request', async () => {
      const { callback, verifier } = await login();
      const token = await exchangeCode(t.app, { client_id: SPA, code: codeOf(callback), code_verifier: verifier, redirect_uri: 'http://localhost:3000' });
      expect(token.json().error).toBe('invalid_grant');
    });
  });

  describe('errors before the redirect_uri is trusted', () => {
    it('renders instead of redirecting when redirect_uri is not registered', async () => {
      const response = await t.app.inject(authorizeUrl({ ...base, redirect_uri: 'http://evil.example/cb' }));
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(alertText(response.body)).toContain('http://evil.example/cb');
    });

    it('renders instead of redirecting for an unknown client', async () => {
      const response = await t.app.inject(authorizeUrl({ ...base, client_id: 'no-such-client' }));
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(alertText(response.body)).toContain('no-such-client');
    });

    it('renders a clear error for a repeated parameter instead of picking one', async () => {
      const response = await t.app.inject(`${authorizeUrl(base)}&state=other`);
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(alertText(response.body)).toContain('state');
    });
  });

  describe('errors after the redirect_uri is trusted', () => {
    const errorAt = async (params: Record<string, string | undefined>) => {
      const response = await t.app.inject(authorizeUrl({ ...base, ...params }));
      const location = callbackOf(response);
      expect(location.origin + location.pathname).toBe(CALLBACK);
      // Which component carries an error for a response_type Understudy does not know is its choice.
      return location.hash ? new URLSearchParams(location.hash.slice(1)) : location.searchParams;
    };

    it('redirects back with invalid_request and the state when response_type is missing', async () => {
      const params = await errorAt({ response_type: undefined });
      expect(params.get('error')).toBe('invalid_request');
      expect(params.get('state')).toBe('st-123');
    });

    it('redirects back with unsupported_response_type and the state for an unknown response_type', async () => {
      const params = await errorAt({ response_type: 'magic' });
      expect(params.get('error')).toBe('unsupported_response_type');
      expect(params.get('state')).toBe('st-123');
    });

    it('redirects back with access_denied "Service not found" for an unknown audience', async () => {
      const params = await errorAt({ audience: 'https://unknown.example.com' });
      expect(params.get('error')).toBe('access_denied');
      expect(params.get('error_description')).toBe('Service not found: https://unknown.example.com');
      expect(params.get('state')).toBe('st-123');
    });
  });

  describe('response modes and echoed values', () => {
    it('answers response_mode=form_post with an auto-posting form whose escaped hidden inputs carry code and state', async () => {
      const state = '"><script>alert(1)</script>';
      const s = await startLogin(t.app, { response_mode: 'form_post', state });
      const page = await loginToResume(s, 'user@example.com', 'user@example.com', t.app);
      expect(page.statusCode).toBe(200);
      expect(page.headers.location).toBeUndefined();
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toMatch(/<form method="post" action="http:\/\/localhost:3000\/callback">/);
      expect(page.body).toContain('document.forms[0].submit()');
      expect(page.body).not.toContain('<script>alert(1)');
      expect(inputValue(page.body, 'state')).toBe(state);
      const code = inputValue(page.body, 'code');
      expect(code).toBeTruthy();
      const token = await exchangeCode(t.app, { client_id: SPA, code: code!, code_verifier: s.verifier });
      expect(token.statusCode).toBe(200);
    });

    it('answers response_mode=web_message with a page posting the response to the redirect_uri origin only', async () => {
      const s = await startLogin(t.app, { response_mode: 'web_message', state: 'wm-state' });
      const page = await loginToResume(s, 'user@example.com', 'user@example.com', t.app);
      expect(page.statusCode).toBe(200);
      const origin = /var targetOrigin = (.*);/.exec(page.body)?.[1];
      expect(JSON.parse(origin ?? 'null')).toBe('http://localhost:3000');
      const message = JSON.parse(/var authorizationResponse = (.*);/.exec(page.body)?.[1] ?? 'null');
      expect(message).toEqual({ type: 'authorization_response', response: { code: expect.any(String), state: 'wm-state' } });
      expect(page.body).toContain('postMessage(authorizationResponse, targetOrigin)');
      expect(page.body).not.toMatch(/["']\*["']/);
    });

    it('answers silent authentication without a session in web_message mode with login_required', async () => {
      const response = await t.app.inject(authorizeUrl({ ...base, prompt: 'none', response_mode: 'web_message' }));
      expect(response.statusCode).toBe(200);
      const message = JSON.parse(/var authorizationResponse = (.*);/.exec(response.body)?.[1] ?? 'null');
      expect(message.response).toMatchObject({ error: 'login_required', state: 'st-123' });
    });

    it('lets the web_message page load in the SDK\'s hidden iframe (no frame-blocking headers)', async () => {
      const first = await login();
      const silent = await first.browser.get(authorizeUrl({ ...base, prompt: 'none', response_mode: 'web_message' }));
      expect(silent.statusCode).toBe(200);
      expect(JSON.parse(/var authorizationResponse = (.*);/.exec(silent.body)?.[1] ?? 'null').response.code).toEqual(expect.any(String));
      expect(silent.headers['x-frame-options']).toBeUndefined();
      expect(String(silent.headers['content-security-policy'] ?? '')).not.toContain("frame-ancestors 'none'");
    });

    it('puts code and state in the fragment with response_mode=fragment', async () => {
      const first = await login();
      const again = await first.browser.get(authorizeUrl({ ...base, response_mode: 'fragment' }));
      const location = callbackOf(again);
      expect(location.search).toBe('');
      const fragment = new URLSearchParams(location.hash.slice(1));
      expect(fragment.get('code')).toBeTruthy();
      expect(fragment.get('state')).toBe('st-123');
    });

    it('echoes a state containing + / = byte for byte', async () => {
      const state = 'a+b/c=d==&e f%2B';
      const { callback } = await login({ state });
      expect(callback.searchParams.get('state')).toBe(state);
    });

    it('puts nonce in the ID token only when one was sent', async () => {
      const withNonce = await login({ nonce: 'n-0S6_WzA2Mj' });
      const withoutNonce = await login();
      const a = await tokensFor(t.app, withNonce.callback, withNonce.verifier);
      const b = await tokensFor(t.app, withoutNonce.callback, withoutNonce.verifier);
      expect(decodeJwt(a.id_token).nonce).toBe('n-0S6_WzA2Mj');
      expect('nonce' in decodeJwt(b.id_token)).toBe(false);
    });

    it('adds auth_time to the ID token when max_age was sent, and only then', async () => {
      const withMaxAge = await login({ max_age: '3600' });
      const a = await tokensFor(t.app, withMaxAge.callback, withMaxAge.verifier);
      expect(decodeJwt(a.id_token).auth_time).toBe(Math.floor(t.clock.now() / 1000));
      const plain = await login();
      const b = await tokensFor(t.app, plain.callback, plain.verifier);
      expect('auth_time' in decodeJwt(b.id_token)).toBe(false);
    });

    it('pre-fills the identifier from login_hint, escaped', async () => {
      const s = await startLogin(t.app, { login_hint: 'a"b@example.com' });
      const page = await s.browser.get(s.location);
      expect(page.body).toContain('value="a&quot;b@example.com"');
      expect(decodeEntities(inputValue(page.body, 'username') ?? '')).toBe('a"b@example.com');
    });
  });

  describe('single sign-on', () => {
    it('skips the screens on a second /authorize in the same browser', async () => {
      const first = await login();
      const second = await first.browser.get(authorizeUrl({ ...base, state: 'second' }));
      const callback = callbackOf(second);
      expect(callback.origin + callback.pathname).toBe(CALLBACK);
      expect(callback.searchParams.get('state')).toBe('second');
      expect(callback.searchParams.get('code')).toBeTruthy();
      const [a, b] = [first, { callback }].map((l) => l.callback.searchParams.get('code'));
      expect(a).not.toBe(b);
    });

    it('gives the SSO login the same subject and session id as the first', async () => {
      const first = await login();
      const { verifier, challenge } = pkcePair();
      const second = await first.browser.get(authorizeUrl({ ...base, code_challenge: challenge, code_challenge_method: 'S256' }));
      const t1 = await tokensFor(t.app, first.callback, first.verifier);
      const t2 = await tokensFor(t.app, callbackOf(second), verifier);
      const c1 = decodeJwt(t1.id_token);
      const c2 = decodeJwt(t2.id_token);
      expect(c2.sub).toBe(c1.sub);
      expect(c2.sid).toBe(c1.sid);
    });

    it('shows the screens again with prompt=login', async () => {
      const first = await login();
      const again = await first.browser.get(authorizeUrl({ ...base, prompt: 'login' }));
      expect(again.statusCode).toBe(302);
      expect(String(again.headers.location)).toMatch(/^\/u\/login\/identifier\?state=/);
    });

    it('answers prompt=none with a session by issuing a code without screens', async () => {
      const first = await login();
      const silent = callbackOf(await first.browser.get(authorizeUrl({ ...base, prompt: 'none' })));
      expect(silent.searchParams.get('code')).toBeTruthy();
      expect(silent.searchParams.get('error')).toBeNull();
    });

    it('answers prompt=none without a session with error=login_required and the state', async () => {
      const params = callbackOf(await t.app.inject(authorizeUrl({ ...base, prompt: 'none' }))).searchParams;
      expect(params.get('error')).toBe('login_required');
      expect(params.get('state')).toBe('st-123');
      expect(params.get('code')).toBeNull();
    });

    it('asks again when the session is older than max_age', async () => {
      const first = await login();
      t.clock.advance(61_000);
      const again = await first.browser.get(authorizeUrl({ ...base, max_age: '60' }));
      expect(String(again.headers.location)).toMatch(/^\/u\/login\/identifier\?state=/);
    });

    it('answers prompt=none with login_required when the session is older than max_age', async () => {
      const first = await login();
      t.clock.advance(120_000);
      const params = callbackOf(await first.browser.get(authorizeUrl({ ...base, prompt: 'none', max_age: '60' }))).searchParams;
      expect(params.get('error')).toBe('login_required');
      expect(params.get('code')).toBeNull();
    });

    it('does not share the session with another browser', async () => {
      await login();
      const stranger = await new Browser(t.app).get(authorizeUrl(base));
      expect(String(stranger.headers.location)).toMatch(/^\/u\/login\/identifier\?state=/);
    });
  });

  it('verifies the ID token signature against the published JWKS with the trailing-slash issuer', async () => {
    const { callback, verifier } = await login();
    const tokens = await tokensFor(t.app, callback, verifier);
    const claims = await verifyJwt(t.app, tokens.id_token, 'http://understudy.test/', t.clock.now(), SPA);
    expect(claims.iss).toBe('http://understudy.test/');
  });
});
