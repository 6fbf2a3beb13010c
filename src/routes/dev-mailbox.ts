import type { ServerResponse } from 'node:http';
import { LONGEST_LONG_POLL_MS } from '../otp/outbox.js';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { AnyObject, queryWith } from '../http/route-schemas.js';
import { invalidRequest, notFound } from '../errors.js';
import { normalizeEmail, normalizePhoneNumber } from '../users/normalize.js';
import type { MessageFilter } from '../store/types.js';
import { scriptJson } from '../http/response-modes.js';
import { securePage } from '../http/security-headers.js';

/**
 * The dev mailbox: every email and SMS as a live web page and a JSON API that end-to-end tests poll
 * for codes. `latest?to=…&wait=ms` answers at once when a message exists and otherwise waits for one;
 * `after=<id>` asks for one newer than a message already seen (the code of a resend).
 */
const MAX_WAIT_MS = LONGEST_LONG_POLL_MS;

type Query = { to?: string | string[] | undefined; channel?: string | string[] | undefined; after?: string | string[] | undefined; wait?: string | string[] | undefined };
const MessagesQuery = queryWith(['to', 'channel', 'after', 'wait']);
const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

export async function devMailboxRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { outbox, tenant } = deps;

  function filterOf(query: Query): MessageFilter {
    const channel = one(query.channel);
    if (channel !== undefined && channel !== 'email' && channel !== 'sms') {
      throw invalidRequest.notOneOf('channel', ['email', 'sms']);
    }
    return { to: recipientKey(one(query.to)), channel, after: one(query.after) || undefined };
  }

  function waitOf(query: Query): number {
    const given = one(query.wait);
    if (given === undefined || given === '') return 0;
    const wait = Number(given);
    if (!Number.isFinite(wait) || wait < 0) throw invalidRequest('wait must be a number of milliseconds');
    return Math.min(wait, MAX_WAIT_MS);
  }

  // Long polls end early when the client goes away, so they hold nothing open for nobody. A reply
  // that was sent closes too, and aborting then would only build a DOMException for nothing.
  const abortOnClose = (response: ServerResponse): AbortSignal => {
    const controller = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) controller.abort();
    });
    return controller.signal;
  };

  app.get('/_dev/api/messages', { schema: { querystring: MessagesQuery, response: { 200: AnyObject } } }, async (request, reply) => {
    const query = request.query;
    const filter = filterOf(query);
    const wait = waitOf(query);
    const messages = wait > 0 ? await outbox.waitForNew(filter, wait, abortOnClose(reply.raw)) : await outbox.list(filter);
    return reply.header('Cache-Control', 'no-store').send({ messages });
  });

  app.get('/_dev/api/messages/latest', { schema: { querystring: MessagesQuery, response: { 200: AnyObject } } }, async (request, reply) => {
    const query = request.query;
    const filter = filterOf(query);
    const wait = waitOf(query);
    const message = await outbox.waitForLatest(filter, wait, wait > 0 ? abortOnClose(reply.raw) : undefined);
    if (!message) {
      const who = filter.to ? ` for ${filter.to}` : '';
      throw notFound(`No message${who}${filter.after ? ` newer than ${filter.after}` : ''}`);
    }
    return reply.header('Cache-Control', 'no-store').send(message);
  });

  // How many long polls wait here now: a test can wait until its poll is listening before it sends.
  app.get('/_dev/api/messages/waiting', { schema: { response: { 200: AnyObject } } }, async (_request, reply) =>
    reply.header('Cache-Control', 'no-store').send({ waiting: outbox.waiting() }),
  );

  app.delete('/_dev/api/messages', async (_request, reply) => {
    await outbox.clear();
    return reply.status(204).send();
  });

  app.get('/_dev/api/tenant-report', { schema: { response: { 200: AnyObject } } }, async (_request, reply) => {
    const { features, otherKeys } = deps.tenantReport;
    return reply.header('Cache-Control', 'no-store').send({ features: features.map(({ feature, count, consequence }) => ({ feature, count, consequence })), other_keys: otherKeys });
  });

  // The Actions' console lines and Understudy's notices about them, newest first.
  app.get('/_dev/api/action-logs', { schema: { response: { 200: AnyObject } } }, async (_request, reply) => reply.header('Cache-Control', 'no-store').send({ logs: deps.actionLogs.recent() }));

  app.get('/_dev/mailbox', async (_request, reply) => {
    const initial = await outbox.list({});
    const nonce = securePage(reply, 'mailbox');
    return reply
      .header('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .view('dev/mailbox', { tenantName: tenant.friendlyName, primaryColor: tenant.branding.primaryColor, initialJson: scriptJson(initial), nonce, report: deps.tenantReport.features, actionsBound: tenant.actions.actions.length > 0 });
  });
}

/** Recipients are stored normalised; accept them the way a person would type them. */
function recipientKey(to: string | undefined): string | undefined {
  if (!to) return undefined;
  if (to.includes('@')) return normalizeEmail(to) || to.trim().toLowerCase();
  // An unencoded `+` in a query string arrives as a space: `?to=+15551234567` means +15551234567.
  return normalizePhoneNumber(/^ [\d(]/.test(to) ? `+${to.slice(1)}` : to) || to.trim();
}
