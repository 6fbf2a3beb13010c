import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { SPA, exchangeCode, passwordlessLogin } from '../support/flows.js';

describe('email passwordless login through Universal Login', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(() => t.app.close());

  it('takes a user from /authorize to tokens with the code from the dev mailbox', async () => {
    const { callback, verifier } = await passwordlessLogin(t.app, { identifier: '  Jane.Doe@Example.com ' });
    expect(callback.origin + callback.pathname).toBe('http://localhost:3000/callback');
    expect(callback.searchParams.get('state')).toBe('client-state');
    const code = callback.searchParams.get('code');
    expect(code).toBeTruthy();

    const token = await exchangeCode(t.app, { client_id: SPA, code: code!, code_verifier: verifier });
    expect(token.statusCode, token.body).toBe(200);
    expect(token.headers['cache-control']).toBe('no-store');
    const body = token.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 86400, scope: 'openid profile email phone' });

    const jwks = createLocalJWKSet((await t.app.inject('/.well-known/jwks.json')).json());
    const { payload, protectedHeader } = await jwtVerify(body.id_token, jwks, {
      issuer: t.issuer,
      audience: SPA,
      currentDate: new Date(t.clock.now()),
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(payload.sub).toMatch(/^email\|[0-9a-f]{24}$/);
    expect(payload).toMatchObject({ email: 'jane.doe@example.com', email_verified: true, name: 'jane.doe@example.com', nickname: 'jane.doe' });
    expect(payload.exp! - payload.iat!).toBe(36000);
    expect(payload.nonce).toBeUndefined();
    expect(typeof payload.sid).toBe('string');

    const userinfo = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${body.access_token}` } });
    expect(userinfo.statusCode, userinfo.body).toBe(200);
    expect(userinfo.json()).toMatchObject({ sub: payload.sub, email: 'jane.doe@example.com' });
    // Without an audience the access token is opaque to the client (five-part, encrypted).
    expect(body.access_token.split('.')).toHaveLength(5);
    expect(() => decodeJwt(body.access_token)).toThrow();
  });

  it('maps the same email to the same user on the next login', async () => {
    const first = await passwordlessLogin(t.app, { identifier: 'same@example.com' });
    const second = await passwordlessLogin(t.app, { identifier: 'SAME@example.com' });
    const subs = [];
    for (const login of [first, second]) {
      const token = await exchangeCode(t.app, { client_id: SPA, code: login.callback.searchParams.get('code')!, code_verifier: login.verifier });
      subs.push(decodeJwt(token.json().id_token).sub);
    }
    expect(subs[0]).toBe(subs[1]);
  });
});
