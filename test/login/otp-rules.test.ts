import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA, latestMessage } from '../support/flows.js';
import { alertText } from '../support/browser.js';
import { callbackOf, enterIdentifier, postChallenge, reachChallenge, startLogin, tokensFor, verifyJwt, type Started } from '../support/screens.js';

/** The passwordless code rules, observed through the challenge screens and the dev mailbox API. */
const WRONG = 'The code you entered is invalid';
const EXPIRED = 'The code you entered has expired. Select Resend to get a new one.';
const TOO_MANY = "You've reached the maximum number of attempts. Please try to login again.";

const enc = encodeURIComponent;
const resumePath = (s: Started) => `/authorize/resume?state=${enc(s.state)}`;
/** A code of the same length that is certainly not the one sent. */
const wrongOf = (code: string) => code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));

describe('OTP rules on the challenge screens', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  async function atChallenge(email: string): Promise<{ s: Started; path: string; code: string; id: string }> {
    const s = await startLogin(t.app);
    const path = await reachChallenge(s, email);
    expect(path).toBe(`/u/login/passwordless-email-challenge?state=${enc(s.state)}`);
    const message = await latestMessage(t.app, email);
    return { s, path, code: message.code, id: message.id };
  }

  it('re-renders the challenge with 400 and a role="alert" message for a wrong code', async () => {
    t = await buildTestApp();
    const { s, path, code } = await atChallenge('wrong@example.com');
    const refused = await postChallenge(s, path, { code: wrongOf(code) });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers.location).toBeUndefined();
    expect(alertText(refused.body)).toBe(WRONG);
    expect(refused.body).toContain('<title>Enter your email code to log in | Understudy SPA</title>');
  });

  it('accepts the right code after a wrong one and sends the browser to /authorize/resume', async () => {
    t = await buildTestApp();
    const { s, path, code } = await atChallenge('second-try@example.com');
    expect((await postChallenge(s, path, { code: wrongOf(code) })).statusCode).toBe(400);
    const accepted = await postChallenge(s, path, { code });
    expect(accepted.statusCode).toBe(302);
    expect(accepted.headers.location).toBe(resumePath(s));
  });

  it('kills the code after 3 wrong attempts, showing the maximum-attempts message, and then refuses the right code too', async () => {
    t = await buildTestApp();
    const { s, path, code } = await atChallenge('attempts@example.com');
    for (let i = 0; i < 2; i++) expect(alertText((await postChallenge(s, path, { code: wrongOf(code) })).body)).toBe(WRONG);
    const third = await postChallenge(s, path, { code: wrongOf(code) });
    expect(third.statusCode).toBeGreaterThanOrEqual(400);
    expect(alertText(third.body)).toBe(TOO_MANY);

    const right = await postChallenge(s, path, { code });
    expect(right.statusCode).toBeGreaterThanOrEqual(400);
    expect(right.headers.location).toBeUndefined();
    expect(alertText(right.body)).toBe(TOO_MANY);
  });

  it('issues a fresh, working code on Resend after the attempts ran out', async () => {
    t = await buildTestApp();
    const { s, path, code, id } = await atChallenge('revive@example.com');
    for (let i = 0; i < 3; i++) await postChallenge(s, path, { code: wrongOf(code) });
    expect((await postChallenge(s, path, { action: 'resend' })).statusCode).toBe(200);
    const fresh = await latestMessage(t.app, 'revive@example.com', id);
    const accepted = await postChallenge(s, path, { code: fresh.code });
    expect(accepted.statusCode).toBe(302);
    expect(accepted.headers.location).toBe(resumePath(s));
  });

  it('makes Resend send a new code that works while the previous one is refused', async () => {
    t = await buildTestApp();
    const { s, path, code: oldCode, id: oldId } = await atChallenge('resend@example.com');
    const resent = await postChallenge(s, path, { action: 'resend' });
    expect(resent.statusCode).toBe(200);
    expect(resent.body).toContain('We sent a new code');

    const fresh = await latestMessage(t.app, 'resend@example.com', oldId);
    expect(fresh.id).not.toBe(oldId);
    expect(fresh.id > oldId).toBe(true);
    // One chance in a million that a fresh random code equals the old one; then this check is meaningless.
    expect(fresh.code).not.toBe(oldCode);

    const old = await postChallenge(s, path, { code: oldCode });
    expect(old.statusCode).toBe(400);
    expect(alertText(old.body)).toBe(WRONG);
    const accepted = await postChallenge(s, path, { code: fresh.code });
    expect(accepted.statusCode).toBe(302);
  });

  it('lets "Edit" go back to login-id, and then only the code sent to the new identifier works', async () => {
    t = await buildTestApp();
    const { s, code: firstCode } = await atChallenge('first@example.com');
    const edit = await s.browser.get(`/u/login/identifier?state=${enc(s.state)}`);
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toMatch(/name="username"[^>]*value="first@example.com"|value="first@example.com"[^>]*name="username"/);
    const path = await reachChallenge(s, 'second@example.com');
    const second = await latestMessage(t.app, 'second@example.com');
    expect(alertText((await postChallenge(s, path, { code: firstCode })).body)).toBe(WRONG);
    expect((await postChallenge(s, path, { code: second.code })).statusCode).toBe(302);
  });

  it('refuses a code once its lifetime (180 s by default) has passed', async () => {
    t = await buildTestApp();
    const { s, path, code } = await atChallenge('expiry@example.com');
    t.clock.advance(181_000);
    const refused = await postChallenge(s, path, { code });
    expect(refused.statusCode).toBe(400);
    expect(alertText(refused.body)).toBe(EXPIRED);
  });

  it('gives a working code on Resend after the previous one expired', async () => {
    t = await buildTestApp();
    const { s, path, id } = await atChallenge('expired-resend@example.com');
    t.clock.advance(181_000);
    await postChallenge(s, path, { action: 'resend' });
    const fresh = await latestMessage(t.app, 'expired-resend@example.com', id);
    expect((await postChallenge(s, path, { code: fresh.code })).statusCode).toBe(302);
  });

  it('counts parallel wrong guesses, so a burst of them still kills the code', async () => {
    t = await buildTestApp();
    const { s, path, code } = await atChallenge('burst@example.com');
    const burst = await Promise.all(Array.from({ length: 5 }, () => postChallenge(s, path, { code: wrongOf(code) })));
    expect(burst.every((r) => r.statusCode >= 400)).toBe(true);
    const right = await postChallenge(s, path, { code });
    expect(right.headers.location).toBeUndefined();
    expect(alertText(right.body)).toBe(TOO_MANY);
  });

  it('issues one authorization code when /authorize/resume is requested twice at once', async () => {
    t = await buildTestApp();
    const { s, path, code } = await atChallenge('race@example.com');
    await postChallenge(s, path, { code });
    const results = await Promise.all([s.browser.get(resumePath(s)), s.browser.get(resumePath(s))]);
    const withCode = results.filter((r) => r.statusCode === 302 && new URL(String(r.headers.location)).searchParams.has('code'));
    expect(withCode).toHaveLength(1);
  });

  it('takes length and lifetime from options.totp: 8 digits, valid at 299 s, expired at 301 s', async () => {
    t = await buildTestApp({
      tenant: {
        clients: [{ name: 'Eight', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK] }],
        connections: [{ name: 'email', strategy: 'email', options: { totp: { length: 8, time_step: 300 } } }],
      },
    });
    const first = await atChallenge('eight@example.com');
    expect(first.code).toMatch(/^\d{8}$/);
    t.clock.advance(299_000);
    const accepted = await postChallenge(first.s, first.path, { code: first.code });
    expect(accepted.statusCode, accepted.body).toBe(302);

    const second = await atChallenge('eight@example.com');
    expect(second.code).toMatch(/^\d{8}$/);
    t.clock.advance(301_000);
    const refused = await postChallenge(second.s, second.path, { code: second.code });
    expect(refused.statusCode).toBe(400);
    expect(alertText(refused.body)).toBe(EXPIRED);
  });

  it('shows the error page, never a second authorization code, when the challenge of a finished login is posted again', async () => {
    t = await buildTestApp();
    const { s, path, code } = await atChallenge('once@example.com');
    const accepted = await postChallenge(s, path, { code });
    const callback = callbackOf(await s.browser.get(String(accepted.headers.location)));
    expect(callback.searchParams.get('code')).toBeTruthy();

    const replay = await postChallenge(s, path, { code });
    expect(replay.statusCode).toBe(400);
    expect(replay.headers.location).toBeUndefined();
    expect(alertText(replay.body)).toMatch(/^invalid_request\b/);
    const resumeAgain = await s.browser.get(resumePath(s));
    expect(resumeAgain.statusCode).toBe(400);
    expect(resumeAgain.headers.location).toBeUndefined();
  });

  it('issues exactly one authorization code when the code is posted twice before resuming', async () => {
    t = await buildTestApp();
    const { s, path, code } = await atChallenge('double@example.com');
    const first = await postChallenge(s, path, { code });
    const second = await postChallenge(s, path, { code });
    expect(first.headers.location).toBe(resumePath(s));
    expect(second.headers.location).toBe(resumePath(s));
    const issued = await s.browser.get(resumePath(s));
    expect(callbackOf(issued).searchParams.get('code')).toBeTruthy();
    const again = await s.browser.get(resumePath(s));
    expect(again.statusCode).toBe(400);
    expect(again.headers.location).toBeUndefined();
  });

  it('refuses the challenge to another browser that knows the transaction state', async () => {
    t = await buildTestApp();
    const { s, path, code } = await atChallenge('bound@example.com');
    const stranger = await t.app.inject({
      method: 'POST', url: path, payload: new URLSearchParams({ state: s.state, code, action: 'default' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.headers.location).toBeUndefined();
    // The owner's code is untouched by the stranger's attempt.
    expect((await postChallenge(s, path, { code })).statusCode).toBe(302);
  });
});

describe('disable_signup', () => {
  let t: TestApp;
  afterEach(() => t.app.close());
  const tenant = {
    clients: [{ name: 'Closed App', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK] }],
    connections: [{ name: 'email', strategy: 'email', options: { disable_signup: true } }],
    users: [{ connection: 'email', email: 'member@example.com', user_id: 'email|0123456789abcdef01234567' }],
  };

  it('refuses an unknown email on login-id with a screen error and sends no code', async () => {
    t = await buildTestApp({ tenant });
    const s = await startLogin(t.app);
    const refused = await enterIdentifier(s, 'stranger@example.com');
    expect(refused.statusCode).toBe(400);
    expect(refused.headers.location).toBeUndefined();
    expect(alertText(refused.body)).toBe('Sign ups are not allowed for this connection.');
    expect((await t.app.inject('/_dev/api/messages/latest?to=stranger@example.com')).statusCode).toBe(404);
  });

  it('lets a seeded user in with the seeded subject', async () => {
    t = await buildTestApp({ tenant });
    const s = await startLogin(t.app);
    const path = await reachChallenge(s, 'Member@Example.com');
    const { code } = await latestMessage(t.app, 'member@example.com');
    const accepted = await postChallenge(s, path, { code });
    const tokens = await tokensFor(t.app, callbackOf(await s.browser.get(String(accepted.headers.location))), s.verifier);
    expect((await verifyJwt(t.app, tokens.id_token, t.issuer, t.clock.now())).sub).toBe('email|0123456789abcdef01234567');
  });
});

