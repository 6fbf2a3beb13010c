import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { fieldsOf, queryWith } from '../http/route-schemas.js';
import { renderScreen, type ResetView } from '../http/screens.js';
import { DEVICE_COOKIE } from '../http/cookies.js';
import { requestFacts } from '../http/request-facts.js';
import { RESET_PATH, type TicketRefusal } from '../database/password-reset.js';
import { RESET_REQUEST_PATH, screenUrl } from '../login/screens.js';
import { findClient, type Tenant } from '../tenant/model.js';
import { policyLines } from '../users/password-policy.js';

/**
 * Auth0's reset-password prompt (docs/research/auth0-database-connections.md §5): the request screen
 * "Forgot password?" opens from a login's password screen, the "Check Your Email" screen, and the
 * reset screen its email's link opens (`ticket`), with the connection's policy, then success or
 * Auth0's error screens. The logic is database/password-reset.ts.
 */
const PAGE = { config: { page: true }, schema: { querystring: queryWith(['state', 'ticket']) } } as const;
const FORM = { config: { page: true }, schema: { querystring: queryWith(['state', 'ticket']), body: fieldsOf(['state', 'ticket', 'email', 'password', 're-enter-password', 'action']) } } as const;

const ERROR_TITLES: Record<TicketRefusal, string> = { expired: 'Link Expired', used: 'Invalid Link', invalid: 'Invalid Link' };
const ERROR_TEXT = 'To reset your password, return to the login page and select "Forgot Your Password" to send a new email.';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export async function resetPasswordRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { tenant, passwordReset, authorization, cookies } = deps;
  const page = (reply: FastifyReply, view: ResetView, data: Record<string, unknown>, status = 200) => renderScreen(reply, tenant, view, data, status);

  /** The login this request belongs to, its database connection and application. */
  async function loginOf(state: string, deviceId: string | undefined) {
    const txn = await authorization.transaction(state, deviceId);
    const connection = passwordReset.databaseConnection(txn.connection);
    return { txn, connection, client: findClient(tenant, txn.clientId) };
  }

  app.get(RESET_REQUEST_PATH, PAGE, async (request, reply) => {
    const state = text(request.query.state);
    const { txn, connection, client } = await loginOf(state, cookies.read(request, DEVICE_COOKIE));
    if (!connection) return reply.redirect(screenUrl('identifier', txn));
    return page(reply, 'reset-password-request', { state, action: `${RESET_REQUEST_PATH}?state=${encodeURIComponent(state)}`, email: txn.identifier ?? '', appName: client?.name, backHref: screenUrl('password', txn) });
  });

  app.post(RESET_REQUEST_PATH, FORM, async (request, reply) => {
    const state = text(request.query.state) || text(request.body.state);
    const { txn, connection, client } = await loginOf(state, cookies.read(request, DEVICE_COOKIE));
    if (!connection) return reply.redirect(screenUrl('identifier', txn));
    const email = text(request.body.email).trim();
    const action = `${RESET_REQUEST_PATH}?state=${encodeURIComponent(state)}`;
    if (!email) return page(reply, 'reset-password-request', { state, action, email, appName: client?.name, backHref: screenUrl('password', txn), error: 'Please enter an email address', errorCode: 'no-email' }, 400);
    await passwordReset.request({ connection, email, clientId: client?.clientId });
    return page(reply, 'reset-password-email', { email, appName: client?.name, action, state, backHref: screenUrl('password', txn) });
  });

  app.get(RESET_PATH, PAGE, async (request, reply) => {
    const ticket = text(request.query.ticket);
    const opened = await passwordReset.open(ticket);
    if (!opened.ok) return errorPage(reply, opened.reason);
    return page(reply, 'reset-password', { ticket, action: RESET_PATH, email: opened.user.email, appName: appNameOf(tenant, opened.clientId), policy: policyLines(opened.connection.passwordPolicy) });
  });

  app.post(RESET_PATH, FORM, async (request, reply) => {
    const ticket = text(request.body.ticket) || text(request.query.ticket);
    const changed = await passwordReset.change(ticket, text(request.body.password), text(request.body['re-enter-password']), requestFacts(request));
    if (changed.ok) return page(reply, 'reset-password-success', { appName: appNameOf(tenant, changed.clientId) });
    if (!('ticket' in changed)) return errorPage(reply, changed.reason);
    const opened = changed.ticket;
    const refusal =
      changed.reason === 'empty' ? { error: 'Password is required', errorCode: 'no-password' }
      : changed.reason === 'mismatch' ? { error: "Passwords don't match", errorCode: 'password-mismatch' }
      : changed.reason === 'reused' ? { error: 'Password has previously been used', errorCode: 'password-previously-used' }
      : 'check' in changed && changed.check.kind === 'personal_info' ? { error: 'Password contains user information', errorCode: 'password-contains-user-information' }
      : 'check' in changed && changed.check.kind === 'dictionary' ? { error: 'The password is too common', errorCode: 'password-too-common' }
      : { error: 'The password is too weak', errorCode: 'password-policy-not-conformant' };
    return page(reply, 'reset-password', { ticket, action: RESET_PATH, email: opened.user.email, appName: appNameOf(tenant, opened.clientId), policy: policyLines(opened.connection.passwordPolicy), ...refusal }, 400);
  });

  function errorPage(reply: FastifyReply, reason: TicketRefusal) {
    return page(reply, 'reset-password-error', { title: ERROR_TITLES[reason], description: reason === 'used' ? `This link has already been used. ${ERROR_TEXT}` : ERROR_TEXT }, 400);
  }
}

const appNameOf = (tenant: Tenant, clientId: string | undefined): string | undefined => (clientId ? findClient(tenant, clientId)?.name : undefined);
