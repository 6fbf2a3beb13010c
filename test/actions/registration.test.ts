import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser, alertText } from '../support/browser.js';
import { CALLBACK, SPA, authorizeUrl, passwordlessLogin, pkcePair, transactionState } from '../support/flows.js';
import { OTP_GRANT, errorOf, post } from '../support/api.js';
import { writeActionsExport, type WrittenExport } from '../support/actions-export.js';
import { eventually } from '../support/page-waits.js';

/**
 * The registration triggers on passwordless sign-ups. pre-user-registration runs before a code goes
 * to a recipient with no user yet and may refuse with a message for the user; post-user-registration
 * runs, without holding up the login, once the user exists.
 */
const PRE = `
exports.onExecutePreUserRegistration = async (event, api) => {
  const email = event.user.email || '';
  if (email.startsWith('invalid')) return api.validation.error('invalid_email_prefix', 'That address cannot be used here.');
  if (!email.endsWith('@crew.example')) return api.access.deny('outsider ' + email + ' on ' + event.connection.name, 'Sign-ups are for crew members only.');
};`;
const POST = `
exports.onExecutePostUserRegistration = async (event, api) => {
  console.log('registered ' + event.user.email + ' as ' + event.user.user_id + ' on ' + event.connection.strategy);
};`;

describe('pre- and post-user-registration Actions', () => {
  let t: TestApp;
  let exported: WrittenExport;
  beforeAll(async () => {
    exported = writeActionsExport({
      actions: [
        { name: 'Crew sign-ups', trigger: 'pre-user-registration', code: PRE },
        { name: 'Welcome', trigger: 'post-user-registration', code: POST },
      ],
      clients: [{ name: 'Harbor SPA', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], web_origins: ['http://localhost:3000'], grant_types: ['authorization_code', OTP_GRANT] }],
      connections: [{ name: 'email', strategy: 'email', enabled_clients: ['Harbor SPA'] }],
    });
    const tenant = { ...(exported.read() as Record<string, unknown>), users: [{ connection: 'email', email: 'old-friend@elsewhere.example' }] };
    t = await buildTestApp({ tenant, tenantSource: exported.dir });
  });
  afterAll(async () => {
    await t.app.close();
    exported.remove();
  });

  async function identifierScreen(email: string): Promise<{ status: number; alert: string | undefined; mailbox: number }> {
    const browser = new Browser(t.app);
    const { challenge } = pkcePair();
    const start = await browser.get(authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' }));
    const loginId = String(start.headers.location);
    const submitted = await browser.post(loginId, { state: transactionState(loginId), username: email, action: 'default' });
    const messages = await t.app.inject({ method: 'GET', url: `/_dev/api/messages?to=${encodeURIComponent(email)}` });
    return { status: submitted.statusCode, alert: alertText(submitted.body), mailbox: (messages.json() as { messages: unknown[] }).messages.length };
  }

  it("refuses a sign-up on the screen with the action's message, and sends no code", async () => {
    expect(await identifierScreen('mallory@outsider.example')).toEqual({ status: 400, alert: 'Sign-ups are for crew members only.', mailbox: 0 });
    expect(await identifierScreen('invalid-ann@crew.example')).toEqual({ status: 400, alert: 'That address cannot be used here.', mailbox: 0 });
  });

  it('lets a sign-up the action allows through, and an existing user log in whatever the rule', async () => {
    const crew = await identifierScreen('ada@crew.example');
    expect(crew).toMatchObject({ status: 302, mailbox: 1 });
    const friend = await identifierScreen('old-friend@elsewhere.example');
    expect(friend).toMatchObject({ status: 302, mailbox: 1 });
  });

  it('refuses the sign-up at /passwordless/start with extensibility_error and the message', async () => {
    const refused = await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', send: 'code', email: 'eve@outsider.example' });
    expect(errorOf(refused)).toEqual({ status: 400, body: { error: 'extensibility_error', error_description: 'Sign-ups are for crew members only.' } });
  });

  it('runs post-user-registration once, for the new user, not on the next login', async () => {
    const first = await passwordlessLogin(t.app, { identifier: 'grace@crew.example' });
    expect(first.callback.searchParams.get('code')).toBeTruthy();
    await passwordlessLogin(t.app, { identifier: 'grace@crew.example' });
    const registered = async (): Promise<string[]> => {
      const logs = (await t.app.inject({ method: 'GET', url: '/_dev/api/action-logs' })).json().logs as { action: string; line: string }[];
      return logs.filter((l) => l.action === 'Welcome' && l.line.startsWith('registered grace@crew.example')).map((l) => l.line);
    };
    // It runs without holding up the login: wait for its line rather than expect it at once.
    await eventually(registered).toEqual([expect.stringMatching(/^registered grace@crew\.example as email\|[0-9a-f]{24} on email$/)]);
  });
});
