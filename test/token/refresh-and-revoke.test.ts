import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA, WEB, WEB_SECRET, exchangeCode, latestMessage, passwordlessLogin } from '../support/flows.js';
import { verifyJwt } from '../support/screens.js';
import { BODY_KINDS, OTP_GRANT, errorOf, post, tenantWith, token } from '../support/api.js';

const API = 'https://api.example.com/';
const spaClient = (name: string, clientId: string, extra: Record<string, unknown>) => ({
  name,
  client_id: clientId,
  app_type: 'spa',
  callbacks: [CALLBACK],
  web_origins: ['http://localhost:3000'],
  ...extra,
});

const tenant = tenantWith({
  clients: [
    spaClient('No Refresh', 'no-refresh', { grant_types: ['authorization_code', OTP_GRANT] }),
    spaClient('Rotating', 'rotating', { refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0 } }),
    spaClient('Rotating Leeway', 'rotating-leeway', { refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 30 } }),
    spaClient('Expiring', 'expiring', { refresh_token: { rotation_type: 'non-rotating', expiration_type: 'expiring', idle_token_lifetime: 3600, token_lifetime: 7200 } }),
    spaClient('Rotating Expiring', 'rotating-expiring', {
      refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0, idle_token_lifetime: 3600, token_lifetime: 7200 },
    }),
    { name: 'Machine', client_id: 'm2m', client_secret: 'm2m-secret', app_type: 'non_interactive' },
  ],
  resourceServers: [{ identifier: API, name: 'Things', scopes: [{ value: 'read:things' }, { value: 'write:things' }] }],
});

