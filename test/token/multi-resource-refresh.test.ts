import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, latestMessage } from '../support/flows.js';
import { OTP_GRANT, post, tenantWith, token } from '../support/api.js';

/**
 * Multi-Resource Refresh Token (Auth0's MRRT): a client's `refresh_token.policies` let one refresh
 * token get access tokens for other APIs, each with the scopes its policy allows. An audience no
 * policy names is ignored, and the token's own API answers.
 */
const ORDERS = 'https://orders.example.com/';
const BILLING = 'https://billing.example.com/';
const REPORTS = 'https://reports.example.com/';

const tenant = tenantWith({
  clients: [{
    name: 'Shop SPA', client_id: 'shop', app_type: 'spa', callbacks: [CALLBACK], web_origins: ['http://localhost:3000'],
    refresh_token: { rotation_type: 'non-rotating', expiration_type: 'non-expiring', policies: [{ audience: BILLING, scope: ['read:invoices'] }] },
  }],
  resourceServers: [
    { identifier: ORDERS, name: 'Orders', scopes: [{ value: 'read:orders' }] },
    { identifier: BILLING, name: 'Billing', scopes: [{ value: 'read:invoices' }, { value: 'pay:invoices' }] },
    { identifier: REPORTS, name: 'Reports', scopes: [{ value: 'read:reports' }] },
  ],
});

describe('Multi-Resource Refresh Token policies', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({ tenant });
  });
  afterEach(() => t.app.close());

  async function login(): Promise<string> {
    const email = 'mrrt@example.com';
    await post(t.app, '/passwordless/start', { client_id: 'shop', connection: 'email', email, send: 'code' });
    const response = await token(t.app, { grant_type: OTP_GRANT, client_id: 'shop', realm: 'email', username: email, otp: (await latestMessage(t.app, email)).code, audience: ORDERS, scope: 'openid email offline_access read:orders' });
    expect(response.statusCode, response.body).toBe(200);
    expect(decodeJwt(response.json().access_token).aud).toEqual([ORDERS, `${t.issuer}userinfo`]);
    return response.json().refresh_token;
  }

  const refresh = (refreshToken: string, extra: Record<string, string>) => token(t.app, { grant_type: 'refresh_token', client_id: 'shop', refresh_token: refreshToken, ...extra });

  it('gives an access token for an API the policy names, with the scopes it allows of those asked for', async () => {
    const refreshToken = await login();
    const billing = await refresh(refreshToken, { audience: BILLING, scope: 'openid read:invoices pay:invoices read:orders' });
    expect(billing.statusCode, billing.body).toBe(200);
    const claims = decodeJwt(billing.json().access_token);
    expect(claims.aud).toEqual([BILLING, `${t.issuer}userinfo`]);
    // pay:invoices is outside the policy and read:orders belongs to another API: both left out.
    expect(claims.scope).toBe('openid read:invoices');
    expect(billing.json().scope).toBe('openid read:invoices');

    // No scope asked: the token's OpenID scopes and everything the policy allows.
    const all = decodeJwt((await refresh(refreshToken, { audience: BILLING })).json().access_token);
    expect(String(all.scope).split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'read:invoices']);

    // The token's own API still answers as before.
    const orders = decodeJwt((await refresh(refreshToken, { audience: ORDERS, scope: 'openid read:orders' })).json().access_token);
    expect(orders).toMatchObject({ aud: [ORDERS, `${t.issuer}userinfo`], scope: 'openid read:orders' });
  });

  it('ignores an audience no policy names: the token\'s own API answers', async () => {
    const refreshToken = await login();
    const reports = await refresh(refreshToken, { audience: REPORTS });
    expect(reports.statusCode, reports.body).toBe(200);
    expect(decodeJwt(reports.json().access_token).aud).toEqual([ORDERS, `${t.issuer}userinfo`]);
  });
});
