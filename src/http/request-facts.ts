import type { FastifyRequest } from 'fastify';
import type { RequestFacts } from '../actions/action-events.js';

/**
 * What Actions see of the HTTP request behind a login (event.request): the caller's address as the
 * trusted proxies report it, the host it asked for, its browser and language, the query, and, for
 * token-endpoint exchanges only, the body without its secrets.
 */
const SECRET_FIELDS = new Set(['client_secret', 'password', 'otp', 'code', 'code_verifier', 'refresh_token', 'client_assertion']);

/**
 * The facts, read from the request when something first asks for them: most requests run no Action, and
 * reading them (the client's address through the trusted proxies, the host, a copy of the query and the
 * body) would otherwise be work on every token request and login screen. The fields are own and
 * enumerable, so spreading, cloning or serialising the object gives the plain values.
 */
export function requestFacts(request: FastifyRequest, options: { withBody?: boolean } = {}): RequestFacts {
  let read: RequestFacts | undefined;
  const facts = (): RequestFacts => (read ??= readFacts(request, options.withBody === true));
  return {
    get ip() { return facts().ip; },
    get hostname() { return facts().hostname; },
    get method() { return facts().method; },
    get userAgent() { return facts().userAgent; },
    get language() { return facts().language; },
    get query() { return facts().query; },
    get body() { return facts().body; },
  };
}

function readFacts(request: FastifyRequest, withBody: boolean): RequestFacts {
  const language = request.headers['accept-language']?.split(',')[0]?.split(';')[0]?.trim();
  const facts: RequestFacts = {
    ip: request.ip,
    // Fastify 5's hostname has no port (request.host has it).
    hostname: request.hostname,
    method: request.method,
    userAgent: request.headers['user-agent'],
    language: language || undefined,
    query: { ...(request.query as Record<string, unknown>) },
  };
  if (withBody && request.body && typeof request.body === 'object') {
    facts.body = Object.fromEntries(Object.entries(request.body as Record<string, unknown>).filter(([key]) => !SECRET_FIELDS.has(key)));
  }
  return facts;
}
