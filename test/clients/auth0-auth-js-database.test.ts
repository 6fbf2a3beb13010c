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
        connections: [{ name: DB, strategy: 'auth0', enabled_clients: ['DB SPA', 'DB Web'], options: { passwordPolicy: 'fair', authentication_methods: { password: { enabled: true }, email_otp: { enabled: true } } } }],
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
  const subOf = (idToken: string | undefined) => JSON.parse(Buffer.from(String(idToken).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

  it('passwordless on the database connection: challengeWithEmail, the mailed code, getTokenByPasswordlessDbConnection', async () => {
    const { id } = await client.database.signUp({ email: 'otto@example.com', password: 'Analytical1', connection: DB });
    const challenge = await web.passwordless.challengeWithEmail({ email: 'otto@example.com', connection: DB });
    expect(typeof challenge.authSession).toBe('string');
    const tokens = await web.passwordless.getTokenByPasswordlessDbConnection({ authSession: challenge.authSession, otp: await codeFor('otto@example.com'), scope: 'openid email' });
    expect(subOf(tokens.idToken)).toMatchObject({ sub: `auth0|${id}`, email: 'otto@example.com' });
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
    expect(refused).toMatchObject({ error: 'invalid_request', error_description: 'The auth_session is invalid or has expired' });
    const mailbox = await fetch(`https://localhost:${t.port}/_dev/api/messages?to=stranger%40example.com`, { dispatcher: agent } as RequestInit);
    expect(((await mailbox.json()) as { messages: unknown[] }).messages).toEqual([]);
  });
});
