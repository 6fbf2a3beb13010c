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

describe(`@auth0/auth0-auth-js ${VERSION}: database sign-up`, () => {
  let dir: string;
  let t: ListeningTestApp;
  let agent: Agent;
  let client: AuthClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'understudy-auth-js-db-'));
    const certs = await ensureLocalCertificates(dir, []);
    t = await listeningTestApp({ scheme: 'https', host: 'localhost' }, () => ({
      https: { key: certs.keyPem, cert: certs.certPem, localCaPem: certs.caPem },
      tenant: {
        clients: [{ name: 'DB SPA', client_id: CLIENT, app_type: 'spa', callbacks: ['https://app.example/callback'] }],
        connections: [{ name: DB, strategy: 'auth0', enabled_clients: ['DB SPA'], options: { passwordPolicy: 'fair' } }],
      },
    }));
    agent = new Agent({ connect: { ca: certs.caPem } });
    const customFetch = ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, dispatcher: agent } as RequestInit)) as typeof fetch;
    client = new AuthClient({ domain: `localhost:${t.port}`, clientId: CLIENT, customFetch });
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
});
