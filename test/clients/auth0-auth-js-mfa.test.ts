import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import * as OTPAuth from 'otpauth';
import { decodeJwt } from 'jose';
import { AuthClient, isMfaRequiredError } from '@auth0/auth0-auth-js';
import { ensureLocalCertificates } from '../../src/tls/local-ca.js';
import { listeningTestApp, type ListeningTestApp } from '../support/app.js';

/**
 * @auth0/auth0-auth-js, unmodified, against Understudy over HTTPS: a password login on a tenant whose
 * policy asks every login for a second factor raises mfa_required; `authClient.mfa` enrols an
 * authenticator app and `mfa.verify` gives the tokens; the next login lists the authenticators,
 * challenges one and verifies; a recovery code works once. TOTP codes come from `otpauth`.
 */
const VERSION = (JSON.parse(readFileSync(join(dirname(createRequire(import.meta.url).resolve('@auth0/auth0-auth-js')), '..', 'package.json'), 'utf8')) as { version: string }).version;
const DB = 'Username-Password-Authentication';
const CLIENT = 'mfa-web';
const SECRET = 'mfa-web-secret-that-is-long-enough-for-auth0';
const EMAIL = 'riley@example.com';
const PUSH_EMAIL = 'sam@example.com';
const PASSWORD = 'correct horse battery staple';
const MFA_GRANTS = ['http://auth0.com/oauth/grant-type/mfa-otp', 'http://auth0.com/oauth/grant-type/mfa-oob', 'http://auth0.com/oauth/grant-type/mfa-recovery-code'];

