import type { FastifyRequest } from 'fastify';
import type { RequestFacts } from '../actions/action-events.js';

/**
 * What Actions see of the HTTP request behind a login (event.request): the caller's address as the
 * trusted proxies report it, the host it asked for, its browser and language, the query, and, for
 * token-endpoint exchanges only, the body without its secrets.
 */
const SECRET_FIELDS = new Set(['client_secret', 'password', 'otp', 'code', 'code_verifier', 'refresh_token', 'client_assertion']);

export function requestFacts(request: FastifyRequest, options: { withBody?: boolean } = {}): RequestFacts {
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
  if (options.withBody && request.body && typeof request.body === 'object') {
    facts.body = Object.fromEntries(Object.entries(request.body as Record<string, unknown>).filter(([key]) => !SECRET_FIELDS.has(key)));
  }
  return facts;
}
