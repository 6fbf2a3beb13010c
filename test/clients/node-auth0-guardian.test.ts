import { managementRejection } from '../support/node-auth0.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustLocalCa } from '../support/trust-local-ca.js';
import { ManagementClient } from 'auth0';
import { ensureLocalCertificates } from '../../src/tls/local-ca.js';
import type { MfaEnrolment } from '../../src/store/records.js';
import { type ListeningTestApp, listeningTestApp } from '../support/app.js';
import { ADMIN_SCOPES } from '../management/guardian-tenant.js';

/**
 * The `auth0` npm package's ManagementClient (auth0@7.1.0) unmodified against Understudy's Guardian
 * endpoints in HTTPS mode (as test/clients/node-auth0-management.test.ts sets it up): the tenant's
 * factors and policies, a user's enrollment and authentication methods, deleting them, a new recovery
 * code, and invalidating remembered browsers. Enrolments are put in the store directly.
 */
const SDK = 'auth0 (node-auth0) 7.1.0 ManagementClient: Guardian';
const ADA = 'email|a0a0a0a0a0a0a0a0a0a0a0a0';

describe(SDK, () => {
  let dir: string;
  let t: ListeningTestApp;
  let management: ManagementClient;
  let untrust: (() => Promise<void>) | undefined;

  const rejection = managementRejection;

  const enrolment = (overrides: Partial<MfaEnrolment> & Pick<MfaEnrolment, 'id' | 'factor'>): MfaEnrolment => ({
    userId: ADA,
    confirmed: true,
    createdAt: '2026-06-01T10:00:00.000Z',
    ...overrides,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'understudy-node-auth0-guardian-'));
    const certs = await ensureLocalCertificates(dir, []);
    t = await listeningTestApp({ scheme: 'https', host: 'localhost' }, ({ issuer }) => ({
      tenant: {
        clients: [{ name: 'Admin', client_id: 'admin', client_secret: 'admin-secret', app_type: 'non_interactive' }],
        clientGrants: [{ client_id: 'admin', audience: 'https://acme.eu.auth0.com/api/v2/', scope: ADMIN_SCOPES }],
        connections: [{ name: 'email', strategy: 'email' }],
        users: [{ connection: 'email', email: 'ada@example.com', user_id: ADA }],
        guardianFactors: [{ name: 'otp', enabled: true }],
      },
      https: { key: certs.keyPem, cert: certs.certPem, localCaPem: certs.caPem },
    }));
    untrust = trustLocalCa(certs.caPem);
    management = new ManagementClient({ domain: `localhost:${t.port}`, clientId: 'admin', clientSecret: 'admin-secret' });

    for (const e of [
      enrolment({ id: 'totp|dev_0a1b2c3d4e5f6a7b', factor: 'otp', secret: 'JBSWY3DPEHPK3PXP' }),
      enrolment({ id: 'sms|dev_1b2c3d4e5f6a7b8c', factor: 'sms', phoneNumber: '+15551239167', createdAt: '2026-06-01T10:01:00.000Z' }),
      enrolment({ id: 'recovery-code|dev_2c3d4e5f6a7b8c9d', factor: 'recovery-code', recoveryCode: 'MZCRK3YX5V3AKNNYY6JEBQCL', createdAt: '2026-06-01T10:02:00.000Z' }),
    ]) await t.app.deps.store.saveEnrolment(e);
  });

  afterAll(async () => {
    await untrust?.();
    await t?.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('guardian.factors.list / set: enable and disable factors; an unknown name is a 400', async () => {
    const listed = await management.guardian.factors.list();
    expect(listed.map((f) => f.name)).toEqual(['sms', 'push-notification', 'otp', 'email', 'duo', 'webauthn-roaming', 'webauthn-platform', 'recovery-code']);
    expect(listed.filter((f) => f.enabled).map((f) => f.name)).toEqual(['otp']);
    expect(listed.every((f) => f.trial_expired === false)).toBe(true);

    expect(await management.guardian.factors.set('sms', { enabled: true })).toEqual({ enabled: true });
    expect(await management.guardian.factors.set('recovery-code', { enabled: true })).toEqual({ enabled: true });
    expect(await management.guardian.factors.set('otp', { enabled: false })).toEqual({ enabled: false });
    expect((await management.guardian.factors.list()).filter((f) => f.enabled).map((f) => f.name)).toEqual(['sms', 'recovery-code']);
    expect(t.app.deps.tenant.mfa.factors).toEqual(['sms', 'recovery-code']);

    const unknown = await rejection(management.guardian.factors.set('carrier-pigeon' as never, { enabled: true }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toMatchObject({ errorCode: 'invalid_uri' });

    await management.guardian.factors.set('otp', { enabled: true });
    await management.guardian.factors.set('sms', { enabled: false });
  });

  it('guardian.policies.list / set: a bare array', async () => {
    expect(await management.guardian.policies.list()).toEqual([]);
    expect(await management.guardian.policies.set(['all-applications'])).toEqual(['all-applications']);
    expect(await management.guardian.policies.list()).toEqual(['all-applications']);
    expect(t.app.deps.tenant.mfa.policy).toBe('all-applications');
    expect(await management.guardian.policies.set([])).toEqual([]);
    expect(t.app.deps.tenant.mfa.policy).toBeUndefined();
  });

  it('users.enrollments.get, guardian.enrollments.get / delete, users.authenticationMethods.list / delete', async () => {
    expect(await management.users.enrollments.get(ADA)).toEqual([
      { id: 'dev_0a1b2c3d4e5f6a7b', status: 'confirmed', type: 'totp', auth_method: 'authenticator', enrolled_at: '2026-06-01T10:00:00.000Z' },
    ]);
    expect(await management.guardian.enrollments.get('dev_1b2c3d4e5f6a7b8c')).toMatchObject({ id: 'dev_1b2c3d4e5f6a7b8c', status: 'confirmed', phone_number: 'XXXXXXXX9167' });

    const methods = await management.users.authenticationMethods.list(ADA);
    expect(methods.data.map((m) => [m.id, m.type])).toEqual([
      ['totp|dev_0a1b2c3d4e5f6a7b', 'totp'],
      ['phone|dev_1b2c3d4e5f6a7b8c', 'phone'],
      ['recovery-code|dev_2c3d4e5f6a7b8c9d', 'recovery-code'],
    ]);
    expect(methods.response.total).toBe(3);
    expect(await management.users.authenticationMethods.get(ADA, 'phone|dev_1b2c3d4e5f6a7b8c')).toMatchObject({ phone_number: 'XXXXXXXX9167', authentication_methods: [{ id: 'sms|dev_1b2c3d4e5f6a7b8c', type: 'sms' }] });

    await management.guardian.enrollments.delete('dev_0a1b2c3d4e5f6a7b');
    const gone = await rejection(management.guardian.enrollments.get('dev_0a1b2c3d4e5f6a7b'));
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Enrollment not found', errorCode: 'enrollment_not_found' });
    expect(await management.users.enrollments.get(ADA)).toMatchObject([{ id: 'dev_1b2c3d4e5f6a7b8c', type: 'sms', auth_method: 'sms' }]);

    await management.users.authenticationMethods.delete(ADA, 'phone|dev_1b2c3d4e5f6a7b8c');
    expect((await management.users.authenticationMethods.list(ADA)).data.map((m) => m.id)).toEqual(['recovery-code|dev_2c3d4e5f6a7b8c9d']);
    expect(await management.users.enrollments.get(ADA)).toEqual([]);
  });

  it('users.regenerateRecoveryCode, users.multifactor.invalidateRememberBrowser, users.authenticators.deleteAll', async () => {
    const { recovery_code: code } = await management.users.regenerateRecoveryCode(ADA);
    expect(code).toMatch(/^[A-Z0-9]{24}$/);
    expect((await t.app.deps.store.listEnrolments(ADA)).find((e) => e.factor === 'recovery-code')?.recoveryCode).toBe(code);

    await management.users.multifactor.invalidateRememberBrowser(ADA);
    expect(await t.app.deps.store.rememberedBrowsersRevokedAt(ADA)).toBe(t.clock.now());

    await t.app.deps.store.saveEnrolment(enrolment({ id: 'totp|dev_5f6a7b8c9d0e1f2a', factor: 'otp', secret: 'KRSXG5CTMVRXEZLU' }));
    await management.users.authenticators.deleteAll(ADA);
    expect(await t.app.deps.store.listEnrolments(ADA)).toEqual([]);

    const unknown = await rejection(management.users.authenticators.deleteAll('email|nobody'));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toMatchObject({ errorCode: 'inexistent_user' });
  });
});
