import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../errors.js';
import { ManagementError } from '../management/management-error.js';
import type { Tenant } from '../tenant/model.js';
import { errorResult } from '../oauth/authorization-response.js';
import { sendAuthorizationResult } from './authorization-reply.js';
import { renderScreen } from './screens.js';
import { StoreUnavailableError } from '../store/store-errors.js';

const UNAVAILABLE = 'The service is temporarily unavailable: its store cannot be reached. Try again shortly.';

/**
 * The one place where errors become responses. An OAuthError carrying a verified redirect goes back
 * to the client; on browser routes the rest is shown on the error page; on API routes it is
 * `{"error","error_description"}` JSON. Anything unexpected is logged in full and answered with a
 * generic server_error, so no stack trace or internal message ever reaches a client.
 */
export function installErrorHandling(app: FastifyInstance, tenant: Tenant): void {
  app.setErrorHandler((error: FastifyError | OAuthError | ManagementError, request, reply) => {
    // The store's server is away (Redis down): 503 temporarily_unavailable, in each API's own shape.
    if (error instanceof StoreUnavailableError) {
      request.log.warn({ err: error.message }, 'store unavailable: answered 503');
      if (request.url.startsWith('/api/v2/')) {
        return reply.status(503).header('Retry-After', '1').send(new ManagementError(503, UNAVAILABLE, 'temporarily_unavailable').toJSON());
      }
      return sendError(request, reply, tenant, new OAuthError('temporarily_unavailable', UNAVAILABLE, { headers: { 'Retry-After': '1' } }));
    }
    // The Management API answers in its own shape, also for Fastify's errors (bad JSON, bad media type).
    if (!(error instanceof ManagementError) && request.url.startsWith('/api/v2/') && !(error instanceof OAuthError)) {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      error = new ManagementError(status, status >= 500 ? 'Internal error' : error.message, status >= 500 ? 'internal_error' : 'invalid_body');
    }
    if (error instanceof ManagementError) {
      request.log.info({ errorCode: error.errorCode, description: error.message }, 'management request refused');
      return reply.status(error.statusCode).send(error.toJSON());
    }
    const oauth = toOAuthError(error);
    if (oauth.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ error: oauth.error, description: oauth.message }, 'request refused');

    if (oauth.redirect) return sendAuthorizationResult(reply, errorResult(oauth.redirect, oauth.error, oauth.message));
    return sendError(request, reply, tenant, oauth);
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, tenant, new OAuthError('not_found', `Not found: ${request.method} ${request.url.split('?')[0]}`)),
  );
}

function sendError(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, error: OAuthError): FastifyReply | Promise<FastifyReply> {
  reply.headers(error.headers);
  const wantsPage = request.routeOptions.config?.page ?? (request.method === 'GET' && /text\/html/.test(request.headers.accept ?? ''));
  if (wantsPage) {
    return renderScreen(reply, tenant, 'error', { errorCode: error.error, errorDescription: error.message, trackingId: request.id }, error.status);
  }
  return reply.status(error.status).header('Cache-Control', 'no-store').send(error.toJSON());
}

function toOAuthError(error: FastifyError | OAuthError): OAuthError {
  if (error instanceof OAuthError) return error;
  // Fastify's own 4xx (malformed JSON, unsupported media type, body too large, schema validation).
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new OAuthError('invalid_request', error.message, { status });
  return new OAuthError('server_error', 'The server could not handle this request. Details are in its log.', { status: 500, cause: error });
}
