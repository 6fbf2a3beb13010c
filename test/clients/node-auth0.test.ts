import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustLocalCa } from '../support/trust-local-ca.js';
import { decodeJwt } from 'jose';
import { AuthenticationClient, AuthApiError } from 'auth0/legacy';
import { ensureLocalCertificates } from '../../src/tls/local-ca.js';
import { type ListeningTestApp, listeningTestApp } from '../support/app.js';
import { WEB, WEB_SECRET } from '../support/flows.js';

/**
 * The `auth0` npm package's AuthenticationClient (auth0@7.1.0, whose `auth0/legacy` is node-auth0 v4)
 * unmodified against Understudy in HTTPS mode: it hard-codes `https://${domain}`, so the server
 * listens with a certificate from Understudy's local CA, and this process trusts that CA the way
 * NODE_EXTRA_CA_CERTS would: fetch (undici) through a dispatcher with the CA, and the JWKS download
 * (jose 4 over node:https) through the https global agent.
 */
const SDK = 'auth0 (node-auth0) 7.1.0 AuthenticationClient (auth0/legacy)';
const EMAIL = 'sdk.user@example.com';
const PHONE = '+15551234567';


describe(SDK, () => {
  let dir: string;
  let t: ListeningTestApp;
  let issuer: string;
  let caPem: string;
  let auth: AuthenticationClient;
  let untrust: (() => Promise<void>) | undefined;

  /** The newest message for a recipient, read over HTTPS from the dev mailbox API as a user's test would. */
  async function latest(to: string): Promise<{ id: string; code: string | null; link: string | null }> {
    const response = await fetch(`${issuer}_dev/api/messages/latest?${new URLSearchParams({ to })}`, { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(200);
    return (await response.json()) as { id: string; code: string | null; link: string | null };
  }

  /** What the SDK threw, as an AuthApiError (fails the test when it did not throw). */
  async function rejection(promise: Promise<unknown>): Promise<AuthApiError> {
    const error = await promise.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(AuthApiError);
    return error as AuthApiError;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'understudy-node-auth0-'));
    const certs = await ensureLocalCertificates(dir, []);
    caPem = certs.caPem;
    t = await listeningTestApp({ scheme: 'https', host: 'localhost' }, () => ({ https: { key: certs.keyPem, cert: certs.certPem, localCaPem: certs.caPem } }));
    issuer = t.issuer;
    const port = t.port;

    untrust = trustLocalCa(caPem);
    auth = new AuthenticationClient({ domain: `localhost:${port}`, clientId: WEB, clientSecret: WEB_SECRET });
  });

  afterAll(async () => {
    await untrust?.();
    await t?.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the server speaks TLS with the generated certificate and serves its CA at /_dev/ca.pem', async () => {
    const response = await fetch(`${issuer}_dev/ca.pem`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-pem-file/);
    expect(await response.text()).toBe(caPem);
    const discovery = (await (await fetch(`${issuer}.well-known/openid-configuration`)).json()) as { issuer: string; token_endpoint: string };
    expect(discovery.issuer).toBe(issuer);
    expect(discovery.token_endpoint).toBe(`${issuer}oauth/token`);
  });

  it('passwordless.sendEmail (code) + loginWithEmail: tokens whose ID token the SDK validated (JWKS, iss, aud, no nonce)', async () => {
    const sent = await auth.passwordless.sendEmail({ email: EMAIL, send: 'code' });
    expect(sent.status).toBe(200);
    const message = await latest(EMAIL);
    expect(message.code).toMatch(/^\d{6}$/);

    const { data } = await auth.passwordless.loginWithEmail({ email: EMAIL, code: message.code!, scope: 'openid profile email offline_access' });
    expect(data.token_type).toBe('Bearer');
    expect(data.access_token).toBeTruthy();
    expect(data.refresh_token).toBeTruthy();
    const claims = decodeJwt(data.id_token!);
    expect(claims).toMatchObject({ iss: issuer, aud: WEB, email: EMAIL, email_verified: true, name: EMAIL, nickname: 'sdk.user' });
    expect(claims.sub).toMatch(/^email\|/);
    expect(claims).not.toHaveProperty('nonce');
  });

  it('passwordless.sendEmail without `send` mails a magic link on the https issuer (Auth0 defaults to link)', async () => {
    const email = 'link.user@example.com';
    await auth.passwordless.sendEmail({ email });
    const message = await latest(email);
    expect(message.link).toMatch(new RegExp(`^${issuer.replace(/[.]/g, '\\.')}passwordless/verify_redirect\\?`));
    expect(new URL(message.link!).searchParams.get('verification_code')).toMatch(/^\d{6}$/);
  });

  it('a wrong email code makes the SDK throw invalid_grant "Wrong email or verification code."', async () => {
    const email = 'wrong.code@example.com';
    await auth.passwordless.sendEmail({ email, send: 'code' });
    const { code } = await latest(email);
    const wrong = code === '000000' ? '111111' : '000000';
    const error = await rejection(auth.passwordless.loginWithEmail({ email, code: wrong, scope: 'openid' }));
    expect(error.error).toBe('invalid_grant');
    expect(error.error_description).toBe('Wrong email or verification code.');
  });

  it('passwordless.sendSMS + loginWithSMS: an SMS user with phone claims; a wrong code names the phone number', async () => {
    const sent = await auth.passwordless.sendSMS({ phone_number: PHONE });
    expect(sent.status).toBe(200);
    // node-auth0 sends no `send` for SMS; Auth0 texts a code (email without `send` gets a link).
    const message = await latest(PHONE);
    expect(message.code).toMatch(/^\d{6}$/);
    expect(message.link).toBeNull();
    const bad = await rejection(auth.passwordless.loginWithSMS({ phone_number: PHONE, code: message.code === '000000' ? '111111' : '000000' }));
    expect(bad.error_description).toBe('Wrong phone number or verification code.');

    const { data } = await auth.passwordless.loginWithSMS({ phone_number: PHONE, code: message.code!, scope: 'openid profile phone offline_access' });
    const claims = decodeJwt(data.id_token!);
    expect(claims).toMatchObject({ iss: issuer, aud: WEB, phone_number: PHONE, phone_number_verified: true, name: PHONE });
    expect(claims.sub).toMatch(/^sms\|/);
    expect(data.refresh_token).toBeTruthy();
  });

  it('oauth.refreshTokenGrant returns a new access token and a validated ID token; after revokeRefreshToken it fails with invalid_grant', async () => {
    const email = 'refresh.user@example.com';
    await auth.passwordless.sendEmail({ email, send: 'code' });
    const { data: login } = await auth.passwordless.loginWithEmail({ email, code: (await latest(email)).code!, scope: 'openid email offline_access' });
    const refreshToken = login.refresh_token!;

    const { data: refreshed } = await auth.oauth.refreshTokenGrant({ refresh_token: refreshToken });
    expect(refreshed.access_token).toBeTruthy();
    expect(refreshed.access_token).not.toBe(login.access_token);
    expect(decodeJwt(refreshed.id_token!)).toMatchObject({ iss: issuer, aud: WEB, email, sub: decodeJwt(login.id_token!).sub });
    // With a rotating client the newest token is the live one; the default client does not rotate.
    const live = refreshed.refresh_token ?? refreshToken;

    const revoked = await auth.oauth.revokeRefreshToken({ token: live });
    expect(revoked.status).toBe(200);
    const error = await rejection(auth.oauth.refreshTokenGrant({ refresh_token: live }));
    expect(error.error).toBe('invalid_grant');
    expect(error.statusCode).toBeGreaterThanOrEqual(400);
  });
});
