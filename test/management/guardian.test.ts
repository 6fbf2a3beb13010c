import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import * as OTPAuth from 'otpauth';
import { buildTestApp, TEST_ISSUER, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';
import { token } from '../support/api.js';
import { authorizeUrl, CALLBACK, latestMessage, pkcePair, SPA, transactionState } from '../support/flows.js';
import type { MfaEnrolment, Passkey } from '../../src/store/records.js';
import { ADMIN_SCOPES } from './guardian-tenant.js';

/**
 * Guardian through the Management API (docs/research/auth0-mfa.md §4.2): the tenant's factors and
 * policy (which the next login obeys), users' Guardian enrollments, their MFA enrolments as
 * authentication methods, removing them, a new recovery code, and forgetting remembered browsers.
 * Enrolments are put in the store directly, except where a login through the screens makes them.
 */
const DANA = 'email|a1b2c3d4e5f6a1b2c3d4e5f6';
const FOX = 'email|f0f0f0f0f0f0f0f0f0f0f0f0';
const EMPTY = 'email|e0e0e0e0e0e0e0e0e0e0e0e0';
const path = (userId: string, rest = ''): string => `/api/v2/users/${encodeURIComponent(userId)}${rest}`;

const tenant = (guardian: { factors?: string[]; policies?: string[] } = {}) => ({
  clients: [
    { name: 'SPA', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], allowed_logout_urls: [CALLBACK], web_origins: ['http://localhost:3000'] },
    { name: 'Admin', client_id: 'admin', client_secret: 'admin-secret', app_type: 'non_interactive' },
    { name: 'Reader', client_id: 'reader', client_secret: 'reader-secret', app_type: 'non_interactive' },
  ],
  clientGrants: [
    { client_id: 'admin', audience: 'https://acme.eu.auth0.com/api/v2/', scope: ADMIN_SCOPES },
    { client_id: 'reader', audience: 'https://acme.eu.auth0.com/api/v2/', scope: ['read:users'] },
  ],
  connections: [{ name: 'email', strategy: 'email' }],
  users: [
    { connection: 'email', email: 'dana@example.com', user_id: DANA },
    { connection: 'email', email: 'fox@example.com', user_id: FOX },
    { connection: 'email', email: 'empty@example.com', user_id: EMPTY },
  ],
  guardianFactors: (guardian.factors ?? []).map((name) => ({ name, enabled: true })),
  ...(guardian.policies ? { guardianPolicies: { policies: guardian.policies } } : {}),
});

let t: TestApp;
let admin: string;
afterEach(() => t.app.close());

async function start(guardian: Parameters<typeof tenant>[0] = {}): Promise<void> {
  t = await buildTestApp({ tenant: tenant(guardian) });
  admin = await mgmtToken('admin', 'admin-secret');
}

async function mgmtToken(clientId: string, secret: string): Promise<string> {
  const response = await token(t.app, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience: `${t.issuer}api/v2/` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().access_token;
}

function api(method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, body?: unknown, auth: string | null = admin): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
}

