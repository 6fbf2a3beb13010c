import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeJwt, type JWTPayload } from 'jose';
import { defaultTenant } from '../../src/config/default-tenant.js';
import { buildTenant } from '../../src/config/tenant-file.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { SPA, WEB, WEB_SECRET, latestMessage, passwordlessLogin } from '../support/flows.js';
import { tokensFor, verifyJwt } from '../support/screens.js';
import { OTP_GRANT, post, token } from '../support/api.js';
import { configProblems } from '../support/config-problems.js';

/**
 * The tenant's `claims` rules, an Auth0 Action's usual job: namespaced claims from the user's
 * metadata or constants, per token, client and API, read when each token is issued.
 */
const API = 'https://api.example.com';
const OTHER_API = 'https://other.example.com';
const ROLES = 'https://example.com/roles';
const claims = [
  { name: ROLES, from: 'app_metadata.roles' },
  { name: 'https://example.com/theme', from: 'user_metadata.theme', tokens: ['id_token'] },
  { name: 'https://example.com/spa', value: 'only for the SPA', clients: ['Understudy SPA'] },
  { name: 'https://example.com/api', value: true, audiences: [API], tokens: ['access_token'] },
  { name: 'https://example.com/tenant', value: { region: 'eu', tier: 2 } },
];
const tenant = {
  ...defaultTenant,
  resourceServers: [
    { identifier: API, name: 'API', scopes: [{ value: 'read:things' }] },
    { identifier: OTHER_API, name: 'Other', scopes: [{ value: 'read:other' }] },
  ],
  users: [{ connection: 'email', email: 'jane@example.com', app_metadata: { roles: ['admin', 'editor'] }, user_metadata: { theme: 'dark' } }],
  claims,
};

