import { afterEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, authorizeUrl, exchangeCode, latestMessage, passwordlessLogin, pkcePair } from '../support/flows.js';
import { Browser } from '../support/browser.js';
import { ADMIN_CLIENT, adminGrant, machineToken } from '../support/management.js';

/**
 * Organization invitations over HTTP (docs/research/auth0-organizations.md §5): the Management API
 * creates one (201, Auth0's fields), mails user_invitation to the dev mailbox with the link on the
 * application's login route; following it (organization + invitation at /authorize) logs the invitee
 * in, makes them a member with the invitation's roles, and spends it; another account is refused.
 */
const ORDERS = 'https://orders.example.com';
const SPA = 'invite-spa';
const LOGIN_ROUTE = 'https://app.harbor.example/login';

const tenant = (extra: Record<string, unknown> = {}) => ({
  tenant: { friendly_name: 'Harbor' },
  clients: [
    { name: 'Invite SPA', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], organization_usage: 'require', initiate_login_uri: LOGIN_ROUTE },
    ADMIN_CLIENT,
  ],
  clientGrants: [adminGrant(['read:organizations', 'read:organization_members', 'read:organization_invitations', 'create:organization_invitations', 'delete:organization_invitations', 'read:roles'])],
  connections: [{ name: 'email', strategy: 'email' }],
  resourceServers: [{ identifier: ORDERS, name: 'Orders', scopes: [{ value: 'read:orders' }], enforce_policies: true, token_dialect: 'access_token_authz' }],
  roles: [{ name: 'Reader', permissions: [{ permission_name: 'read:orders', resource_server_identifier: ORDERS }] }],
  users: [{ connection: 'email', email: 'someone.else@example.com' }],
  organizations: [{ name: 'acme', display_name: 'Acme', connections: [{ name: 'email' }] }],
  ...extra,
});

let t: TestApp;
afterEach(async () => t?.app.close());

