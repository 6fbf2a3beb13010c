import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { latestMessage } from '../support/flows.js';
import { post, token } from '../support/api.js';
import { ADMIN_CLIENT, adminGrant, machineToken } from '../support/management.js';

/**
 * Email verification for database users over HTTP: sign-up mails the link (unless the tenant turned
 * verify_email off), the link verifies the email once and the next ID token says so; the Management
 * API's verification job mails it again, and its tickets are links to the same screens.
 */
const DB = 'Username-Password-Authentication';
const CLIENT = 'verify-spa';
const PASSWORD_REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const PASSWORD = 'Sturdy-pass-1';

const tenant = (extra: Record<string, unknown> = {}) => ({
  clients: [{ name: 'Verify SPA', client_id: CLIENT, app_type: 'spa', callbacks: ['http://localhost:3000/callback'], grant_types: ['authorization_code', PASSWORD_REALM] }, ADMIN_CLIENT],
  connections: [{ name: DB, strategy: 'auth0', enabled_clients: ['Verify SPA'] }],
  clientGrants: [adminGrant(['read:users', 'update:users', 'create:user_tickets'])],
  ...extra,
});

let t: TestApp;
afterEach(async () => t.app.close());

const signup = (email: string) => post(t.app, '/dbconnections/signup', { client_id: CLIENT, connection: DB, email, password: PASSWORD });
const emailVerified = async (email: string): Promise<unknown> => {
  const login = await token(t.app, { grant_type: PASSWORD_REALM, client_id: CLIENT, realm: DB, username: email, password: PASSWORD, scope: 'openid email' });
  expect(login.statusCode, login.body).toBe(200);
  return (JSON.parse(Buffer.from(String(login.json().id_token).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>).email_verified;
};
const open = (link: string) => {
  const url = new URL(link);
  return t.app.inject({ method: 'GET', url: url.pathname + url.search });
};

describe('email verification', () => {
  it('sign-up mails the link; it verifies the email once, and the next ID token says so', async () => {
    t = await buildTestApp({ tenant: tenant() });
    expect((await signup('vera@example.com')).statusCode).toBe(200);
    expect(await emailVerified('vera@example.com')).toBe(false);
    const mail = await latestMessage(t.app, 'vera@example.com');
    expect(mail).toMatchObject({ subject: 'Verify your email', connection: DB });
    const verified = await open(String(mail.link));
    expect(verified.statusCode).toBe(200);
    expect(verified.body).toContain('Email Verified');
    expect(await emailVerified('vera@example.com')).toBe(true);
    const again = await open(String(mail.link));
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('This link has already been used.');
  });

  it('sends welcome_email once the email is verified, where the tenant turned it on', async () => {
    t = await buildTestApp({ tenant: tenant({ emailTemplates: [{ template: 'welcome_email', enabled: true, body: '<p>Welcome</p>', from: '', subject: '', syntax: 'liquid' }] }) });
    await signup('wendy@example.com');
    const verification = await latestMessage(t.app, 'wendy@example.com');
    expect((await open(String(verification.link))).statusCode).toBe(200);
    const welcome = await latestMessage(t.app, 'wendy@example.com', String(verification.id));
    expect(welcome).toMatchObject({ subject: 'Welcome to Understudy', link: null });
  });

  it('sends nothing on sign-up when the tenant turned verify_email off', async () => {
    t = await buildTestApp({ tenant: tenant({ emailTemplates: [{ template: 'verify_email', enabled: false, body: '<p>{{ url }}</p>', from: '', subject: '', syntax: 'liquid' }] }) });
    expect((await signup('quiet@example.com')).statusCode).toBe(200);
    const listed = await t.app.inject({ method: 'GET', url: '/_dev/api/messages?to=quiet%40example.com' });
    expect(listed.json()).toMatchObject({ messages: [] });
  });

  it('the Management API: the verification job mails the link; the tickets open the same screens', async () => {
    t = await buildTestApp({ tenant: tenant() });
    const userId = `auth0|${(await signup('mona@example.com')).json()._id as string}`;
    const admin = { authorization: `Bearer ${await machineToken(t.app, t.issuer)}` };

    const job = await t.app.inject({ method: 'POST', url: '/api/v2/jobs/verification-email', headers: admin, payload: { user_id: userId } });
    expect(job.statusCode, job.body).toBe(201);
    expect(job.json()).toMatchObject({ type: 'verification_email', status: 'pending', id: expect.stringMatching(/^job_/) });

    const ticket = await t.app.inject({ method: 'POST', url: '/api/v2/tickets/email-verification', headers: admin, payload: { user_id: userId, result_url: 'https://app.example/verified' } });
    expect(ticket.statusCode, ticket.body).toBe(201);
    const redirected = await open(ticket.json().ticket as string);
    expect(redirected.statusCode).toBe(302);
    const target = new URL(String(redirected.headers.location));
    expect(`${target.origin}${target.pathname}`).toBe('https://app.example/verified');
    expect(target.searchParams.get('success')).toBe('true');
    expect(await emailVerified('mona@example.com')).toBe(true);

    const reset = await t.app.inject({ method: 'POST', url: '/api/v2/tickets/password-change', headers: admin, payload: { user_id: userId } });
    expect(reset.statusCode, reset.body).toBe(201);
    const screen = await open(reset.json().ticket as string);
    expect(screen.body).toContain('Change Your Password');

    const missing = await t.app.inject({ method: 'POST', url: '/api/v2/tickets/email-verification', headers: admin, payload: { user_id: 'auth0|nobody' } });
    expect(missing.statusCode).toBe(404);
  });
});
