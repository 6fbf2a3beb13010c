import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { AuthClient } from '@auth0/auth0-auth-js';
import { ensureLocalCertificates } from '../../src/tls/local-ca.js';
import { listeningTestApp, type ListeningTestApp } from '../support/app.js';

/**
 * @auth0/auth0-auth-js, unmodified, over HTTPS: `authClient.database.signUp` against
 * /dbconnections/signup. A new user comes back with its id and an unverified email; a taken email
 * and a weak password fail as the SDK reports Auth0's answers; `database.changePassword` gets Auth0's
 * text for a real user and for an unknown one alike (docs/research/auth0-database-connections.md §4.1).
 */
const VERSION = (JSON.parse(readFileSync(join(dirname(createRequire(import.meta.url).resolve('@auth0/auth0-auth-js')), '..', 'package.json'), 'utf8')) as { version: string }).version;
const DB = 'Username-Password-Authentication';
const CLIENT = 'auth-js-db';
const WEB = { id: 'auth-js-db-web', secret: 'auth-js-db-web-secret-long-enough' };
const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';
const PHONE_USER = { email: 'phoebe@example.com', phone_number: '+14155550123', password: 'Telephone-1876' };

describe(`@auth0/auth0-auth-js ${VERSION}: database sign-up`, () => {
  let dir: string;
  let t: ListeningTestApp;
  let agent: Agent;
  let client: AuthClient;
  let web: AuthClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'understudy-auth-js-db-'));
    const certs = await ensureLocalCertificates(dir, []);
    t = await listeningTestApp({ scheme: 'https', host: 'localhost' }, () => ({
      https: { key: certs.keyPem, cert: certs.certPem, localCaPem: certs.caPem },
      tenant: {
        clients: [
          { name: 'DB SPA', client_id: CLIENT, app_type: 'spa', callbacks: ['https://app.example/callback'] },
          { name: 'DB Web', client_id: WEB.id, client_secret: WEB.secret, app_type: 'regular_web', token_endpoint_auth_method: 'client_secret_post', callbacks: ['https://app.example/callback'], grant_types: ['authorization_code', OTP_GRANT] },
        ],
        connections: [{ name: DB, strategy: 'auth0', enabled_clients: ['DB SPA', 'DB Web'], options: { passwordPolicy: 'fair', authentication_methods: { password: { enabled: true }, email_otp: { enabled: true }, phone_otp: { enabled: true } } } }],
        users: [{ ...PHONE_USER, connection: DB }],
      },
    }));
    agent = new Agent({ connect: { ca: certs.caPem } });
    const customFetch = ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, dispatcher: agent } as RequestInit)) as typeof fetch;
    client = new AuthClient({ domain: `localhost:${t.port}`, clientId: CLIENT, customFetch });
    web = new AuthClient({ domain: `localhost:${t.port}`, clientId: WEB.id, clientSecret: WEB.secret, customFetch });
  });

  afterAll(async () => {
    await t?.app.close();
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: { name?: string; message?: string; statusCode?: number; body?: string }) => err);

  it('signs a user up, then refuses the same email and a password below the policy', async () => {
    const created = await client.database.signUp({ email: 'ada@example.com', password: 'Analytical1', connection: DB, givenName: 'Ada', userMetadata: { plan: 'free' } });
    expect(created).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{24}$/), email: 'ada@example.com', emailVerified: false, givenName: 'Ada' });

    const taken = await failure(client.database.signUp({ email: 'ada@example.com', password: 'Analytical2', connection: DB }));
    expect(taken).toMatchObject({ name: 'SignUpError', message: 'Invalid sign up', statusCode: 400 });

    // The SDK words a policy refusal "Failed to sign up"; Auth0's rules are in the body it keeps.
    const weak = await failure(client.database.signUp({ email: 'babbage@example.com', password: 'engine', connection: DB }));
    expect(weak).toMatchObject({ name: 'SignUpError', message: 'Failed to sign up', statusCode: 400 });
    expect(JSON.parse(weak!.body!)).toMatchObject({ name: 'PasswordStrengthError', code: 'invalid_password', policy: expect.stringContaining('* Should contain:') });
  });

  it('changePassword answers Auth0\'s text whether or not the user exists, and mails only a real user', async () => {
    await client.database.signUp({ email: 'grace@example.com', password: 'Compiler1957', connection: DB });
    expect(await client.database.changePassword({ email: 'grace@example.com', connection: DB })).toBe("We've just sent you an email to reset your password.");
    expect(await client.database.changePassword({ email: 'nobody@example.com', connection: DB })).toBe("We've just sent you an email to reset your password.");
    const mailbox = async (to: string) => ((await (await fetch(`https://localhost:${t.port}/_dev/api/messages?to=${encodeURIComponent(to)}`, { dispatcher: agent } as RequestInit)).json()) as { messages: { link: string | null }[] }).messages;
    expect((await mailbox('grace@example.com'))[0]?.link).toMatch(/\/u\/reset-password\?ticket=/);
    expect(await mailbox('nobody@example.com')).toEqual([]);
  });

  /** The newest code for `to` in the dev mailbox, waited for with its long poll. */
  const codeFor = async (to: string): Promise<string> => {
    const response = await fetch(`https://localhost:${t.port}/_dev/api/messages/latest?${new URLSearchParams({ to, wait: '5000' })}`, { dispatcher: agent } as RequestInit);
    return ((await response.json()) as { code: string }).code;
  };
  const latestFor = async (to: string): Promise<{ code: string; [key: string]: unknown }> => {
    const response = await fetch(`https://localhost:${t.port}/_dev/api/messages/latest?${new URLSearchParams({ to, wait: '5000' })}`, { dispatcher: agent } as RequestInit);
    return (await response.json()) as { code: string };
  };
  const subOf = (idToken: string | undefined) => JSON.parse(Buffer.from(String(idToken).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

  it('passwordless on the database connection: challengeWithEmail, the mailed code, getTokenByPasswordlessDbConnection', async () => {
    const { id } = await client.database.signUp({ email: 'otto@example.com', password: 'Analytical1', connection: DB });
    const challenge = await web.passwordless.challengeWithEmail({ email: 'otto@example.com', connection: DB });
    expect(typeof challenge.authSession).toBe('string');
    const tokens = await web.passwordless.getTokenByPasswordlessDbConnection({ authSession: challenge.authSession, otp: await codeFor('otto@example.com'), scope: 'openid email' });
    // The code proves the address: signed up unverified, verified now.
    expect(subOf(tokens.idToken)).toMatchObject({ sub: `auth0|${id}`, email: 'otto@example.com', email_verified: true });
    // A used session buys nothing more.
    await expect(web.passwordless.getTokenByPasswordlessDbConnection({ authSession: challenge.authSession, otp: '000000' })).rejects.toMatchObject({ name: 'PasswordlessDbGetTokenError' });

    // allowSignup: an unknown email signs up with the code.
    const signup = await web.passwordless.challengeWithEmail({ email: 'newcomer@example.com', connection: DB, allowSignup: true });
    const created = await web.passwordless.getTokenByPasswordlessDbConnection({ authSession: signup.authSession, otp: await codeFor('newcomer@example.com'), scope: 'openid email' });
    expect(subOf(created.idToken)).toMatchObject({ sub: expect.stringMatching(/^auth0\|[0-9a-f]{24}$/), email: 'newcomer@example.com', email_verified: true });

    // Without it the challenge still answers (nothing says who has an account), and the token call fails.
    const unknown = await web.passwordless.challengeWithEmail({ email: 'stranger@example.com', connection: DB });
    expect(typeof unknown.authSession).toBe('string');
    const refused = await web.passwordless.getTokenByPasswordlessDbConnection({ authSession: unknown.authSession, otp: '123456' }).then(() => undefined, (err: { cause?: unknown }) => err.cause);
    expect(refused).toMatchObject({ error: 'invalid_request', error_description: 'The otp or auth_session is invalid or has expired' });
    const mailbox = await fetch(`https://localhost:${t.port}/_dev/api/messages?to=stranger%40example.com`, { dispatcher: agent } as RequestInit);
    expect(((await mailbox.json()) as { messages: unknown[] }).messages).toEqual([]);

    // A wrong code for a real user is refused in the same words: the answer does not say who exists.
    const real = await web.passwordless.challengeWithEmail({ email: 'otto@example.com', connection: DB });
    const right = await codeFor('otto@example.com');
    const wrong = await web.passwordless.getTokenByPasswordlessDbConnection({ authSession: real.authSession, otp: right === '000000' ? '111111' : '000000' }).then(() => undefined, (err: { cause?: unknown }) => err.cause);
    expect(wrong).toEqual(refused);
  });

  it('phone_otp: challengeWithPhoneNumber texts a code; an existing user logs in, allowSignup signs a new number up', async () => {
    const challenge = await web.passwordless.challengeWithPhoneNumber({ phoneNumber: PHONE_USER.phone_number, connection: DB });
    const text = await latestFor(PHONE_USER.phone_number);
    expect(text).toMatchObject({ channel: 'sms', connection: DB, text: `Your verification code is: ${text.code}` });
    const tokens = await web.passwordless.getTokenByPasswordlessDbConnection({ authSession: challenge.authSession, otp: text.code, scope: 'openid email phone' });
    // The database user seeded with this number: the same account its email and password reach.
    const byPassword = subOf((await web.passwordless.getTokenByPasswordlessDbConnection({ authSession: (await web.passwordless.challengeWithEmail({ email: PHONE_USER.email, connection: DB })).authSession, otp: await codeFor(PHONE_USER.email), scope: 'openid' })).idToken);
    expect(subOf(tokens.idToken)).toMatchObject({ sub: byPassword.sub, phone_number: PHONE_USER.phone_number, phone_number_verified: true });

    // delivery_method voice arrives as a text message too; allowSignup creates a phone-only user.
    const voice = await web.passwordless.challengeWithPhoneNumber({ phoneNumber: '+14155550177', connection: DB, allowSignup: true, deliveryMethod: 'voice' });
    const created = await web.passwordless.getTokenByPasswordlessDbConnection({ authSession: voice.authSession, otp: (await latestFor('+14155550177')).code, scope: 'openid phone' });
    expect(subOf(created.idToken)).toMatchObject({ sub: expect.stringMatching(/^auth0\|[0-9a-f]{24}$/), phone_number: '+14155550177', phone_number_verified: true });

    // Without allowSignup an unknown number gets a session and no text, and the token call fails.
    const unknown = await web.passwordless.challengeWithPhoneNumber({ phoneNumber: '+14155550199', connection: DB });
    const refused = await web.passwordless.getTokenByPasswordlessDbConnection({ authSession: unknown.authSession, otp: '123456' }).then(() => undefined, (err: { cause?: unknown }) => err.cause);
    expect(refused).toMatchObject({ error: 'invalid_request', error_description: 'The otp or auth_session is invalid or has expired' });
  });

  it('/otp/challenge refuses what Auth0 refuses, with validation_errors', async () => {
    const challenge = (body: Record<string, unknown>) =>
      fetch(`https://localhost:${t.port}/otp/challenge`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: WEB.id, client_secret: WEB.secret, connection: DB, ...body }) } as RequestInit);
    const neither = await challenge({});
    expect(neither.status).toBe(400);
    expect(await neither.json()).toEqual({ error: 'invalid_request', error_description: 'Either email or phone_number must be provided', validation_errors: [{ field: 'email', message: 'Either email or phone_number must be provided' }] });
    const both = await challenge({ email: 'a@example.com', phone_number: '+14155550100' });
    expect((await both.json()) as unknown).toMatchObject({ error: 'invalid_request' });
    const badPhone = await challenge({ phone_number: 'call me' });
    expect(await badPhone.json()).toMatchObject({ error: 'invalid_request', validation_errors: [{ field: 'phone_number' }] });
    const badMethod = await challenge({ phone_number: '+14155550100', delivery_method: 'pigeon' });
    expect(await badMethod.json()).toMatchObject({ error: 'invalid_request', validation_errors: [{ field: 'delivery_method' }] });
    const noConnection = await challenge({ email: 'a@example.com', connection: 'nope' });
    expect(noConnection.status).toBe(400);
    expect(await noConnection.json()).toMatchObject({ error: 'invalid_connection' });
  });
});