const UNKNOWN = { status: 403, body: { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' } };

describe('refresh tokens, client credentials and revocation', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({ tenant });
  });
  afterEach(() => t.app.close());

  /** A refresh token for a client through the OTP grant (scope openid profile email offline_access). */
  async function refreshTokenFor(clientId: string, email = `${clientId}@example.com`): Promise<string> {
    const started = await post(t.app, '/passwordless/start', { client_id: clientId, connection: 'email', email, send: 'code' });
    expect(started.statusCode, started.body).toBe(200);
    const otp = (await latestMessage(t.app, email)).code;
    const response = await token(t.app, { grant_type: OTP_GRANT, client_id: clientId, realm: 'email', username: email, otp, scope: 'openid profile email offline_access' });
    expect(response.statusCode, response.body).toBe(200);
    const refreshToken = response.json().refresh_token;
    expect(typeof refreshToken).toBe('string');
    return refreshToken;
  }

  const refresh = (clientId: string, refreshToken: string, extra: Record<string, string> = {}) =>
    token(t.app, { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken, ...extra });

  const revoke = (body: Record<string, unknown>, kind: 'json' | 'form' = 'json') => post(t.app, '/oauth/revoke', body, kind);

  describe('issuing', () => {
    it('returns a refresh token from the code flow when offline_access is requested', async () => {
      const { callback, verifier } = await passwordlessLogin(t.app, { identifier: 'code.flow@example.com', params: { scope: 'openid email offline_access' } });
      const response = await exchangeCode(t.app, { client_id: SPA, code: callback.searchParams.get('code')!, code_verifier: verifier });
      expect(response.statusCode, response.body).toBe(200);
      expect(typeof response.json().refresh_token).toBe('string');
      expect(response.json().scope).toBe('openid email offline_access');
    });

    it('a code redeemed a second time is refused and revokes the refresh tokens the first redemption issued (RFC 6749 §4.1.2)', async () => {
      const { callback, verifier } = await passwordlessLogin(t.app, { identifier: 'replayed.code@example.com', params: { scope: 'openid email offline_access' } });
      const code = callback.searchParams.get('code')!;
      const first = await exchangeCode(t.app, { client_id: SPA, code, code_verifier: verifier });
      expect(first.statusCode, first.body).toBe(200);
      const { refresh_token: refreshToken } = first.json();
      // Rotated once: the family, not just the first token, is what the replay revokes.
      const rotated = await refresh(SPA, refreshToken);
      expect(rotated.statusCode, rotated.body).toBe(200);
      const replay = await exchangeCode(t.app, { client_id: SPA, code, code_verifier: verifier });
      expect(errorOf(replay)).toEqual({ status: 403, body: { error: 'invalid_grant', error_description: 'Invalid authorization code' } });
      expect(errorOf(await refresh(SPA, rotated.json().refresh_token ?? refreshToken)).body).toMatchObject({ error: 'invalid_grant' });
    });

    it('returns none from the code flow without offline_access', async () => {
      const { callback, verifier } = await passwordlessLogin(t.app, { identifier: 'online@example.com', params: { scope: 'openid email' } });
      const response = await exchangeCode(t.app, { client_id: SPA, code: callback.searchParams.get('code')!, code_verifier: verifier });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().refresh_token).toBeUndefined();
    });

    it('returns none to a client without refresh_token among its grant types, even with offline_access', async () => {
      const { callback, verifier } = await passwordlessLogin(t.app, { identifier: 'no.rt@example.com', clientId: 'no-refresh', params: { scope: 'openid offline_access' } });
      const response = await exchangeCode(t.app, { client_id: 'no-refresh', code: callback.searchParams.get('code')!, code_verifier: verifier });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().refresh_token).toBeUndefined();
    });
  });

  describe('grant_type=refresh_token', () => {
    it('returns a new access token and an ID token for the same user', async () => {
      const rt = await refreshTokenFor(SPA);
      t.clock.advance(60_000);
      const response = await refresh(SPA, rt);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 86400, scope: 'openid profile email offline_access' });
      expect(typeof body.access_token).toBe('string');
      const claims = await verifyJwt(t.app, body.id_token, t.issuer, t.clock.now(), SPA);
      expect(claims).toMatchObject({ email: `${SPA}@example.com` });
      expect(claims.iat).toBe(Math.floor(t.clock.now() / 1000));
      expect('nonce' in claims).toBe(false);
      const userinfo = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${body.access_token}` } });
      expect(userinfo.json().sub).toBe(claims.sub);
    });

    it('accepts a JSON body', async () => {
      const rt = await refreshTokenFor(SPA);
      const response = await token(t.app, { grant_type: 'refresh_token', client_id: SPA, refresh_token: rt }, 'json');
      expect(response.statusCode, response.body).toBe(200);
    });

    it('narrows the scope on request', async () => {
      const rt = await refreshTokenFor(SPA);
      const response = await refresh(SPA, rt, { scope: 'openid' });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().scope).toBe('openid');
      expect(decodeJwt(response.json().id_token).email).toBeUndefined();
    });

    it('refuses a scope wider than the one granted with invalid_scope', async () => {
      const rt = await refreshTokenFor(SPA);
      expect(errorOf(await refresh(SPA, rt, { scope: 'openid phone' }))).toEqual({
        status: 400,
        body: { error: 'invalid_scope', error_description: 'The requested scope exceeds the scope granted to the refresh token' },
      });
    });

    it('refuses an unknown token, and a token of another client', async () => {
      expect(errorOf(await refresh(SPA, 'not-a-token'))).toEqual(UNKNOWN);
      const rt = await refreshTokenFor(SPA);
      expect(errorOf(await refresh('rotating', rt))).toEqual(UNKNOWN);
    });

    it('does not rotate by default: no new refresh token, and the old one keeps working', async () => {
      const rt = await refreshTokenFor(SPA);
      for (let i = 0; i < 3; i++) {
        t.clock.advance(1000);
        const response = await refresh(SPA, rt);
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json().refresh_token).toBeUndefined();
      }
    });
  });

  describe('rotation', () => {
    it('hands out a new refresh token on every exchange', async () => {
      let rt = await refreshTokenFor('rotating');
      const seen = new Set([rt]);
      for (let i = 0; i < 3; i++) {
        t.clock.advance(1000);
        const response = await refresh('rotating', rt);
        expect(response.statusCode, response.body).toBe(200);
        rt = response.json().refresh_token;
        expect(typeof rt).toBe('string');
        expect(seen.has(rt)).toBe(false);
        seen.add(rt);
      }
    });

    it('treats reuse of a rotated token as theft: invalid_grant, and the newest token stops working too', async () => {
      const first = await refreshTokenFor('rotating');
      t.clock.advance(1000);
      const second = (await refresh('rotating', first)).json().refresh_token;
      t.clock.advance(1000);
      const third = (await refresh('rotating', second)).json().refresh_token;
      t.clock.advance(1000);
      expect(errorOf(await refresh('rotating', first))).toEqual(UNKNOWN);
      expect(errorOf(await refresh('rotating', third))).toEqual(UNKNOWN);
    });

    it('with leeway 0 refuses a reuse even in the same instant as the rotation', async () => {
      const first = await refreshTokenFor('rotating');
      const second = (await refresh('rotating', first)).json().refresh_token;
      expect(errorOf(await refresh('rotating', first))).toEqual(UNKNOWN);
      expect(errorOf(await refresh('rotating', second))).toEqual(UNKNOWN);
    });

    it('accepts a reuse within the leeway (30 s) and treats one after it as theft', async () => {
      const first = await refreshTokenFor('rotating-leeway');
      const second = await refresh('rotating-leeway', first);
      expect(second.statusCode).toBe(200);
      t.clock.advance(29_000);
      const again = await refresh('rotating-leeway', first);
      expect(again.statusCode, again.body).toBe(200);
      expect(typeof again.json().refresh_token).toBe('string');

      t.clock.advance(2_000);
      expect(errorOf(await refresh('rotating-leeway', first))).toEqual(UNKNOWN);
      expect(errorOf(await refresh('rotating-leeway', again.json().refresh_token))).toEqual(UNKNOWN);
    });
  });

  describe('lifetimes', () => {
    it('ends a token unused for longer than idle_token_lifetime', async () => {
      const rt = await refreshTokenFor('expiring');
      t.clock.advance(3_601_000);
      expect(errorOf(await refresh('expiring', rt))).toEqual(UNKNOWN);
    });

    it('keeps a token in use alive until token_lifetime, then ends it', async () => {
      const rt = await refreshTokenFor('expiring');
      t.clock.advance(3_500_000);
      expect((await refresh('expiring', rt)).statusCode).toBe(200);
      t.clock.advance(3_500_000);
      expect((await refresh('expiring', rt)).statusCode).toBe(200);
      t.clock.advance(201_000);
      expect(errorOf(await refresh('expiring', rt))).toEqual(UNKNOWN);
    });

    it('keeps the family\'s absolute lifetime across rotations', async () => {
      let rt = await refreshTokenFor('rotating-expiring');
      for (let i = 0; i < 2; i++) {
        t.clock.advance(3_500_000);
        const response = await refresh('rotating-expiring', rt);
        expect(response.statusCode, response.body).toBe(200);
        rt = response.json().refresh_token;
      }
      t.clock.advance(201_000);
      expect(errorOf(await refresh('rotating-expiring', rt))).toEqual(UNKNOWN);
    });
  });

  describe('POST /oauth/revoke', () => {
    it.each(BODY_KINDS)('answers a %s body with 200 and an empty body, after which the token is refused', async (kind) => {
      const rt = await refreshTokenFor(SPA);
      const response = await revoke({ client_id: SPA, token: rt, token_type_hint: 'refresh_token' }, kind);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.body).toBe('');
      expect(errorOf(await refresh(SPA, rt))).toEqual(UNKNOWN);
    });

    it('answers 200 with an empty body for an unknown token', async () => {
      const response = await revoke({ client_id: SPA, token: 'never-issued' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('');
    });

    it('revokes a rotated family through its newest token', async () => {
      const first = await refreshTokenFor('rotating');
      t.clock.advance(1000);
      const second = (await refresh('rotating', first)).json().refresh_token;
      expect((await revoke({ client_id: 'rotating', token: second })).statusCode).toBe(200);
      expect(errorOf(await refresh('rotating', second))).toEqual(UNKNOWN);
    });

    it('does not revoke a token of another client', async () => {
      const rt = await refreshTokenFor(SPA);
      expect((await revoke({ client_id: 'rotating', token: rt })).statusCode).toBe(200);
      expect((await refresh(SPA, rt)).statusCode).toBe(200);
    });

    it('refuses a wrong client secret with 401 invalid_client', async () => {
      const response = await revoke({ client_id: WEB, client_secret: 'wrong', token: 'anything' });
      expect(errorOf(response)).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } });
    });

    it('accepts the right secret of a confidential client', async () => {
      const response = await revoke({ client_id: WEB, client_secret: WEB_SECRET, token: 'anything' });
      expect(response.statusCode).toBe(200);
    });

    it('refuses a request without token with 400 invalid_request', async () => {
      expect(errorOf(await revoke({ client_id: SPA }))).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: 'Missing required parameter: token' },
      });
    });
  });

  describe('grant_type=client_credentials', () => {
    const cc = (body: Record<string, unknown>) => token(t.app, { grant_type: 'client_credentials', ...body });

    it('gives a non_interactive client a JWT for the API with gty client-credentials and sub <client_id>@clients, no ID token', async () => {
      const response = await cc({ client_id: 'm2m', client_secret: 'm2m-secret', audience: API });
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 86400 });
      expect(body.id_token).toBeUndefined();
      expect(body.refresh_token).toBeUndefined();
      const claims = await verifyJwt(t.app, body.access_token, t.issuer, t.clock.now(), API);
      expect(claims).toMatchObject({ gty: 'client-credentials', sub: 'm2m@clients', aud: API, azp: 'm2m' });
      expect(String(claims.scope).split(' ').sort()).toEqual(['read:things', 'write:things']);
    });

    it('narrows the scope to the requested API scopes', async () => {
      const response = await cc({ client_id: 'm2m', client_secret: 'm2m-secret', audience: API, scope: 'read:things other' });
      expect(response.statusCode, response.body).toBe(200);
      expect(decodeJwt(response.json().access_token).scope).toBe('read:things');
    });

    it('refuses a request without audience with 403 access_denied', async () => {
      const response = await cc({ client_id: 'm2m', client_secret: 'm2m-secret' });
      expect(response.statusCode).toBe(403);
      expect(response.json().error).toBe('access_denied');
    });

    it('refuses an unknown audience with 403 access_denied', async () => {
      const response = await cc({ client_id: 'm2m', client_secret: 'm2m-secret', audience: 'https://nope.example/' });
      expect(errorOf(response)).toEqual({ status: 403, body: { error: 'access_denied', error_description: 'Service not found: https://nope.example/' } });
    });

    it('refuses a wrong secret with 401 invalid_client', async () => {
      expect((await cc({ client_id: 'm2m', client_secret: 'nope', audience: API })).statusCode).toBe(401);
    });

    it('refuses a public SPA client', async () => {
      expect(errorOf(await cc({ client_id: SPA, audience: API }))).toEqual({
        status: 403,
        body: { error: 'unauthorized_client', error_description: "Grant type 'client_credentials' not allowed for the client." },
      });
    });

    it('gives a non_interactive client no user grants', async () => {
      const response = await token(t.app, { grant_type: 'refresh_token', client_id: 'm2m', client_secret: 'm2m-secret', refresh_token: 'x', redirect_uri: CALLBACK });
      expect(errorOf(response)).toEqual({
        status: 403,
        body: { error: 'unauthorized_client', error_description: "Grant type 'refresh_token' not allowed for the client." },
      });
    });
  });
});
