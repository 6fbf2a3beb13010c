import { LONGEST_LONG_POLL_MS } from '../otp/outbox.js';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../http/app-deps.js';
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

type Query = Record<string, string | undefined>;

export async function devMailboxRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { outbox, tenant } = deps;

  function filterOf(query: Query): MessageFilter {
    const channel = query.channel;
    if (channel !== undefined && channel !== 'email' && channel !== 'sms') {
      throw invalidRequest.notOneOf('channel', ['email', 'sms']);
    }
    return { to: recipientKey(query.to), channel, after: query.after || undefined };
  }

  function waitOf(query: Query): number {
    if (query.wait === undefined || query.wait === '') return 0;
    const wait = Number(query.wait);
    if (!Number.isFinite(wait) || wait < 0) throw invalidRequest('wait must be a number of milliseconds');
    return Math.min(wait, MAX_WAIT_MS);
  }

  // Long polls end early when the client goes away, so they hold nothing open for nobody.
  const abortOnClose = (raw: NodeJS.EventEmitter): AbortSignal => {
    const controller = new AbortController();
    raw.once('close', () => controller.abort());
    return controller.signal;
  };

  app.get('/_dev/api/messages', async (request, reply) => {
    const query = request.query as Query;
    const filter = filterOf(query);
    const wait = waitOf(query);
    const messages = wait > 0 ? await outbox.waitForNew(filter, wait, abortOnClose(request.raw)) : await outbox.list(filter);
    return reply.header('Cache-Control', 'no-store').send({ messages });
  });

  app.get('/_dev/api/messages/latest', async (request, reply) => {
    const query = request.query as Query;
    const filter = filterOf(query);
    const message = await outbox.waitForLatest(filter, waitOf(query), abortOnClose(request.raw));
    if (!message) {
      const who = filter.to ? ` for ${filter.to}` : '';
      throw notFound(`No message${who}${filter.after ? ` newer than ${filter.after}` : ''}`);
    }
    return reply.header('Cache-Control', 'no-store').send(message);
  });

  app.delete('/_dev/api/messages', async (_request, reply) => {
    await outbox.clear();
    return reply.status(204).send();
  });

  app.get('/_dev/api/tenant-report', async (_request, reply) => {
    const { features, otherKeys } = deps.tenantReport;
    return reply.header('Cache-Control', 'no-store').send({ features: features.map(({ feature, count, consequence }) => ({ feature, count, consequence })), other_keys: otherKeys });
  });

  // The Actions' console lines and Understudy's notices about them, newest first.
  app.get('/_dev/api/action-logs', async (_request, reply) => reply.header('Cache-Control', 'no-store').send({ logs: deps.actionLogs.recent() }));

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
