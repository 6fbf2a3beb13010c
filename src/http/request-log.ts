import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isScreenPath } from '../login/screens.js';

/*
 * The debug log's line per request (LOG_LEVEL=debug): method, path, status, time, and the login
 * transaction it belongs to, so a redirect loop can be followed step by step. Query strings carry
 * codes, tokens, login tickets and secrets, so the path is logged without its query and of the
 * query only the parameter names; no body or header is looked at beyond a login screen's `state`.
 */

/** Enough of a transaction id to follow one login through the log, too little to resume it with. */
const TRANSACTION_PREFIX = 8;
const MAX_PATH = 200;
const MAX_NAMES = 20;
const MAX_NAME = 40;

export interface RequestLine {
  method: string;
  path: string;
  /** The query's parameter names, in order, each once; never their values. */
  query: string[];
  status: number;
  ms: number;
  transaction?: string;
}

/** Splits a request URL into the path (capped) and the names of its query parameters. */
export function describeUrl(url: string): { path: string; query: string[] } {
  const mark = url.indexOf('?');
  const path = (mark < 0 ? url : url.slice(0, mark)).slice(0, MAX_PATH);
  if (mark < 0) return { path, query: [] };
  const names = new Set<string>();
  for (const pair of url.slice(mark + 1).split('&')) {
    if (names.size >= MAX_NAMES) break;
    const name = safeDecode(pair.split('=', 1)[0] ?? '').slice(0, MAX_NAME);
    if (name) names.add(name);
  }
  return { path, query: [...names] };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * The login transaction a request belongs to: the `state` of a login screen or of /authorize/resume
 * (there it names the transaction; on /authorize it is the application's own), or the transaction
 * /authorize has just opened, from the screen it redirects to.
 */
function transactionOf(request: FastifyRequest, reply: FastifyReply, path: string): string | undefined {
  let id: unknown;
  if (isScreenPath(path)) {
    id = (request.query as Record<string, unknown> | undefined)?.state;
    if (typeof id !== 'string' && request.body !== null && typeof request.body === 'object') id = (request.body as Record<string, unknown>).state;
  } else if (path === '/authorize') {
    const location = reply.getHeader('location');
    if (typeof location === 'string' && isScreenPath(location)) id = new URL(location, 'http://x').searchParams.get('state');
  }
  return typeof id === 'string' && id ? id.slice(0, TRANSACTION_PREFIX) : undefined;
}

const VERBOSE_LEVELS = new Set(['debug', 'trace']);

/** Logs every answered request at debug; below debug (LOG_LEVEL=info and up) no hook is added at all. */
export function registerRequestLog(app: FastifyInstance): void {
  if (!VERBOSE_LEVELS.has(app.log.level)) return;
  app.addHook('onResponse', async (request, reply) => {
    const { path, query } = describeUrl(request.url);
    const line: RequestLine = { method: request.method, path, query, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    const transaction = transactionOf(request, reply, path);
    if (transaction) line.transaction = transaction;
    const shown = query.length ? `${path}?${query.join('&')}` : path;
    request.log.debug(line, `${line.method} ${shown} ${line.status} (${line.ms} ms${transaction ? `, login ${transaction}` : ''})`);
  });
}