const api = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${await machineToken(t.app, t.issuer)}` }, ...(payload ? { payload: payload as object } : {}) });

async function invite(body: Record<string, unknown> = {}) {
  const org = ((await api('GET', '/api/v2/organizations/name/acme')).json() as { id: string }).id;
  const reader = ((await api('GET', '/api/v2/roles')).json() as { id: string; name: string }[]).find((r) => r.name === 'Reader')!.id;
  const created = await api('POST', `/api/v2/organizations/${org}/invitations`, { inviter: { name: 'Ada Admin' }, invitee: { email: 'New.Hire@Acme.example' }, client_id: SPA, roles: [reader], ...body });
  return { org, created };
}

describe('organization invitations', () => {
  it('mails the link; following it logs the invitee in as a member with its roles, once', async () => {
    t = await buildTestApp({ tenant: tenant() });
    const { org, created } = await invite();
    expect(created.statusCode, created.body).toBe(201);
    const invitation = created.json() as Record<string, string>;
    expect(invitation).toMatchObject({ id: expect.stringMatching(/^uinv_[A-Za-z0-9]{16}$/), ticket_id: expect.stringMatching(/^[A-Za-z0-9]{32}$/), inviter: { name: 'Ada Admin' }, invitee: { email: 'new.hire@acme.example' }, client_id: SPA, organization_id: org });
    expect(Date.parse(invitation.expires_at!) - Date.parse(invitation.created_at!)).toBe(7 * 24 * 3600 * 1000);
    const link = new URL(invitation.invitation_url!);
    expect(`${link.origin}${link.pathname}`).toBe(LOGIN_ROUTE);
    expect(Object.fromEntries(link.searchParams)).toEqual({ invitation: invitation.ticket_id, organization: org, organization_name: 'acme' });

    const mail = await latestMessage(t.app, 'new.hire@acme.example');
    expect(mail).toMatchObject({ subject: "You've been invited to join Acme", link: invitation.invitation_url });

    // The application forwards organization and invitation to /authorize, as the SDKs do.
    const params = { organization: org, invitation: invitation.ticket_id!, audience: ORDERS, scope: 'openid email read:orders' };
    const { callback, verifier } = await passwordlessLogin(t.app, { identifier: 'new.hire@acme.example', clientId: SPA, params });
    const tokens = (await exchangeCode(t.app, { client_id: SPA, code: callback.searchParams.get('code') ?? '', code_verifier: verifier })).json() as { id_token: string; access_token: string };
    expect(decodeJwt(tokens.id_token)).toMatchObject({ org_id: org, email: 'new.hire@acme.example', email_verified: true });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ org_id: org, permissions: ['read:orders'] });
    const members = (await api('GET', `/api/v2/organizations/${org}/members`)).json() as { email: string }[];
    expect(members.map((m) => m.email)).toEqual(['new.hire@acme.example']);

    // Spent: the same link is refused at /authorize, back to the application.
    const { challenge } = pkcePair();
    const again = await new Browser(t.app).get(authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', ...params }));
    expect(Object.fromEntries(new URL(String(again.headers.location)).searchParams)).toEqual({ error: 'invalid_request', error_description: 'invitation not found or already used' });
    expect((await api('GET', `/api/v2/organizations/${org}/invitations`)).json()).toEqual([]);
  });

  it('another account cannot accept it; it can be listed (no total) and deleted', async () => {
    t = await buildTestApp({ tenant: tenant() });
    const { org, created } = await invite({ send_invitation_email: false });
    const invitation = created.json() as Record<string, string>;
    const listed = await api('GET', `/api/v2/organizations/${org}/invitations?include_totals=true&per_page=50`);
    expect(listed.json()).toEqual({ start: 0, limit: 50, invitations: [expect.objectContaining({ id: invitation.id })] });
    const { callback } = await passwordlessLogin(t.app, { identifier: 'someone.else@example.com', clientId: SPA, params: { organization: org, invitation: invitation.ticket_id!, login_hint: 'someone.else@example.com' } });
    expect(Object.fromEntries(callback.searchParams)).toMatchObject({ error: 'access_denied', error_description: 'the specified account is not allowed to accept the current invitation' });
    expect((await api('GET', `/api/v2/organizations/${org}/invitations/${invitation.id}`)).statusCode).toBe(200);
    expect((await api('DELETE', `/api/v2/organizations/${org}/invitations/${invitation.id}`)).statusCode).toBe(204);
    const gone = await api('GET', `/api/v2/organizations/${org}/invitations/${invitation.id}`);
    expect(gone.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'The invitation does not exist.', errorCode: 'inexistent_invitation' });
  });

  it('refuses what Auth0 refuses: no login route, an unknown client, a passwordless connection', async () => {
    t = await buildTestApp({ tenant: tenant({ clients: [{ name: 'Invite SPA', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], organization_usage: 'require' }, ADMIN_CLIENT] }) });
    const { created } = await invite();
    expect(created.statusCode).toBe(400);
    expect(created.json().message).toMatch(/^A default login route is required to generate the invitation url/);
    expect((await invite({ client_id: 'nobody' })).created.json().message).toBe('The specified client_id does not exist.');
    expect((await invite({ connection_id: 'con_email' })).created.json().message).toBe('Passwordless connections are not supported.');
  });

  it('a login through a connection the organization has not enabled is refused and leaves the invitation unspent', async () => {
    t = await buildTestApp({
      tenant: tenant({
        connections: [{ name: 'email', strategy: 'email' }, { name: 'Username-Password-Authentication', strategy: 'auth0' }],
        organizations: [{ name: 'acme', display_name: 'Acme', connections: [{ name: 'Username-Password-Authentication' }] }],
      }),
    });
    const { org, created } = await invite({ send_invitation_email: false });
    const invitation = created.json() as Record<string, string>;
    const { callback } = await passwordlessLogin(t.app, { identifier: 'new.hire@acme.example', clientId: SPA, params: { organization: org, invitation: invitation.ticket_id!, connection: 'email' } });
    expect(Object.fromEntries(callback.searchParams)).toMatchObject({ error: 'access_denied', error_description: `the connection email is not enabled for the ${org} organization` });
    expect(((await api('GET', `/api/v2/organizations/${org}/invitations`)).json() as { id: string }[]).map((i) => i.id)).toEqual([invitation.id]);
  });
});