describe('custom claims from the tenant `claims` rules', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({ tenant });
  });
  afterEach(() => t.app.close());

  /** Tokens through /passwordless/start + the OTP grant; the access token is a JWT when an audience is given. */
  async function otpTokens(email: string, opts: { clientId?: string; audience?: string; scope?: string } = {}): Promise<Record<string, string>> {
    const clientId = opts.clientId ?? SPA;
    const secret = clientId === WEB ? { client_secret: WEB_SECRET } : {};
    expect((await post(t.app, '/passwordless/start', { client_id: clientId, ...secret, connection: 'email', email, send: 'code' })).statusCode).toBe(200);
    const { code } = await latestMessage(t.app, email);
    const response = await token(t.app, {
      grant_type: OTP_GRANT, client_id: clientId, ...secret, realm: 'email', username: email, otp: code,
      scope: opts.scope ?? 'openid email', ...(opts.audience ? { audience: opts.audience } : {}),
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }
  const idClaims = (tokens: Record<string, string>): Promise<JWTPayload> => verifyJwt(t.app, tokens.id_token!, t.issuer, t.clock.now());
  const accessClaims = (tokens: Record<string, string>): JWTPayload => decodeJwt(tokens.access_token!);

  it('puts app_metadata.roles into the ID token and the API access token', async () => {
    const tokens = await otpTokens('jane@example.com', { audience: API });
    expect((await idClaims(tokens))[ROLES]).toEqual(['admin', 'editor']);
    expect(accessClaims(tokens)[ROLES]).toEqual(['admin', 'editor']);
  });

  it('puts the claim into the ID token of a login through the screens', async () => {
    const { callback, verifier } = await passwordlessLogin(t.app, { identifier: 'jane@example.com' });
    const tokens = await tokensFor(t.app, callback, verifier);
    expect((await idClaims(tokens))[ROLES]).toEqual(['admin', 'editor']);
  });

  it('leaves the claim out when the user has no such metadata', async () => {
    const claimsOf = await idClaims(await otpTokens('newcomer@example.com'));
    expect(claimsOf).not.toHaveProperty(ROLES);
    expect(claimsOf).not.toHaveProperty('https://example.com/theme');
    expect(claimsOf['https://example.com/tenant']).toEqual({ region: 'eu', tier: 2 });
  });

  it('tokens: [id_token] keeps a claim out of access tokens', async () => {
    const tokens = await otpTokens('jane@example.com', { audience: API });
    expect((await idClaims(tokens))['https://example.com/theme']).toBe('dark');
    expect(accessClaims(tokens)).not.toHaveProperty('https://example.com/theme');
  });

  it('clients: [...] gives a claim only to the listed clients', async () => {
    const spa = await otpTokens('jane@example.com', { audience: API });
    expect((await idClaims(spa))['https://example.com/spa']).toBe('only for the SPA');
    expect(accessClaims(spa)['https://example.com/spa']).toBe('only for the SPA');
    const web = await otpTokens('jane@example.com', { clientId: WEB, audience: API });
    expect(await idClaims(web)).not.toHaveProperty('https://example.com/spa');
    expect(accessClaims(web)).not.toHaveProperty('https://example.com/spa');
    expect((await idClaims(web))[ROLES]).toEqual(['admin', 'editor']);
  });

  it('audiences: [...] gives an access-token claim only for the listed APIs', async () => {
    const forApi = await otpTokens('jane@example.com', { audience: API });
    expect(accessClaims(forApi)['https://example.com/api']).toBe(true);
    expect(await idClaims(forApi)).not.toHaveProperty('https://example.com/api');
    const forOther = await otpTokens('jane@example.com', { audience: OTHER_API });
    expect(accessClaims(forOther)).not.toHaveProperty('https://example.com/api');
    expect(accessClaims(forOther)[ROLES]).toEqual(['admin', 'editor']);
  });

  it('a value rule adds the constant as given', async () => {
    const tokens = await otpTokens('jane@example.com', { audience: API });
    expect((await idClaims(tokens))['https://example.com/tenant']).toEqual({ region: 'eu', tier: 2 });
    expect(accessClaims(tokens)['https://example.com/tenant']).toEqual({ region: 'eu', tier: 2 });
  });

  it('a PATCH of app_metadata through the Management API shows in the next token, also on refresh', async () => {
    const before = await otpTokens('jane@example.com', { scope: 'openid email offline_access' });
    expect((await idClaims(before))[ROLES]).toEqual(['admin', 'editor']);

    const m2m = await token(t.app, { grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: 'understudy-m2m-secret', audience: `${t.issuer}api/v2/` });
    const auth = { authorization: `Bearer ${m2m.json().access_token}` };
    const sub = String((await idClaims(before)).sub);
    const patched = await t.app.inject({
      method: 'PATCH', url: `/api/v2/users/${encodeURIComponent(sub)}`, headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ app_metadata: { roles: ['viewer'] } }),
    });
    expect(patched.statusCode, patched.body).toBe(200);

    const refreshed = await token(t.app, { grant_type: 'refresh_token', client_id: SPA, refresh_token: before.refresh_token });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect((await idClaims(refreshed.json()))[ROLES]).toEqual(['viewer']);
    const next = await otpTokens('jane@example.com', { audience: API });
    expect((await idClaims(next))[ROLES]).toEqual(['viewer']);
    expect(accessClaims(next)[ROLES]).toEqual(['viewer']);
  });
});

describe('`claims` rules in the tenant file', () => {
  /** The problems a tenant with these rules produces (fails when it is accepted). */
  const problemsOf = (rules: unknown[]): string[] => configProblems(() => buildTenant({ ...defaultTenant, claims: rules }, 'tenant.yaml', 'seed'));

  it('refuses a reserved name such as sub, naming claims[0].name', () => {
    const problems = problemsOf([{ name: 'sub', value: 'x' }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^claims\[0\]\.name: "sub" is a reserved claim/);
  });

  it('refuses a rule with both from and value, naming claims[0]', () => {
    expect(problemsOf([{ name: 'https://example.com/x', from: 'app_metadata.x', value: 1 }])).toEqual(['claims[0]: give exactly one of "from" and "value"']);
  });

  it('refuses a rule with neither from nor value, naming the rule by index', () => {
    const problems = problemsOf([{ name: 'https://example.com/ok', value: 1 }, { name: 'https://example.com/x' }]);
    expect(problems).toEqual(['claims[1]: give exactly one of "from" and "value"']);
  });

  it('refuses a from outside app_metadata/user_metadata and an unknown client, naming each path', () => {
    expect(problemsOf([{ name: 'https://example.com/x', from: 'password_hash' }]).join('\n')).toContain('claims[0].from');
    expect(problemsOf([{ name: 'https://example.com/x', value: 1, clients: ['Nope'] }])).toEqual(['claims[0].clients[0]: no client named "Nope"']);
  });
});
