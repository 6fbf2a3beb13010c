import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { SPA, latestMessage, passwordlessLogin } from '../support/flows.js';
import { alertText } from '../support/browser.js';
import { callbackOf, enterIdentifier, loginToResume, startLogin, tokensFor, verifyJwt } from '../support/screens.js';

const smsOnlyTenant = {
  clients: [{ name: 'Phone App', client_id: SPA, app_type: 'spa', callbacks: ['http://localhost:3000/callback'], web_origins: ['http://localhost:3000'] }],
  connections: [{ name: 'sms', strategy: 'sms' }],
};

describe('SMS passwordless login through Universal Login', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  it('logs in with connection=sms, normalising a typed phone number to E.164', async () => {
    t = await buildTestApp();
    const { callback, verifier } = await passwordlessLogin(t.app, { identifier: '+1 555 123 4567', params: { connection: 'sms' } });
    expect(callback.origin + callback.pathname).toBe('http://localhost:3000/callback');
    expect(callback.searchParams.get('state')).toBe('client-state');

    const tokens = await tokensFor(t.app, callback, verifier);
    const claims = await verifyJwt(t.app, tokens.id_token, t.issuer, t.clock.now(), SPA);
    expect(claims.sub).toMatch(/^sms\|[0-9a-f]{24}$/);
    expect(claims).toMatchObject({ phone_number: '+15551234567', phone_number_verified: true, name: '+15551234567', nickname: '+15551234567' });
    expect(claims.email).toBeUndefined();

    const userinfo = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.statusCode, userinfo.body).toBe(200);
    expect(userinfo.json()).toMatchObject({ sub: claims.sub, phone_number: '+15551234567', phone_number_verified: true });
  });

  it('sends the SMS text "Your verification code is: NNNNNN" to the E.164 number', async () => {
    t = await buildTestApp();
    const s = await startLogin(t.app, { connection: 'sms' });
    const submitted = await enterIdentifier(s, '+1 (555) 123-4567');
    expect(submitted.statusCode, submitted.body).toBe(302);
    expect(String(submitted.headers.location)).toBe(`/u/login/passwordless-sms-challenge?state=${encodeURIComponent(s.state)}`);

    const message = await latestMessage(t.app, '+15551234567');
    expect(message).toMatchObject({ channel: 'sms', to: '+15551234567', connection: 'sms', client_id: SPA, subject: null, html: null, link: null });
    expect(message.code).toMatch(/^\d{6}$/);
    expect(message.text).toBe(`Your verification code is: ${message.code}`);
  });

  it('shows the phone code challenge screen with the number the code went to', async () => {
    t = await buildTestApp();
    const s = await startLogin(t.app, { connection: 'sms' });
    const challenge = String((await enterIdentifier(s, '+1 555 123 4567')).headers.location);
    const page = await s.browser.get(challenge);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Enter your phone code to log in | Understudy SPA</title>');
    expect(page.body).toContain('+15551234567');
    expect(page.body).toMatch(/<input id="code" name="code"/);
    expect(page.body).toMatch(/name="action" value="resend"/);
  });

  it('maps the same number, however it is typed, to the same sms user', async () => {
    t = await buildTestApp();
    const subs: unknown[] = [];
    for (const typed of ['+1 555 123 4567', '+1-555-123-4567']) {
      const login = await passwordlessLogin(t.app, { identifier: typed, params: { connection: 'sms' } });
      const tokens = await tokensFor(t.app, login.callback, login.verifier);
      subs.push((await verifyJwt(t.app, tokens.id_token, t.issuer, t.clock.now())).sub);
    }
    expect(subs[0]).toMatch(/^sms\|/);
    expect(subs[1]).toBe(subs[0]);
  });

  it('presents SMS without a connection parameter on a tenant whose only connection is sms', async () => {
    t = await buildTestApp({ tenant: smsOnlyTenant });
    const s = await startLogin(t.app);
    const loginId = await s.browser.get(s.location);
    expect(loginId.body).toMatch(/<input id="username" name="username"[^>]*type="tel"/);

    const resumed = await loginToResume(s, '+1 555 123 4567', '+15551234567', t.app);
    const tokens = await tokensFor(t.app, callbackOf(resumed), s.verifier);
    const claims = await verifyJwt(t.app, tokens.id_token, t.issuer, t.clock.now(), SPA);
    expect(claims.sub).toMatch(/^sms\|[0-9a-f]{24}$/);
    expect(claims.phone_number).toBe('+15551234567');
  });

  it('leaves phone_number out of the ID token when the phone scope is not requested', async () => {
    t = await buildTestApp();
    const login = await passwordlessLogin(t.app, { identifier: '+15551234567', params: { connection: 'sms', scope: 'openid' } });
    const tokens = await tokensFor(t.app, login.callback, login.verifier);
    const claims = await verifyJwt(t.app, tokens.id_token, t.issuer, t.clock.now());
    expect(claims.sub).toMatch(/^sms\|/);
    expect(claims.phone_number).toBeUndefined();
    expect(claims.phone_number_verified).toBeUndefined();
  });

  it('re-renders login-id with an alert for something that is not a phone number', async () => {
    t = await buildTestApp();
    const s = await startLogin(t.app, { connection: 'sms' });
    const refused = await enterIdentifier(s, 'call me maybe');
    expect(refused.statusCode).toBe(400);
    expect(alertText(refused.body)).toBe('Phone number is not valid.');
    const none = await t.app.inject({ method: 'GET', url: '/_dev/api/messages?channel=sms' });
    expect(none.json()).toEqual({ messages: [] });
  });
});
