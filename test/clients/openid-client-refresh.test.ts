import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { defaultTenant } from '../../src/config/default-tenant.js';
import { type ListeningTestApp, listeningTestApp } from '../support/app.js';
import { passwordlessLogin, SPA, WEB, WEB_SECRET } from '../support/flows.js';

/**
 * `openid-client` 6.9.0 (panva) refresh and revocation against Understudy listening on plain HTTP:
 * the screens are walked with app.inject (test/support/flows.ts), every token call goes over the
 * network through openid-client with its own response and ID token checks.
 */
const LIBRARY = 'openid-client 6.9.0';
const STATE = 'client-state'; // what passwordlessLogin sends

// The SPA rotates its refresh tokens (no leeway); the web client keeps the default (non-rotating).
const tenant = {
  ...defaultTenant,
  clients: (defaultTenant.clients ?? []).map((c) => (c.client_id === SPA ? { ...c, refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0 } } : c)),
};


/** What openid-client threw for an error response (fails the test when the call succeeded). */
async function oauthError(promise: Promise<unknown>): Promise<client.ResponseBodyError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(client.ResponseBodyError);
  return error as client.ResponseBodyError;
}

describe(`${LIBRARY}: refresh_token grant and token revocation`, () => {
  let t: ListeningTestApp;
  let issuer: string;

  beforeAll(async () => {
    t = await listeningTestApp({}, () => ({ tenant }));
    issuer = t.issuer;
  });
  afterAll(() => t?.app.close());

  const discover = (clientId: string, secret: string | undefined, auth: client.ClientAuth) =>
    client.discovery(new URL(issuer), clientId, secret, auth, { execute: [client.allowInsecureRequests] });

  /** Log in through the screens with `scope`, then exchange the code with openid-client. */
  async function loginTokens(config: client.Configuration, clientId: string, identifier: string, scope: string) {
    const connection = identifier.includes('@') ? 'email' : 'sms';
    const { callback, verifier } = await passwordlessLogin(t.app, { identifier, clientId, params: { scope, connection } });
    expect(callback.searchParams.get('code')).toBeTruthy();
    return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: STATE });
  }

  it('discovery advertises offline_access and the revocation endpoint (as Auth0 does)', async () => {
    const metadata = (await discover(WEB, WEB_SECRET, client.ClientSecretPost(WEB_SECRET))).serverMetadata();
    expect(metadata.revocation_endpoint).toBe(`${issuer}oauth/revoke`);
    expect(metadata.scopes_supported).toContain('offline_access');
  });

  it('confidential client: refreshTokenGrant returns a new access token and a valid ID token; after tokenRevocation the refresh fails', async () => {
    const config = await discover(WEB, WEB_SECRET, client.ClientSecretPost(WEB_SECRET));
    const login = await loginTokens(config, WEB, 'refresh.web@example.com', 'openid offline_access');
    expect(login.refresh_token).toBeTruthy();
    expect(login.scope).toBe('openid offline_access');
    const sub = login.claims()!.sub;

    const refreshed = await client.refreshTokenGrant(config, login.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
    expect(refreshed.access_token).not.toBe(login.access_token);
    expect(refreshed.id_token).toBeTruthy();
    expect(refreshed.claims()).toMatchObject({ iss: issuer, aud: WEB, sub });
    expect(refreshed.claims()).not.toHaveProperty('nonce');
    // The default client does not rotate: the same refresh token keeps working until revoked.
    expect(refreshed.refresh_token).toBeUndefined();
    const again = await client.refreshTokenGrant(config, login.refresh_token!);
    expect(again.claims()?.sub).toBe(sub);

    await client.tokenRevocation(config, login.refresh_token!, { token_type_hint: 'refresh_token' });
    const error = await oauthError(client.refreshTokenGrant(config, login.refresh_token!));
    expect(error.error).toBe('invalid_grant');
    expect(error.status).toBeGreaterThanOrEqual(400);
  });

  it('a narrower scope on refresh is granted; a wider one is refused with invalid_scope', async () => {
    const config = await discover(WEB, WEB_SECRET, client.ClientSecretPost(WEB_SECRET));
    const login = await loginTokens(config, WEB, 'refresh.scope@example.com', 'openid email offline_access');

    const narrower = await client.refreshTokenGrant(config, login.refresh_token!, { scope: 'openid' });
    expect(narrower.scope).toBe('openid');
    expect(narrower.claims()).not.toHaveProperty('email');

    const wider = await oauthError(client.refreshTokenGrant(config, login.refresh_token!, { scope: 'openid email phone' }));
    expect(wider.error).toBe('invalid_scope');
  });

  it('public client with rotation: each refresh returns a new refresh token; reusing a rotated one fails and revokes the family', async () => {
    const config = await discover(SPA, undefined, client.None());
    const login = await loginTokens(config, SPA, '+15557654321', 'openid offline_access');
    const first = login.refresh_token!;
    expect(first).toBeTruthy();

    const second = await client.refreshTokenGrant(config, first);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first);
    expect(second.claims()).toMatchObject({ iss: issuer, aud: SPA, sub: login.claims()!.sub });

    const reused = await oauthError(client.refreshTokenGrant(config, first));
    expect(reused.error).toBe('invalid_grant');
    // Reuse outside the leeway revokes the whole family, so the newest token is dead too.
    const family = await oauthError(client.refreshTokenGrant(config, second.refresh_token!));
    expect(family.error).toBe('invalid_grant');
  });

  it('public client: tokenRevocation of a live rotating token ends it; revoking an unknown token still succeeds', async () => {
    const config = await discover(SPA, undefined, client.None());
    const login = await loginTokens(config, SPA, 'revoke.spa@example.com', 'openid offline_access');
    const live = (await client.refreshTokenGrant(config, login.refresh_token!)).refresh_token!;

    await client.tokenRevocation(config, live);
    expect((await oauthError(client.refreshTokenGrant(config, live))).error).toBe('invalid_grant');
    // RFC 7009 §2.2: an unknown token is answered 200 as well (openid-client resolves).
    await expect(client.tokenRevocation(config, 'not-a-real-refresh-token')).resolves.toBeUndefined();
  });
});