describe('dev mailbox API', () => {
  let t: TestApp;
  afterEach(() => t.app.close());
  const api = (url: string, method: 'GET' | 'DELETE' = 'GET') => t.app.inject({ method, url });

  it('gives each code a message with the documented fields and Auth0\'s default email text', async () => {
    t = await buildTestApp();
    const s = await startLogin(t.app);
    await reachChallenge(s, 'shape@example.com');
    const message = (await api('/_dev/api/messages/latest?to=shape@example.com')).json();
    expect(Object.keys(message).sort()).toEqual(
      ['channel', 'client_id', 'code', 'connection', 'created_at', 'expires_at', 'from', 'html', 'id', 'link', 'subject', 'text', 'to'].sort(),
    );
    expect(message).toMatchObject({ channel: 'email', to: 'shape@example.com', link: null, connection: 'email', client_id: SPA });
    expect(message.code).toMatch(/^\d{6}$/);
    expect(message.text.startsWith(`Your verification code is: ${message.code}`)).toBe(true);
    expect(message.html).toContain(message.code);
    expect(typeof message.subject).toBe('string');
    expect(message.created_at).toBe(new Date(t.clock.now()).toISOString());
    expect(Date.parse(message.expires_at) - Date.parse(message.created_at)).toBe(180_000);
  });

  it('lists messages newest first, filtered by recipient and channel', async () => {
    t = await buildTestApp();
    const mail = await startLogin(t.app);
    const path = await reachChallenge(mail, 'list@example.com');
    t.clock.advance(1000);
    await postChallenge(mail, path, { action: 'resend' });
    await reachChallenge(await startLogin(t.app, { connection: 'sms' }), '+1 555 123 4567');

    const emails = (await api('/_dev/api/messages?to=list@example.com&channel=email')).json().messages;
    expect(emails).toHaveLength(2);
    expect(emails[0].id > emails[1].id).toBe(true);
    expect(Date.parse(emails[0].created_at)).toBeGreaterThan(Date.parse(emails[1].created_at));
    expect((await api('/_dev/api/messages?channel=sms')).json().messages.map((m: { to: string }) => m.to)).toEqual(['+15551234567']);
    // A phone number is matched however it is typed, even with the `+` left unencoded in the URL.
    expect((await api(`/_dev/api/messages?to=${enc('+1 555 123 4567')}`)).json().messages).toHaveLength(1);
    expect((await api('/_dev/api/messages?to=+15551234567')).json().messages).toHaveLength(1);
    expect((await api('/_dev/api/messages/latest?to=+15551234567')).statusCode).toBe(200);
    expect((await api('/_dev/api/messages?to=list@example.com&channel=sms')).json()).toEqual({ messages: [] });
    expect((await api('/_dev/api/messages')).json().messages).toHaveLength(3);
  });

  it('answers latest with a 404 JSON error when the recipient has no message', async () => {
    t = await buildTestApp();
    const none = await api('/_dev/api/messages/latest?to=nobody@example.com');
    expect(none.statusCode).toBe(404);
    expect(none.headers['content-type']).toMatch(/^application\/json/);
    expect(none.json()).toMatchObject({ error: expect.any(String), error_description: expect.stringContaining('nobody@example.com') });
  });

  it('holds latest?wait= open until a message arrives during the wait', async () => {
    t = await buildTestApp();
    const s = await startLogin(t.app);
    expect((await api('/_dev/api/messages/latest?to=waiter@example.com')).statusCode).toBe(404);
    const [waited, submitted] = await Promise.all([
      api('/_dev/api/messages/latest?to=waiter@example.com&wait=20000'),
      enterIdentifier(s, 'waiter@example.com'),
    ]);
    expect(submitted.statusCode).toBe(302);
    expect(waited.statusCode, waited.body).toBe(200);
    expect(waited.json()).toMatchObject({ to: 'waiter@example.com', code: expect.stringMatching(/^\d{6}$/) });
  });

  it('holds latest?after=<id>&wait= open until a newer message (a resend) arrives', async () => {
    t = await buildTestApp();
    const s = await startLogin(t.app);
    const path = await reachChallenge(s, 'after@example.com');
    const first = await latestMessage(t.app, 'after@example.com');
    const [waited] = await Promise.all([
      api(`/_dev/api/messages/latest?to=after@example.com&after=${first.id}&wait=20000`),
      postChallenge(s, path, { action: 'resend' }),
    ]);
    expect(waited.statusCode, waited.body).toBe(200);
    expect(waited.json().id).not.toBe(first.id);
    expect((await postChallenge(s, path, { code: waited.json().code })).statusCode).toBe(302);
  });

  it('empties the mailbox on DELETE with 204', async () => {
    t = await buildTestApp();
    await reachChallenge(await startLogin(t.app), 'gone@example.com');
    const deleted = await api('/_dev/api/messages', 'DELETE');
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect((await api('/_dev/api/messages')).json()).toEqual({ messages: [] });
    expect((await api('/_dev/api/messages/latest?to=gone@example.com')).statusCode).toBe(404);
  });

  it('is absent when the dev routes are turned off', async () => {
    t = await buildTestApp({ devRoutes: false });
    expect((await api('/_dev/api/messages')).statusCode).toBe(404);
  });
});
