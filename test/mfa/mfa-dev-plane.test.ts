import { afterEach, describe, expect, it } from 'vitest';
import * as OTPAuth from 'otpauth';
import { buildTestApp, type TestApp } from '../support/app.js';
import type { Snapshot } from '../../src/dev/snapshot.js';

/**
 * What tests see of second factors through the dev plane: GET /_dev/api/mfa with each enrolment's
 * secret, the code an authenticator app shows now on the dev clock (checked with `otpauth`), and the
 * recovery code; and snapshots that carry enrolments to a server seeded from them.
 */
const tenant = {
  connections: [{ name: 'email', strategy: 'email' }],
  users: [{ connection: 'email', email: 'kim@example.com', user_id: 'email|kim' }],
  guardianFactors: [{ name: 'otp', enabled: true }, { name: 'recovery-code', enabled: true }],
};
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

let apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.map((t) => t.app.close()));
  apps = [];
});

async function appWithEnrolment(): Promise<TestApp> {
  const t = await buildTestApp({ tenant });
  apps.push(t);
  await t.app.deps.store.saveEnrolment({ id: 'totp|dev_0123456789abcdef', userId: 'email|kim', factor: 'otp', confirmed: true, secret: SECRET, createdAt: '2026-06-01T12:00:00.000Z' });
  await t.app.deps.store.saveEnrolment({ id: 'recovery-code|dev_fedcba9876543210', userId: 'email|kim', factor: 'recovery-code', confirmed: true, recoveryCode: 'ABCDEFGHJKLMNPQRSTUVWXYZ', createdAt: '2026-06-01T12:00:00.000Z' });
  return t;
}

describe('the dev plane for second factors', () => {
  it('GET /_dev/api/mfa shows the secret, the current code on the dev clock and the recovery code', async () => {
    const t = await appWithEnrolment();
    const read = async () => (await t.app.inject('/_dev/api/mfa?email=Kim@Example.com')).json().enrolments as Record<string, unknown>[];
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(SECRET) });
    const [otp, recovery] = await read();
    expect(otp).toMatchObject({ id: 'totp|dev_0123456789abcdef', factor: 'otp', confirmed: true, secret: SECRET, current_code: totp.generate({ timestamp: t.clock.now() }) });
    expect(recovery).toMatchObject({ factor: 'recovery-code', recovery_code: 'ABCDEFGHJKLMNPQRSTUVWXYZ' });
    // The dev clock moves the code.
    t.clock.advance(90_000);
    expect((await read())[0]!.current_code).toBe(totp.generate({ timestamp: t.clock.now() }));
    expect((await t.app.inject('/_dev/api/mfa?email=nobody@example.com')).json()).toEqual({ enrolments: [] });
  });

  it('a snapshot carries the enrolments, and a server seeded from it has them', async () => {
    const source = await appWithEnrolment();
    const snapshot = (await source.app.inject('/_dev/api/snapshot')).json() as Snapshot;
    expect(snapshot.mfa_enrolments?.map((e) => e.factor)).toEqual(['otp', 'recovery-code']);
    const seeded = await buildTestApp({ tenant, app: { seed: snapshot } });
    apps.push(seeded);
    const enrolments = (await seeded.app.inject('/_dev/api/mfa?user_id=email|kim')).json().enrolments as Record<string, unknown>[];
    expect(enrolments.map((e) => [e.factor, e.secret ?? e.recovery_code])).toEqual([['otp', SECRET], ['recovery-code', 'ABCDEFGHJKLMNPQRSTUVWXYZ']]);
  });
});