const attr = (html: string, name: string): string | undefined => new RegExp(`${name}="([^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, '&');
const totp = (secret: string, timestamp: number) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp });

/** /authorize → login-id → the emailed code → resume: where the login goes once the first factor is passed. */
async function loginUntilSecondFactor(browser: Browser, email: string): Promise<{ location: string; state: string }> {
  const { challenge } = pkcePair();
  const started = await browser.get(authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', state: 'app-state', code_challenge: challenge, code_challenge_method: 'S256' }));
  const loginId = String(started.headers.location);
  const state = transactionState(loginId);
  const sent = await browser.post(loginId, { state, username: email, action: 'default' });
  const verified = await browser.post(String(sent.headers.location), { state, code: (await latestMessage(t.app, email)).code, action: 'default' });
  expect(String(verified.headers.location)).toBe(`/authorize/resume?state=${encodeURIComponent(state)}`);
  const resumed = await browser.get(String(verified.headers.location));
  expect(resumed.statusCode, resumed.body).toBe(302);
  return { location: String(resumed.headers.location), state };
}

/** Whether the login went back to the application (no second factor asked). */
const atCallback = (location: string): boolean => location.startsWith(`${CALLBACK}?`);

describe('GET/PUT /api/v2/guardian/factors', () => {
  beforeEach(() => start({ factors: ['otp', 'sms'] }));

  it('lists all eight factors in Auth0\'s order, enabled as the tenant says, trial_expired false', async () => {
    const response = await api('GET', '/api/v2/guardian/factors');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      { name: 'sms', enabled: true, trial_expired: false },
      { name: 'push-notification', enabled: false, trial_expired: false },
      { name: 'otp', enabled: true, trial_expired: false },
      { name: 'email', enabled: false, trial_expired: false },
      { name: 'duo', enabled: false, trial_expired: false },
      { name: 'webauthn-roaming', enabled: false, trial_expired: false },
      { name: 'webauthn-platform', enabled: false, trial_expired: false },
      { name: 'recovery-code', enabled: false, trial_expired: false },
    ]);
  });

  it('PUT {enabled} answers {enabled} and changes the running tenant, in Auth0\'s order', async () => {
    const on = await api('PUT', '/api/v2/guardian/factors/recovery-code', { enabled: true });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json()).toEqual({ enabled: true });
    const off = await api('PUT', '/api/v2/guardian/factors/sms', { enabled: false });
    expect(off.json()).toEqual({ enabled: false });
    // Factors not emulated are switched like the others.
    expect((await api('PUT', '/api/v2/guardian/factors/duo', { enabled: true })).statusCode).toBe(200);
    // Again the same: no change.
    expect((await api('PUT', '/api/v2/guardian/factors/otp', { enabled: true })).json()).toEqual({ enabled: true });

    expect(t.app.deps.tenant.mfa.factors).toEqual(['otp', 'duo', 'recovery-code']);
    const listed = (await api('GET', '/api/v2/guardian/factors')).json() as { name: string; enabled: boolean }[];
    expect(listed.filter((f) => f.enabled).map((f) => f.name)).toEqual(['otp', 'duo', 'recovery-code']);
  });

  it('refuses an unknown factor name (400 invalid_uri) and a body without a boolean `enabled` (400 invalid_body)', async () => {
    const unknown = await api('PUT', '/api/v2/guardian/factors/carrier-pigeon', { enabled: true });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: "Path validation error: 'No enum match for: carrier-pigeon' on property name.", errorCode: 'invalid_uri' });

    const missing = await api('PUT', '/api/v2/guardian/factors/otp', {});
    expect(missing.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: "Payload validation error: 'Missing required property: enabled'.", errorCode: 'invalid_body' });
    const wrongType = await api('PUT', '/api/v2/guardian/factors/otp', { enabled: 'yes' });
    expect(wrongType.json()).toMatchObject({ statusCode: 400, message: "Payload validation error: 'Expected type boolean but found type string' on property enabled.", errorCode: 'invalid_body' });
    const notObject = await api('PUT', '/api/v2/guardian/factors/otp', [true]);
    expect(notObject.json()).toMatchObject({ statusCode: 400, message: "Payload validation error: 'Expected type object but found type array'.", errorCode: 'invalid_body' });
    expect(t.app.deps.tenant.mfa.factors).toEqual(['sms', 'otp']);
  });

  it('needs read:guardian_factors / update:guardian_factors and a token', async () => {
    const reader = await mgmtToken('reader', 'reader-secret');
    const read = await api('GET', '/api/v2/guardian/factors', undefined, reader);
    expect(read.statusCode).toBe(403);
    expect(read.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: read:guardian_factors', errorCode: 'insufficient_scope' });
    const write = await api('PUT', '/api/v2/guardian/factors/otp', { enabled: false }, reader);
    expect(write.json()).toMatchObject({ statusCode: 403, message: 'Insufficient scope, expected any of: update:guardian_factors' });
    expect((await api('GET', '/api/v2/guardian/factors', undefined, null)).statusCode).toBe(401);
    expect(t.app.deps.tenant.mfa.factors).toEqual(['sms', 'otp']);
  });
});

describe('GET/PUT /api/v2/guardian/policies', () => {
  beforeEach(() => start({ factors: ['otp'] }));

  it('is a bare array: [] until set, then what PUT sent, echoed', async () => {
    expect((await api('GET', '/api/v2/guardian/policies')).json()).toEqual([]);
    const set = await api('PUT', '/api/v2/guardian/policies', ['all-applications']);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual(['all-applications']);
    expect((await api('GET', '/api/v2/guardian/policies')).json()).toEqual(['all-applications']);
    expect(t.app.deps.tenant.mfa.policy).toBe('all-applications');

    expect((await api('PUT', '/api/v2/guardian/policies', ['confidence-score'])).json()).toEqual(['confidence-score']);
    expect(t.app.deps.tenant.mfa.policy).toBe('confidence-score');
    expect((await api('PUT', '/api/v2/guardian/policies', [])).json()).toEqual([]);
    expect(t.app.deps.tenant.mfa.policy).toBeUndefined();
  });

  it('refuses a value outside the policies, more than one, and anything but an array; the policy stays', async () => {
    await api('PUT', '/api/v2/guardian/policies', ['all-applications']);
    for (const [body, message] of [
      [['always'], "Payload validation error: 'No enum match for: always'."],
      [['all-applications', 'confidence-score'], "Payload validation error: 'Array is too long (2), maximum 1'."],
      [{ policies: ['all-applications'] }, "Payload validation error: 'Expected type array but found type object'."],
      [[1], "Payload validation error: 'No enum match for: 1'."],
    ] as const) {
      const response = await api('PUT', '/api/v2/guardian/policies', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json()).toEqual({ statusCode: 400, error: 'Bad Request', message, errorCode: 'invalid_body' });
    }
    expect(t.app.deps.tenant.mfa.policy).toBe('all-applications');
  });

  it('needs read:mfa_policies / update:mfa_policies', async () => {
    const reader = await mgmtToken('reader', 'reader-secret');
    expect((await api('GET', '/api/v2/guardian/policies', undefined, reader)).json()).toMatchObject({ statusCode: 403, message: 'Insufficient scope, expected any of: read:mfa_policies' });
    expect((await api('PUT', '/api/v2/guardian/policies', ['all-applications'], reader)).json()).toMatchObject({ statusCode: 403, message: 'Insufficient scope, expected any of: update:mfa_policies' });
    expect(t.app.deps.tenant.mfa.policy).toBeUndefined();
  });
});

describe('the next login obeys a change made through the Management API', () => {
  it('a factor turned on under the all-applications policy: the next login asks to enrol in it; off again, it does not', async () => {
    await start({ policies: ['all-applications'] });
    // No factor enabled: the policy has nothing to ask for.
    expect(atCallback((await loginUntilSecondFactor(new Browser(t.app), 'dana@example.com')).location)).toBe(true);

    expect((await api('PUT', '/api/v2/guardian/factors/otp', { enabled: true })).statusCode).toBe(200);
    const asked = await loginUntilSecondFactor(new Browser(t.app), 'dana@example.com');
    expect(asked.location).toBe(`/u/mfa-otp-enrollment?state=${encodeURIComponent(asked.state)}`);

    // sms too: the user now chooses between them.
    await api('PUT', '/api/v2/guardian/factors/sms', { enabled: true });
    const choice = await loginUntilSecondFactor(new Browser(t.app), 'dana@example.com');
    expect(choice.location).toBe(`/u/mfa-begin-enroll-options?state=${encodeURIComponent(choice.state)}`);

    await api('PUT', '/api/v2/guardian/factors/otp', { enabled: false });
    await api('PUT', '/api/v2/guardian/factors/sms', { enabled: false });
    expect(atCallback((await loginUntilSecondFactor(new Browser(t.app), 'dana@example.com')).location)).toBe(true);
  });

  it('the all-applications policy set through PUT: the next login asks; [] again: it does not', async () => {
    await start({ factors: ['otp'] });
    expect(atCallback((await loginUntilSecondFactor(new Browser(t.app), 'dana@example.com')).location)).toBe(true);

    await api('PUT', '/api/v2/guardian/policies', ['all-applications']);
    const asked = await loginUntilSecondFactor(new Browser(t.app), 'dana@example.com');
    expect(asked.location).toBe(`/u/mfa-otp-enrollment?state=${encodeURIComponent(asked.state)}`);

    await api('PUT', '/api/v2/guardian/policies', []);
    expect(atCallback((await loginUntilSecondFactor(new Browser(t.app), 'dana@example.com')).location)).toBe(true);
  });
});

const enrolment = (overrides: Partial<MfaEnrolment> & Pick<MfaEnrolment, 'id' | 'factor'>): MfaEnrolment => ({
  userId: DANA,
  confirmed: true,
  createdAt: '2026-06-01T10:00:00.000Z',
  ...overrides,
});

const DANA_OTP = enrolment({ id: 'totp|dev_0a1b2c3d4e5f6a7b', factor: 'otp', secret: 'JBSWY3DPEHPK3PXP', createdAt: '2026-06-01T10:00:00.000Z', lastAuthAt: '2026-06-01T11:00:00.000Z' });
const DANA_SMS = enrolment({ id: 'sms|dev_1b2c3d4e5f6a7b8c', factor: 'sms', phoneNumber: '+15551239167', createdAt: '2026-06-01T10:01:00.000Z' });
const DANA_RECOVERY = enrolment({ id: 'recovery-code|dev_2c3d4e5f6a7b8c9d', factor: 'recovery-code', recoveryCode: 'MZCRK3YX5V3AKNNYY6JEBQCL', createdAt: '2026-06-01T10:00:00.500Z' });
const DANA_PENDING = enrolment({ id: 'totp|dev_3d4e5f6a7b8c9d0e', factor: 'otp', confirmed: false, secret: 'KRSXG5CTMVRXEZLU', createdAt: '2026-06-01T10:02:00.000Z' });
const FOX_PENDING = enrolment({ id: 'sms|dev_4e5f6a7b8c9d0e1f', userId: FOX, factor: 'sms', confirmed: false, phoneNumber: '+447700900123', createdAt: '2026-06-01T10:03:00.000Z' });
const DANA_PASSKEY: Passkey = {
  id: 'cred-dana-1', userId: DANA, publicKey: 'pQECAyYgASFYIA', counter: 3, transports: ['internal'], deviceType: 'multiDevice', backedUp: true,
  aaguid: '00000000-0000-0000-0000-000000000000', createdAt: '2026-06-01T10:00:30.000Z', lastUsedAt: undefined,
};

describe('users\' enrolments through the Management API', () => {
  beforeEach(async () => {
    // The email factor is on, so Dana's verified email is an authenticator too; no endpoint lists it.
    await start({ factors: ['otp', 'sms', 'email', 'recovery-code'] });
    for (const e of [DANA_OTP, DANA_RECOVERY, DANA_SMS, DANA_PENDING, FOX_PENDING]) await t.app.deps.store.saveEnrolment(e);
    await t.app.deps.store.savePasskey(DANA_PASSKEY);
  });
  const storedIds = async (userId: string): Promise<string[]> => (await t.app.deps.store.listEnrolments(userId)).map((e) => e.id);

  it('GET /users/{id}/enrollments: the first confirmed Guardian enrollment, else a pending one, else []', async () => {
    const dana = await api('GET', path(DANA, '/enrollments'));
    expect(dana.statusCode, dana.body).toBe(200);
    expect(dana.json()).toEqual([
      { id: 'dev_0a1b2c3d4e5f6a7b', status: 'confirmed', type: 'totp', auth_method: 'authenticator', enrolled_at: '2026-06-01T10:00:00.000Z', last_auth: '2026-06-01T11:00:00.000Z' },
    ]);
    expect((await api('GET', path(FOX, '/enrollments'))).json()).toEqual([
      { id: 'dev_4e5f6a7b8c9d0e1f', status: 'pending', type: 'sms', name: 'XXXXXXXXX0123', phone_number: 'XXXXXXXXX0123', auth_method: 'sms', enrolled_at: '2026-06-01T10:03:00.000Z' },
    ]);
    expect((await api('GET', path(EMPTY, '/enrollments'))).json()).toEqual([]);

    // read:users is enough; an unknown user is the users' 404.
    const reader = await mgmtToken('reader', 'reader-secret');
    expect((await api('GET', path(DANA, '/enrollments'), undefined, reader)).statusCode).toBe(200);
    const unknown = await api('GET', path('email|nobody', '/enrollments'));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'The user does not exist.', errorCode: 'inexistent_user' });
  });

  it('GET /guardian/enrollments/{id} by its dev_ id or the authenticator id; unknown: Auth0\'s 404', async () => {
    const sms = await api('GET', '/api/v2/guardian/enrollments/dev_1b2c3d4e5f6a7b8c');
    expect(sms.statusCode, sms.body).toBe(200);
    expect(sms.json()).toEqual({ id: 'dev_1b2c3d4e5f6a7b8c', status: 'confirmed', name: 'XXXXXXXX9167', phone_number: 'XXXXXXXX9167', enrolled_at: '2026-06-01T10:01:00.000Z' });
    expect((await api('GET', `/api/v2/guardian/enrollments/${encodeURIComponent('totp|dev_3d4e5f6a7b8c9d0e')}`)).json()).toEqual({
      id: 'dev_3d4e5f6a7b8c9d0e', status: 'pending', enrolled_at: '2026-06-01T10:02:00.000Z',
    });

    const notFound = { statusCode: 404, error: 'Not Found', message: 'Enrollment not found', errorCode: 'enrollment_not_found' };
    for (const id of ['dev_0000000000000001', 'nonsense', encodeURIComponent('recovery-code|dev_2c3d4e5f6a7b8c9d')]) {
      const response = await api('GET', `/api/v2/guardian/enrollments/${id}`);
      expect(response.statusCode, id).toBe(404);
      expect(response.json()).toEqual(notFound);
    }
    const reader = await mgmtToken('reader', 'reader-secret');
    expect((await api('GET', '/api/v2/guardian/enrollments/dev_1b2c3d4e5f6a7b8c', undefined, reader)).json()).toMatchObject({ statusCode: 403, message: 'Insufficient scope, expected any of: read:guardian_enrollments' });
  });

  it('DELETE /guardian/enrollments/{id}: 204, then the same 404', async () => {
    const deleted = await api('DELETE', '/api/v2/guardian/enrollments/dev_0a1b2c3d4e5f6a7b');
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect(await storedIds(DANA)).not.toContain(DANA_OTP.id);
    const again = await api('DELETE', '/api/v2/guardian/enrollments/dev_0a1b2c3d4e5f6a7b');
    expect(again.statusCode).toBe(404);
    expect(again.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'Enrollment not found', errorCode: 'enrollment_not_found' });
    // The next Guardian enrollment is now the first confirmed one.
    expect((await api('GET', path(DANA, '/enrollments'))).json()).toMatchObject([{ id: 'dev_1b2c3d4e5f6a7b8c', type: 'sms', auth_method: 'sms' }]);

    const reader = await mgmtToken('reader', 'reader-secret');
    expect((await api('DELETE', '/api/v2/guardian/enrollments/dev_1b2c3d4e5f6a7b8c', undefined, reader)).json()).toMatchObject({ statusCode: 403, message: 'Insufficient scope, expected any of: delete:guardian_enrollments' });
  });

  it('GET /users/{id}/authentication-methods: confirmed enrolments (phone masked, with its sms method) and passkeys, oldest first', async () => {
    const response = await api('GET', path(DANA, '/authentication-methods'));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual([
      { id: 'totp|dev_0a1b2c3d4e5f6a7b', type: 'totp', confirmed: true, created_at: '2026-06-01T10:00:00.000Z', last_auth_at: '2026-06-01T11:00:00.000Z' },
      { id: 'recovery-code|dev_2c3d4e5f6a7b8c9d', type: 'recovery-code', confirmed: true, created_at: '2026-06-01T10:00:00.500Z' },
      expect.objectContaining({ id: 'passkey|cred-dana-1', type: 'passkey', created_at: '2026-06-01T10:00:30.000Z' }),
      {
        id: 'phone|dev_1b2c3d4e5f6a7b8c', type: 'phone', confirmed: true, phone_number: 'XXXXXXXX9167', created_at: '2026-06-01T10:01:00.000Z',
        preferred_authentication_method: 'sms', authentication_methods: [{ id: 'sms|dev_1b2c3d4e5f6a7b8c', type: 'sms' }],
      },
    ]);
    // Nothing of the verified email, nothing pending, and no secret or code.
    expect(response.body).not.toMatch(/email\||dev_3d4e5f6a7b8c9d0e|JBSWY3DPEHPK3PXP|MZCRK3YX5V3AKNNYY6JEBQCL|\+15551239167/);

    const totals = await api('GET', `${path(DANA, '/authentication-methods')}?include_totals=true&per_page=2&page=1`);
    expect(totals.json()).toMatchObject({ start: 2, limit: 2, total: 4, authenticators: [{ id: 'passkey|cred-dana-1' }, { id: 'phone|dev_1b2c3d4e5f6a7b8c' }] });
    // With totals and nothing to list: no `total`, as Auth0 answers.
    expect((await api('GET', `${path(EMPTY, '/authentication-methods')}?include_totals=true`)).json()).toEqual({ start: 0, limit: 50, authenticators: [] });

    const one = await api('GET', path(DANA, `/authentication-methods/${encodeURIComponent('phone|dev_1b2c3d4e5f6a7b8c')}`));
    expect(one.json()).toMatchObject({ id: 'phone|dev_1b2c3d4e5f6a7b8c', type: 'phone' });
    expect((await api('GET', path(FOX, `/authentication-methods/${encodeURIComponent('phone|dev_1b2c3d4e5f6a7b8c')}`))).json()).toMatchObject({ statusCode: 404, errorCode: 'inexistent_authentication_method' });
  });

  it('DELETE /users/{id}/authentication-methods/{id} deletes an enrolment by its method id or its MFA API id, only the user\'s own', async () => {
    const phone = encodeURIComponent('phone|dev_1b2c3d4e5f6a7b8c');
    expect((await api('DELETE', path(FOX, `/authentication-methods/${phone}`))).statusCode).toBe(404);
    expect((await api('DELETE', path(DANA, `/authentication-methods/${phone}`))).statusCode).toBe(204);
    // An unconfirmed enrolment, by the id /mfa/authenticators shows.
    expect((await api('DELETE', path(DANA, `/authentication-methods/${encodeURIComponent(DANA_PENDING.id)}`))).statusCode).toBe(204);
    expect(await storedIds(DANA)).toEqual([DANA_OTP.id, DANA_RECOVERY.id]);

    const gone = await api('DELETE', path(DANA, `/authentication-methods/${phone}`));
    expect(gone.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'The authentication method does not exist.', errorCode: 'inexistent_authentication_method' });
    // The verified email's authenticator is not stored: there is nothing to delete.
    const email = (await t.app.deps.mfa.enrolments((await t.app.deps.store.getUser(DANA))!)).find((e) => e.factor === 'email')!;
    expect((await api('DELETE', path(DANA, `/authentication-methods/${encodeURIComponent(email.id)}`))).statusCode).toBe(404);
    // Passkeys as before.
    expect((await api('DELETE', path(DANA, '/authentication-methods/passkey%7Ccred-dana-1'))).statusCode).toBe(204);
    expect(await t.app.deps.store.listPasskeys(DANA)).toEqual([]);
  });

  it('DELETE /users/{id}/authenticators removes every enrolment of the user (204), leaves passkeys and other users', async () => {
    const reader = await mgmtToken('reader', 'reader-secret');
    expect((await api('DELETE', path(DANA, '/authenticators'), undefined, reader)).json()).toMatchObject({ statusCode: 403, message: 'Insufficient scope, expected any of: delete:guardian_enrollments' });
    const deleted = await api('DELETE', path(DANA, '/authenticators'));
    expect(deleted.statusCode).toBe(204);
    expect(await storedIds(DANA)).toEqual([]);
    expect(await storedIds(FOX)).toEqual([FOX_PENDING.id]);
    expect(await t.app.deps.store.listPasskeys(DANA)).toHaveLength(1);
    expect((await api('GET', path(DANA, '/enrollments'))).json()).toEqual([]);
    expect((await api('DELETE', path('email|nobody', '/authenticators'))).json()).toMatchObject({ statusCode: 404, errorCode: 'inexistent_user' });
  });

  it('POST /users/{id}/recovery-code-regeneration replaces the user\'s code, or makes one', async () => {
    const regenerated = await api('POST', path(DANA, '/recovery-code-regeneration'));
    expect(regenerated.statusCode, regenerated.body).toBe(200);
    const code = regenerated.json().recovery_code as string;
    expect(code).toMatch(/^[A-Z0-9]{24}$/);
    expect(code).not.toBe(DANA_RECOVERY.recoveryCode);
    const stored = (await t.app.deps.store.listEnrolments(DANA)).filter((e) => e.factor === 'recovery-code');
    expect(stored).toEqual([{ ...DANA_RECOVERY, recoveryCode: code }]);
    // The new code works, the old one does not.
    const dana = (await t.app.deps.store.getUser(DANA))!;
    expect(await t.app.deps.mfa.useRecoveryCode(dana, DANA_RECOVERY.recoveryCode!)).toEqual({ ok: false, reason: 'invalid_code' });
    expect(await t.app.deps.mfa.useRecoveryCode(dana, code)).toMatchObject({ ok: true });

    // A user with no enrolment at all gets one (Auth0 answered so for such a user).
    const made = await api('POST', path(EMPTY, '/recovery-code-regeneration'));
    expect(made.statusCode).toBe(200);
    expect(await t.app.deps.store.listEnrolments(EMPTY)).toEqual([
      expect.objectContaining({ id: expect.stringMatching(/^recovery-code\|dev_[a-f0-9]{16}$/), factor: 'recovery-code', confirmed: true, recoveryCode: made.json().recovery_code }),
    ]);

    expect((await api('POST', path('email|nobody', '/recovery-code-regeneration'))).statusCode).toBe(404);
    const reader = await mgmtToken('reader', 'reader-secret');
    expect((await api('POST', path(DANA, '/recovery-code-regeneration'), undefined, reader)).json()).toMatchObject({ statusCode: 403, message: 'Insufficient scope, expected any of: update:users' });
  });
});

describe('POST /users/{id}/multifactor/actions/invalidate-remember-browser', () => {
  beforeEach(() => start({ factors: ['otp'], policies: ['all-applications'] }));

  it('a browser remembered for the user is challenged again; 204; an unknown user is a 404', async () => {
    const browser = new Browser(t.app);
    const first = await loginUntilSecondFactor(browser, 'dana@example.com');
    expect(first.location).toContain('/u/mfa-otp-enrollment');
    const secret = attr((await browser.get(first.location)).body, 'data-otp-secret')!;
    const enrolled = await browser.post(first.location, { state: first.state, code: totp(secret, t.clock.now()), action: 'default' });
    expect(enrolled.statusCode, enrolled.body).toBe(302);
    expect(atCallback(String((await browser.get(String(enrolled.headers.location))).headers.location))).toBe(true);

    // A second login on this browser (its session dropped), remembering it this time.
    t.clock.advance(60_000);
    browser.cookies.delete('auth0');
    const second = await loginUntilSecondFactor(browser, 'dana@example.com');
    expect(second.location).toContain('/u/mfa-otp-challenge');
    const passed = await browser.post(second.location, { state: second.state, code: totp(secret, t.clock.now()), rememberBrowser: 'true', action: 'default' });
    expect(browser.cookies.has('auth0-mf')).toBe(true);
    await browser.get(String(passed.headers.location));

    // Remembered: no challenge.
    t.clock.advance(60_000);
    browser.cookies.delete('auth0');
    expect(atCallback((await loginUntilSecondFactor(browser, 'dana@example.com')).location)).toBe(true);

    t.clock.advance(1_000);
    const reader = await mgmtToken('reader', 'reader-secret');
    expect((await api('POST', path(DANA, '/multifactor/actions/invalidate-remember-browser'), undefined, reader)).json()).toMatchObject({ statusCode: 403, message: 'Insufficient scope, expected any of: update:users' });
    const invalidated = await api('POST', path(DANA, '/multifactor/actions/invalidate-remember-browser'));
    expect(invalidated.statusCode).toBe(204);
    expect(invalidated.body).toBe('');

    // The cookie is still there, and no longer counts.
    t.clock.advance(1_000);
    browser.cookies.delete('auth0');
    expect(browser.cookies.has('auth0-mf')).toBe(true);
    expect((await loginUntilSecondFactor(browser, 'dana@example.com')).location).toContain('/u/mfa-otp-challenge');

    expect((await api('POST', path('email|nobody', '/multifactor/actions/invalidate-remember-browser'))).json()).toMatchObject({ statusCode: 404, errorCode: 'inexistent_user' });
  });
});
