import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA, exchangeCode, latestMessage, passwordlessLogin } from '../support/flows.js';
import { OTP_GRANT, post, tenantWith, token } from '../support/api.js';
import { postChallenge, reachChallenge, startLogin, type Started } from '../support/screens.js';

/**
 * Races: N requests at once that may each succeed only once. Every one-time thing (a code on the
 * screens or through the OTP grant, an authorization code, a rotating refresh token) is consumed by
 * exactly one of them, and the three-attempt rule counts parallel guesses. Requests are started
 * together and interleave at every await of the pipeline and the store.
 */
const N = 20;

const tenant = {
  ...(tenantWith({
    clients: [
      {
        name: 'Rotating',
        client_id: 'rotating',
        app_type: 'spa',
        callbacks: [CALLBACK],
        web_origins: ['http://localhost:3000'],
        refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0 },
      },
    ],
  }) as object),
  // Only the one-time rules are under test here, not the request limits.
  rate_limits: false,
};

const together = <T>(n: number, make: (i: number) => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: n }, (_, i) => make(i)));
const count = (responses: LightMyRequestResponse[], status: number): number => responses.filter((r) => r.statusCode === status).length;

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({ tenant });
});
afterEach(() => t.app.close());

describe('one code, N verifications at once', () => {
  it('on the screens: N browsers with the same recipient post the one valid code together; exactly one logs in', async () => {
    const email = 'race.screens@example.com';
    const logins: { s: Started; challenge: string }[] = [];
    for (let i = 0; i < N; i++) {
      const s = await startLogin(t.app);
      logins.push({ s, challenge: await reachChallenge(s, email) });
    }
    // Each identifier sent a new code; only the last one is valid.
    const code = (await latestMessage(t.app, email)).code;
    const responses = await Promise.all(logins.map(({ s, challenge }) => postChallenge(s, challenge, { code })));
    const winners = responses.filter((r) => r.statusCode === 302 && String(r.headers.location).startsWith('/authorize/resume'));
    expect(winners).toHaveLength(1);
    expect(count(responses, 400)).toBe(N - 1);
  });

  it('through the OTP grant: N token requests with the one code; exactly one gets tokens', async () => {
    const email = 'race.otp@example.com';
    expect((await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', email, send: 'code' })).statusCode).toBe(200);
    const otp = (await latestMessage(t.app, email)).code;
    const responses = await together(N, () => token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: email, otp, scope: 'openid' }));
    expect(count(responses, 200)).toBe(1);
    expect(count(responses, 403)).toBe(N - 1);
    for (const r of responses.filter((x) => x.statusCode === 403)) expect(r.json().error).toBe('invalid_grant');
  });

  it('the three-attempt rule holds for guesses sent together, on the screens and the API at once', async () => {
    const email = 'race.guess@example.com';
    const s = await startLogin(t.app);
    const challenge = await reachChallenge(s, email);
    const code = (await latestMessage(t.app, email)).code;
    const wrong = code === '000000' ? '111111' : '000000';
    const responses = await Promise.all([
      ...Array.from({ length: N / 2 }, () => postChallenge(s, challenge, { code: wrong })),
      ...Array.from({ length: N / 2 }, () => token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: email, otp: wrong })),
    ]);
    expect(responses.every((r) => r.statusCode >= 400)).toBe(true);
    // The right code afterwards is refused on both: the code is dead.
    expect((await postChallenge(s, challenge, { code })).statusCode).toBe(429);
    const viaApi = await token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: 'email', username: email, otp: code });
    expect(viaApi.statusCode).toBe(403);
  });
});

describe('one grant, N exchanges at once', () => {
  it('an authorization code: exactly one of N exchanges gets tokens', async () => {
    const { callback, verifier } = await passwordlessLogin(t.app, { identifier: 'race.code@example.com' });
    const code = callback.searchParams.get('code')!;
    const responses = await together(N, () => exchangeCode(t.app, { client_id: SPA, code, code_verifier: verifier }));
    expect(count(responses, 200)).toBe(1);
    expect(count(responses, 403)).toBe(N - 1);
  });

  it('a rotating refresh token: exactly one of N refreshes gets a new token', async () => {
    const email = 'race.refresh@example.com';
    await post(t.app, '/passwordless/start', { client_id: 'rotating', connection: 'email', email, send: 'code' });
    const otp = (await latestMessage(t.app, email)).code;
    const issued = await token(t.app, { grant_type: OTP_GRANT, client_id: 'rotating', realm: 'email', username: email, otp, scope: 'openid offline_access' });
    const refreshToken = issued.json().refresh_token as string;
    expect(refreshToken).toBeTruthy();
    const responses = await together(N, () => token(t.app, { grant_type: 'refresh_token', client_id: 'rotating', refresh_token: refreshToken }));
    expect(count(responses, 200)).toBe(1);
    expect(count(responses, 403)).toBe(N - 1);
  });
});