describe(`@auth0/auth0-auth-js ${VERSION}: the MFA API`, () => {
  let dir: string;
  let t: ListeningTestApp;
  let agent: Agent;
  let client: AuthClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'understudy-auth-js-mfa-'));
    const certs = await ensureLocalCertificates(dir, []);
    t = await listeningTestApp({ scheme: 'https', host: 'localhost' }, () => ({
      clock: realNow(),
      https: { key: certs.keyPem, cert: certs.certPem, localCaPem: certs.caPem },
      tenant: {
        clients: [{ name: 'MFA Web', client_id: CLIENT, client_secret: SECRET, app_type: 'regular_web', token_endpoint_auth_method: 'client_secret_post', callbacks: ['https://app.example/callback'], grant_types: ['password', 'refresh_token', ...MFA_GRANTS] }],
        connections: [{ name: DB, strategy: 'auth0', enabled_clients: ['MFA Web'] }],
        users: [{ connection: DB, email: EMAIL, password: PASSWORD }, { connection: DB, email: PUSH_EMAIL, password: PASSWORD }],
        guardianFactors: [{ name: 'otp', enabled: true }, { name: 'push-notification', enabled: true }, { name: 'recovery-code', enabled: true }],
        guardianPolicies: { policies: ['all-applications'] },
      },
    }));
    agent = new Agent({ connect: { ca: certs.caPem } });
    // The SDK's own fetch, through an agent that trusts the local CA.
    const customFetch = ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, dispatcher: agent } as RequestInit)) as typeof fetch;
    client = new AuthClient({ domain: `localhost:${t.port}`, clientId: CLIENT, clientSecret: SECRET, customFetch });
  });

  afterAll(async () => {
    await t?.app.close();
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const realNow = () => {
    let offset = 0;
    return { now: () => Date.now() + offset, advance: (ms: number) => void (offset += ms), set: (at: number) => void (offset = at - Date.now()) };
  };

  /** The password login, expected to be refused with mfa_required: the mfa_token. */
  async function mfaToken(username = EMAIL): Promise<string> {
    const error = await client.getTokenByPassword({ username, password: PASSWORD, realm: DB, scope: 'openid profile email offline_access' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isMfaRequiredError(error), String(error)).toBe(true);
    return (error as { cause: { mfa_token: string } }).cause.mfa_token;
  }

  const codeAt = (secret: string, timestamp: number): string => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp });

  it('enrols an authenticator app, verifies, and later logins challenge it; a recovery code works once', async () => {
    const first = await mfaToken();
    expect(await client.mfa.listAuthenticators({ mfaToken: first })).toEqual([]);
    const enrolled = await client.mfa.enrollAuthenticator({ mfaToken: first, authenticatorTypes: ['otp'] });
    expect(enrolled.authenticatorType).toBe('otp');
    if (enrolled.authenticatorType !== 'otp') throw new Error('not an otp enrolment');
    expect(OTPAuth.URI.parse(enrolled.barcodeUri).secret.base32).toBe(enrolled.secret);
    const recoveryCode = enrolled.recoveryCodes?.[0];
    expect(recoveryCode).toMatch(/^[A-Z0-9]{24}$/);

    const wrong = await client.mfa.verify({ mfaToken: first, factorType: 'otp', otp: '000000' }).then(() => undefined, (err: { cause?: { error?: string; error_description?: string } }) => err.cause);
    expect(wrong).toMatchObject({ error: 'invalid_grant', error_description: 'Invalid otp_code.' });
    const tokens = await client.mfa.verify({ mfaToken: first, factorType: 'otp', otp: codeAt(enrolled.secret, Date.now()) });
    expect(decodeJwt(tokens.idToken!)).toMatchObject({ email: EMAIL });
    expect(decodeJwt(tokens.idToken!).amr).toBeUndefined();
    expect(tokens.refreshToken).toBeTruthy();
    // One mfa_token buys tokens once.
    const again = await client.mfa.verify({ mfaToken: first, factorType: 'otp', otp: codeAt(enrolled.secret, Date.now() + 30_000) }).then(() => undefined, (err: { cause?: unknown }) => err.cause);
    expect(again).toMatchObject({ error: 'invalid_grant', error_description: 'Malformed mfa_token' });

    // The next login: list, challenge, verify with the next window's code (a code passes once).
    const second = await mfaToken();
    const authenticators = await client.mfa.listAuthenticators({ mfaToken: second });
    expect(authenticators.map((a) => ({ type: a.authenticatorType, active: a.active }))).toEqual([
      { type: 'otp', active: true },
      { type: 'recovery-code', active: true },
    ]);
    expect(authenticators[0]!.id).toMatch(/^totp\|dev_/);
    const otp = authenticators.find((a) => a.authenticatorType === 'otp')!;
    const challenge = await client.mfa.challengeAuthenticator({ mfaToken: second, challengeType: 'otp', authenticatorId: otp.id });
    expect(challenge.challengeType).toBe('otp');
    // Enrolment with the mfa_token is only for a user with no factor yet.
    const enrolAgain = await client.mfa.enrollAuthenticator({ mfaToken: second, authenticatorTypes: ['otp'] }).then(() => undefined, (err: { cause?: unknown }) => err.cause);
    expect(enrolAgain).toMatchObject({ error: 'access_denied', error_description: 'User is already enrolled.' });
    const viaChallenge = await client.mfa.verify({ mfaToken: second, factorType: 'otp', otp: codeAt(enrolled.secret, Date.now() + 30_000) });
    expect(viaChallenge.accessToken).toBeTruthy();

    // The recovery code: once, with its replacement in the response.
    const third = await mfaToken();
    const recovered = await client.mfa.verify({ mfaToken: third, factorType: 'recovery-code', recoveryCode: recoveryCode! });
    expect(recovered.recoveryCode).toMatch(/^[A-Z0-9]{24}$/);
    expect(recovered.recoveryCode).not.toBe(recoveryCode);
    const fourth = await mfaToken();
    const reused = await client.mfa.verify({ mfaToken: fourth, factorType: 'recovery-code', recoveryCode: recoveryCode! }).then(() => undefined, (err: { cause?: unknown }) => err.cause);
    expect(reused).toMatchObject({ error: 'invalid_grant', error_description: 'Invalid recovery_code.' });
  });

  /** The dev plane, as the Guardian app: scan (enrol) or answer (approve, deny) a push authenticator. */
  async function device(id: string, action: 'scan' | 'approve' | 'deny'): Promise<number> {
    const response = await fetch(`https://localhost:${t.port}/_dev/api/mfa/authenticators/${encodeURIComponent(id)}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', dispatcher: agent } as RequestInit);
    return response.status;
  }

  const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (err: { cause?: unknown }) => err.cause);

  it('push: mfa-oob polling waits for the device to scan, then for each answer; a denial is refused', async () => {
    const first = await mfaToken(PUSH_EMAIL);
    const enrolled = await client.mfa.enrollAuthenticator({ mfaToken: first, authenticatorTypes: ['oob'], oobChannels: ['auth0'] });
    expect(enrolled).toMatchObject({ authenticatorType: 'oob', oobChannel: 'auth0' });
    if (enrolled.authenticatorType !== 'oob') throw new Error('not an oob enrolment');
    expect(enrolled.barcodeUri).toMatch(/^otpauth:\/\/totp\/Understudy:sam%40example\.com\?enrollment_tx_id=[A-Za-z0-9]+&base_url=https%3A%2F%2Flocalhost%3A\d+%2F$/);
    expect(enrolled.recoveryCodes?.[0]).toMatch(/^[A-Z0-9]{24}$/);

    // Not scanned yet: Auth0's authorization_pending, and the mfa_token stays good for the next poll.
    const pending = await refusal(client.mfa.verify({ mfaToken: first, factorType: 'oob', oobCode: enrolled.oobCode! }));
    expect(pending).toMatchObject({ error: 'authorization_pending', error_description: 'Authorization pending: please repeat the request in a few seconds.' });
    const [push] = (await client.mfa.listAuthenticators({ mfaToken: first })).filter((a) => a.authenticatorType === 'oob');
    // (auth-js reads `oob_channels`, which Auth0 does not send: the SDK's oobChannels stays undefined.)
    expect(push).toMatchObject({ authenticatorType: 'oob', active: false });
    expect(push!.id).toMatch(/^push\|dev_/);
    expect(await device(push!.id, 'scan')).toBe(200);
    const enrolledTokens = await client.mfa.verify({ mfaToken: first, factorType: 'oob', oobCode: enrolled.oobCode! });
    expect(enrolledTokens.accessToken).toBeTruthy();

    // A challenge: pending until answered; a denial is Auth0's access_denied.
    const second = await mfaToken(PUSH_EMAIL);
    const denied = await client.mfa.challengeAuthenticator({ mfaToken: second, challengeType: 'oob', authenticatorId: push!.id });
    expect(denied.challengeType).toBe('oob');
    expect(await refusal(client.mfa.verify({ mfaToken: second, factorType: 'oob', oobCode: denied.oobCode! }))).toMatchObject({ error: 'authorization_pending' });
    expect(await device(push!.id, 'deny')).toBe(200);
    expect(await refusal(client.mfa.verify({ mfaToken: second, factorType: 'oob', oobCode: denied.oobCode! }))).toMatchObject({ error: 'access_denied', error_description: 'MFA Authorization rejected.' });

    // A new challenge approved: the tokens, once; the approval does not carry over to another notification.
    const third = await mfaToken(PUSH_EMAIL);
    const approved = await client.mfa.challengeAuthenticator({ mfaToken: third, challengeType: 'oob', authenticatorId: push!.id });
    expect(await device(push!.id, 'approve')).toBe(200);
    expect(await device(push!.id, 'approve')).toBe(404);
    const tokens = await client.mfa.verify({ mfaToken: third, factorType: 'oob', oobCode: approved.oobCode! });
    expect(decodeJwt(tokens.idToken!)).toMatchObject({ email: PUSH_EMAIL });
    expect(await refusal(client.mfa.verify({ mfaToken: third, factorType: 'oob', oobCode: approved.oobCode! }))).toMatchObject({ error: 'invalid_grant' });
    const fourth = await mfaToken(PUSH_EMAIL);
    expect(await refusal(client.mfa.verify({ mfaToken: fourth, factorType: 'oob', oobCode: approved.oobCode! }))).toMatchObject({ error: 'invalid_grant', error_description: 'Malformed oob_code' });
  });
});
