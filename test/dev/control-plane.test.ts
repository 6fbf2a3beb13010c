import { afterEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser, alertText } from '../support/browser.js';
import { CALLBACK, SPA, WEB, WEB_SECRET, authorizeUrl, exchangeCode, latestMessage, passwordlessLogin, pkcePair } from '../support/flows.js';
import { enterIdentifier, postChallenge, reachChallenge, startLogin } from '../support/screens.js';
import { OTP_GRANT, errorOf, post, token } from '../support/api.js';
import { defaultTenant } from '../../src/config/default-tenant.js';

/**
 * The test-control plane (/_dev/api/clock, /reset, /fixed-codes, /faults): what a CI suite drives
 * between and during its tests, checked through what users and apps then see.
 */
const FILE_FIXED = [{ match: '*@e2e.test', code: '000000' }];
const tenant = {
  ...defaultTenant,
  users: [{ connection: 'email', email: 'seeded@example.com', app_metadata: { plan: 'gold' } }],
  dev: { fixed_codes: FILE_FIXED },
};

const EXPIRED = 'The verification code has expired. Please try to login again.';
const WRONG_EMAIL = 'Wrong email or verification code.';
const TOO_MANY = "You've reached the maximum number of attempts. Please try to login again.";

describe('the test-control plane (/_dev/api)', () => {
  let t: TestApp;
  afterEach(() => t.app.close());
  const setup = async (file: unknown = tenant) => {
    t = await buildTestApp({ tenant: file });
  };

  const dev = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse> =>
    t.app.inject({
      method,
      url: `/_dev/api/${url}`,
      ...(body !== undefined ? { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });

  /** /passwordless/start with send=code; returns the code the dev mailbox got. */
  async function sendCode(to: string): Promise<string> {
    const field = to.startsWith('+') ? { connection: 'sms', phone_number: to } : { connection: 'email', email: to };
    const response = await post(t.app, '/passwordless/start', { client_id: SPA, send: 'code', ...field });
    expect(response.statusCode, response.body).toBe(200);
    return String((await latestMessage(t.app, to)).code);
  }
  const otpLogin = (username: string, otp: string) =>
    token(t.app, { grant_type: OTP_GRANT, client_id: SPA, realm: username.startsWith('+') ? 'sms' : 'email', username, otp, scope: 'openid email' });
  const invalidGrant = (description: string) => ({ status: 403, body: { error: 'invalid_grant', error_description: description } });
  const noMessage = async (app: FastifyInstance, to: string) =>
    (await app.inject({ method: 'GET', url: `/_dev/api/messages/latest?${new URLSearchParams({ to })}` })).statusCode;

  describe('clock', () => {
    it('GET shows the app time and offset 0; advance_seconds moves both', async () => {
      await setup();
      expect((await dev('GET', 'clock')).json()).toEqual({ now: new Date(t.clock.now()).toISOString(), offset_seconds: 0 });
      const moved = await dev('POST', 'clock', { advance_seconds: 90 });
      expect(moved.statusCode, moved.body).toBe(200);
      expect(moved.json()).toEqual({ now: new Date(t.clock.now() + 90_000).toISOString(), offset_seconds: 90 });
      expect((await dev('GET', 'clock')).json().offset_seconds).toBe(90);
    });

    it('advance_seconds: 181 expires a code issued before it, on the challenge screen', async () => {
      await setup();
      const s = await startLogin(t.app);
      const challenge = await reachChallenge(s, 'late.screen@example.com');
      const { code } = await latestMessage(t.app, 'late.screen@example.com');
      await dev('POST', 'clock', { advance_seconds: 181 });
      const page = await postChallenge(s, challenge, { code });
      expect(page.statusCode).toBe(400);
      expect(alertText(page.body)).toContain('The code you entered has expired');
    });

    it('advance_seconds: 181 expires a code issued before it, at the OTP grant', async () => {
      await setup();
      const code = await sendCode('late.grant@example.com');
      await dev('POST', 'clock', { advance_seconds: 181 });
      expect(errorOf(await otpLogin('late.grant@example.com', code))).toEqual(invalidGrant(EXPIRED));
    });

    it('set to an ISO time becomes the iat of the tokens issued next', async () => {
      await setup();
      const set = await dev('POST', 'clock', { set: '2030-01-02T03:04:05Z' });
      expect(set.json().now).toBe('2030-01-02T03:04:05.000Z');
      const code = await sendCode('iat@example.com');
      const response = await otpLogin('iat@example.com', code);
      expect(response.statusCode, response.body).toBe(200);
      const iat = Date.parse('2030-01-02T03:04:05Z') / 1000;
      expect(decodeJwt(response.json().id_token).iat).toBe(iat);
      const m2m = await token(t.app, { grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: 'understudy-m2m-secret', audience: `${t.issuer}api/v2/` });
      expect(decodeJwt(m2m.json().access_token).iat).toBe(iat);
    });

    it('advance_seconds also expires authorization codes (5 min) and SSO sessions (72 h)', async () => {
      await setup();
      const { callback, verifier, browser } = await passwordlessLogin(t.app, { identifier: 'clocked@example.com' });
      await dev('POST', 'clock', { advance_seconds: 301 });
      const late = await exchangeCode(t.app, { client_id: SPA, code: callback.searchParams.get('code')!, code_verifier: verifier });
      expect(late.statusCode).toBe(403);
      expect(late.json().error).toBe('invalid_grant');

      const silent = () => {
        const { challenge } = pkcePair();
        return browser.get(authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', prompt: 'none', code_challenge: challenge, code_challenge_method: 'S256' }));
      };
      expect(new URL(String((await silent()).headers.location)).searchParams.get('code')).toBeTruthy();
      await dev('POST', 'clock', { advance_seconds: 72 * 3600 });
      expect(new URL(String((await silent()).headers.location)).searchParams.get('error')).toBe('login_required');
    });

    it('DELETE returns to the real (source) time with offset 0', async () => {
      await setup();
      await dev('POST', 'clock', { advance_seconds: 3600 });
      const back = await dev('DELETE', 'clock');
      expect(back.statusCode).toBe(200);
      expect(back.json()).toEqual({ now: new Date(t.clock.now()).toISOString(), offset_seconds: 0 });
    });

    it.each([
      ['an empty body', {}],
      ['advance_seconds as a string', { advance_seconds: '10' }],
      ['set that is not a time', { set: 'tomorrow-ish' }],
      ['a JSON array', [1]],
    ])('answers %s with 400 {error, error_description}', async (_name, body) => {
      await setup();
      const response = await dev('POST', 'clock', body);
      expect(response.statusCode).toBe(400);
      expect(Object.keys(response.json()).sort()).toEqual(['error', 'error_description']);
      expect(response.json().error).toBe('invalid_request');
      expect((await dev('GET', 'clock')).json().offset_seconds).toBe(0);
    });
  });

  describe('fixed codes', () => {
    it('gives 000000 to anyone@e2e.test on the screens, and the screens accept it', async () => {
      await setup();
      const s = await startLogin(t.app);
      const challenge = await reachChallenge(s, 'anyone@e2e.test');
      expect((await latestMessage(t.app, 'anyone@e2e.test')).code).toBe('000000');
      const verified = await postChallenge(s, challenge, { code: '000000' });
      expect(verified.statusCode, verified.body).toBe(302);
      expect(String(verified.headers.location)).toMatch(/^\/authorize\/resume\?state=/);
    });

    it('gives 000000 through /passwordless/start, still single use', async () => {
      await setup();
      expect(await sendCode('ci@e2e.test')).toBe('000000');
      expect((await otpLogin('ci@e2e.test', '000000')).statusCode).toBe(200);
      expect(errorOf(await otpLogin('ci@e2e.test', '000000'))).toEqual(invalidGrant(WRONG_EMAIL));
    });

    it('still expires after the code lifetime', async () => {
      await setup();
      await sendCode('slow@e2e.test');
      await dev('POST', 'clock', { advance_seconds: 181 });
      expect(errorOf(await otpLogin('slow@e2e.test', '000000'))).toEqual(invalidGrant(EXPIRED));
    });

    it('still allows only 3 attempts', async () => {
      await setup();
      await sendCode('guess@e2e.test');
      expect(errorOf(await otpLogin('guess@e2e.test', '111111'))).toEqual(invalidGrant(WRONG_EMAIL));
      expect(errorOf(await otpLogin('guess@e2e.test', '111111'))).toEqual(invalidGrant(WRONG_EMAIL));
      expect(errorOf(await otpLogin('guess@e2e.test', '111111'))).toEqual(invalidGrant(TOO_MANY));
      expect(errorOf(await otpLogin('guess@e2e.test', '000000'))).toEqual(invalidGrant(TOO_MANY));
    });

    it('puts verification_code=000000 in magic links, which open once', async () => {
      await setup();
      const response = await post(t.app, '/passwordless/start', {
        client_id: WEB, client_secret: WEB_SECRET, connection: 'email', email: 'link@e2e.test', send: 'link',
        authParams: { redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', state: 'ls' },
      });
      expect(response.statusCode, response.body).toBe(200);
      const link = new URL(String((await latestMessage(t.app, 'link@e2e.test')).link));
      expect(link.searchParams.get('verification_code')).toBe('000000');
      const first = await new Browser(t.app).get(link.pathname + link.search);
      expect(first.statusCode, first.body).toBe(302);
      expect(new URL(String(first.headers.location)).searchParams.get('code')).toBeTruthy();
      const second = await new Browser(t.app).get(link.pathname + link.search);
      expect(second.statusCode).toBe(302);
      const refused = new URL(String(second.headers.location)).searchParams;
      expect([refused.get('code'), refused.get('error'), refused.get('state')]).toEqual([null, 'access_denied', 'ls']);
    });

    it('gives everyone else random codes', async () => {
      await setup();
      const codes = [await sendCode('one@example.com'), await sendCode('two@example.com'), await sendCode('e2e.test@example.com')];
      for (const code of codes) expect(code).toMatch(/^\d{6}$/);
      expect(codes.every((c) => c === '000000')).toBe(false);
    });

    it('matches many-star patterns without backtracking: a rule of 24 stars and a literal leaves /passwordless/start and /healthz answering', async () => {
      // As a regular expression (.*.*….*z) this rule backtracks on every code issued to a long address
      // that does not match: 12 stars took seconds for one code, 24 would not finish in a day.
      await setup();
      expect((await dev('POST', 'fixed-codes', { match: `${'*'.repeat(24)}z`, code: '424242' })).statusCode).toBe(201);
      const long = `${'a'.repeat(60)}@example.com`;
      expect(await sendCode(long)).not.toBe('424242');
      expect((await t.app.inject('/healthz')).statusCode).toBe(200);
      expect(await sendCode('jazz@example.z')).toBe('424242');
    });

    it('glob rules match as globs: prefix, suffix, inner parts in order, exact without a star', async () => {
      await setup();
      for (const [match, recipient, hit] of [
        ['*@e2e.test', 'x@e2e.test', true], ['*@e2e.test', 'x@e2e.testing', false], ['qa+*@*.example', 'qa+1@mail.example', true],
        ['qa+*@*.example', 'qa@mail.example', false], ['a*b*c@t.test', 'abc@t.test', true], ['a*b*c@t.test', 'acb@t.test', false], ['a*a@t.test', 'a@t.test', false],
        ['exact@example.com', 'EXACT@example.com', true], ['exact@example.com', 'exact@example.co', false],
      ] as const) {
        await dev('DELETE', 'fixed-codes');
        await dev('POST', 'fixed-codes', { match, code: '777777' });
        expect(await sendCode(recipient) === '777777', `${match} ~ ${recipient}`).toBe(hit);
      }
    });

    it('refuses a pattern longer than any address, naming match', async () => {
      await setup();
      const refused = await dev('POST', 'fixed-codes', { match: `${'a*'.repeat(200)}`, code: '123456' });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error_description).toMatch(/^match ".*" is longer than 256 characters/);
    });

    it('applies a rule POSTed at run time at once (phone prefix)', async () => {
      await setup();
      const added = await dev('POST', 'fixed-codes', { match: '+1555000*', code: '123456' });
      expect(added.statusCode, added.body).toBe(201);
      expect((await dev('GET', 'fixed-codes')).json().fixed_codes).toEqual([...FILE_FIXED, { match: '+1555000*', code: '123456' }]);
      expect(await sendCode('+15550001234')).toBe('123456');
      expect((await otpLogin('+15550001234', '123456')).statusCode).toBe(200);
    });

    it('ignores a rule whose until has passed, on the app clock', async () => {
      await setup();
      await dev('POST', 'fixed-codes', { match: 'past@example.com', code: '12345678', until: '2000-01-01T00:00:00Z' });
      expect(await sendCode('past@example.com')).toMatch(/^\d{6}$/);
      const until = new Date(t.clock.now() + 60_000).toISOString();
      await dev('POST', 'fixed-codes', { match: 'soon@example.com', code: '87654321', until });
      expect(await sendCode('soon@example.com')).toBe('87654321');
      await dev('POST', 'clock', { advance_seconds: 61 });
      expect(await sendCode('soon@example.com')).toMatch(/^\d{6}$/);
    });

    it.each([
      ['letters', { match: 'x@example.com', code: 'abcdef' }],
      ['3 digits', { match: 'x@example.com', code: '123' }],
      ['no match', { code: '123456' }],
      ['an until that is not a time', { match: 'x@example.com', code: '123456', until: 'later' }],
    ])('refuses a rule with %s with 400', async (_name, body) => {
      await setup();
      const response = await dev('POST', 'fixed-codes', body);
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('invalid_request');
      expect((await dev('GET', 'fixed-codes')).json().fixed_codes).toEqual(FILE_FIXED);
    });
  });

  describe('reset', () => {
    /** A management token for the default M2M client, for reading users as an app's test would. */
    async function usersByEmail(email: string): Promise<{ user_id: string }[]> {
      const issued = await token(t.app, { grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: 'understudy-m2m-secret', audience: `${t.issuer}api/v2/` });
      const response = await t.app.inject({ method: 'GET', url: `/api/v2/users-by-email?email=${encodeURIComponent(email)}`, headers: { authorization: `Bearer ${issued.json().access_token}` } });
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    }

    it('returns users, sessions, codes, messages, fixed codes, faults and clock to the tenant file', async () => {
      await setup();
      const [seeded] = await usersByEmail('seeded@example.com');
      expect(seeded?.user_id).toMatch(/^email\|/);
      const { browser } = await passwordlessLogin(t.app, { identifier: 'jane@example.com' });
      expect(await usersByEmail('jane@example.com')).toHaveLength(1);
      const pending = await sendCode('pending@example.com');
      await dev('POST', 'fixed-codes', { match: 'runtime@example.com', code: '4444' });
      await dev('POST', 'faults', { to: 'flaky@example.com', kind: 'fail' });
      await dev('POST', 'clock', { advance_seconds: 600 });

      const reset = await dev('POST', 'reset');
      expect(reset.statusCode).toBe(204);

      expect((await dev('GET', 'clock')).json().offset_seconds).toBe(0);
      expect((await dev('GET', 'fixed-codes')).json().fixed_codes).toEqual(FILE_FIXED);
      expect((await dev('GET', 'faults')).json().faults).toEqual([]);
      expect((await dev('GET', 'messages')).json().messages).toEqual([]);
      expect(await noMessage(t.app, 'jane@example.com')).toBe(404);
      expect(await usersByEmail('jane@example.com')).toEqual([]);
      expect((await usersByEmail('seeded@example.com')).map((u) => u.user_id)).toEqual([seeded!.user_id]);
      expect(errorOf(await otpLogin('pending@example.com', pending))).toEqual(invalidGrant(WRONG_EMAIL));

      const { challenge } = pkcePair();
      const silent = await browser.get(
        authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', state: 'after-reset', prompt: 'none', code_challenge: challenge, code_challenge_method: 'S256' }),
      );
      expect(silent.statusCode).toBe(302);
      expect(new URL(String(silent.headers.location)).searchParams.get('error')).toBe('login_required');

      // The file's fixed codes apply again, the removed fault no longer does.
      expect(await sendCode('after@e2e.test')).toBe('000000');
      expect((await sendCode('flaky@example.com'))).toMatch(/^\d{6}$/);
    });
  });

  describe('delivery faults', () => {
    it('an SMS fail fault shows the delivery error on the identifier screen (502) and stores no message', async () => {
      await setup();
      expect((await dev('POST', 'faults', { to: '+15551234567', channel: 'sms', kind: 'fail' })).statusCode).toBe(201);
      const s = await startLogin(t.app, { connection: 'sms' });
      const page = await enterIdentifier(s, '+15551234567');
      expect(page.statusCode).toBe(502);
      expect(alertText(page.body)).toContain("We couldn't send the text message");
      expect(await noMessage(t.app, '+15551234567')).toBe(404);
    });

    it('an SMS fail fault makes /passwordless/start answer 400 sms_provider_error', async () => {
      await setup();
      await dev('POST', 'faults', { to: '+15551234567', channel: 'sms', kind: 'fail' });
      const response = await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'sms', phone_number: '+15551234567', send: 'code' });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('sms_provider_error');
      expect(await noMessage(t.app, '+15551234567')).toBe(404);
    });

    it('an email fail fault makes /passwordless/start answer email_provider_error', async () => {
      await setup();
      await dev('POST', 'faults', { to: 'bounce@example.com', channel: 'email', kind: 'fail' });
      const response = await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', email: 'bounce@example.com', send: 'code' });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('email_provider_error');
    });

    it('times: 2 fails the next two sends, then delivery works', async () => {
      await setup();
      await dev('POST', 'faults', { to: 'twice@example.com', kind: 'fail', times: 2 });
      const start = () => post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', email: 'twice@example.com', send: 'code' });
      expect((await start()).statusCode).toBe(400);
      expect((await start()).statusCode).toBe(400);
      expect((await start()).statusCode).toBe(200);
      expect((await latestMessage(t.app, 'twice@example.com')).code).toMatch(/^\d{6}$/);
      expect((await dev('GET', 'faults')).json().faults).toEqual([]);
    });

    it('a fault on another channel leaves this one alone', async () => {
      await setup();
      await dev('POST', 'faults', { to: 'chan@example.com', channel: 'sms', kind: 'fail' });
      expect(await sendCode('chan@example.com')).toMatch(/^\d{6}$/);
    });

    it('a delay fault answers start at once and delivers later, which ?wait= picks up', async () => {
      await setup();
      await dev('POST', 'faults', { to: 'late@example.com', kind: 'delay', delay_ms: 200 });
      const response = await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', email: 'late@example.com', send: 'code' });
      expect(response.statusCode, response.body).toBe(200);
      expect(await noMessage(t.app, 'late@example.com')).toBe(404);
      const waited = await t.app.inject({ method: 'GET', url: '/_dev/api/messages/latest?to=late@example.com&wait=5000' });
      expect(waited.statusCode, waited.body).toBe(200);
      expect(waited.json().code).toMatch(/^\d{6}$/);
      expect((await otpLogin('late@example.com', waited.json().code)).statusCode).toBe(200);
    });

    it('reset drops a delayed message still in flight, so it never lands in the next test', async () => {
      await setup();
      await dev('POST', 'faults', { to: 'inflight@example.com', kind: 'delay', delay_ms: 100 });
      expect((await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', email: 'inflight@example.com', send: 'code' })).statusCode).toBe(200);
      expect((await dev('POST', 'reset')).statusCode).toBe(204);
      // Bounded real-time wait, well past the delay: nothing may arrive.
      const waited = await t.app.inject({ method: 'GET', url: '/_dev/api/messages/latest?to=inflight@example.com&wait=600' });
      expect(waited.statusCode).toBe(404);
    });

    it.each([
      ['no to', { kind: 'fail' }],
      ['an unknown kind', { to: 'x@example.com', kind: 'explode' }],
      ['an unknown channel', { to: 'x@example.com', kind: 'fail', channel: 'fax' }],
      ['times 0', { to: 'x@example.com', kind: 'fail', times: 0 }],
    ])('refuses a fault with %s with 400', async (_name, body) => {
      await setup();
      const response = await dev('POST', 'faults', body);
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('invalid_request');
    });
  });
});
