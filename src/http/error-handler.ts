import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, invalidRequest, notFound, serverError, temporarilyUnavailable } from '../errors.js';
import { ManagementError, badRequest, internalError, invalidQueryString, managementUnavailable } from '../management/management-error.js';
import type { Tenant } from '../tenant/model.js';
import { StoreUnavailableError } from '../store/store-errors.js';
import { sendApiError, sendManagementError, sendPageError, sendRedirectError } from './error-responses.js';

/**
 * Which surface answers an error, and what a thrown value means there; the shapes themselves are in
 * error-responses.ts. On the Authentication API (the app's root scope) an OAuthError carrying a
 * verified redirect goes back to the client, on browser routes the rest is shown on the error page,
 * and on API routes it is JSON. The Management API's routes sit in a scope of their own with their own
 * handler, so their errors take its shape without any look at the URL. Anything unexpected is logged
 * in full and answered with a generic 500, so no stack trace or internal message reaches a client.
 */
const UNAVAILABLE = 'The service is temporarily unavailable: its store cannot be reached. Try again shortly.';

type Sent = FastifyReply | Promise<FastifyReply>;

export function installErrorHandling(app: FastifyInstance, tenant: Tenant): void {
  app.setErrorHandler((error: FastifyError | OAuthError, request, reply) => answerOAuthError(request, reply, tenant, oauthRefusal(error, request)));
  app.setNotFoundHandler((request, reply) =>
    answerOAuthError(request, reply, tenant, notFound(`Not found: ${request.method} ${request.url.split('?')[0]}`)),
  );
}

/** For the scope that holds the Management API's routes (Fastify's own refusals there included: bad JSON, bad media type). */
export function installManagementErrorHandling(scope: FastifyInstance, tenant: Tenant): void {
  scope.setErrorHandler((error: FastifyError | OAuthError | ManagementError, request, reply) => {
    // A refusal of the Authentication API's (from a hook the scopes share) keeps its own shape.
    if (error instanceof OAuthError) return answerOAuthError(request, reply, tenant, oauthRefusal(error, request));
    return sendManagementError(reply, managementRefusal(error, request));
  });
}

function answerOAuthError(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, error: OAuthError): Sent {
  if (error.redirect) return sendRedirectError(reply, error, error.redirect);
  const wantsPage = request.routeOptions.config?.page ?? (request.method === 'GET' && /text\/html/.test(request.headers.accept ?? ''));
  return wantsPage ? sendPageError(reply, tenant, error) : sendApiError(reply, error);
}

/** What the Authentication API answers for a thrown value, logged once. */
function oauthRefusal(error: FastifyError | OAuthError, request: FastifyRequest): OAuthError {
  // The store's server is away (Redis down): 503 temporarily_unavailable.
  if (error instanceof StoreUnavailableError) {
    request.log.warn({ err: error.message }, 'store unavailable: answered 503');
    return temporarilyUnavailable(UNAVAILABLE, { headers: { 'Retry-After': '1' } });
  }
  const oauth = toOAuthError(error);
  if (oauth.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ error: oauth.error, description: oauth.message }, 'request refused');
  return oauth;
}

function toOAuthError(error: FastifyError | OAuthError): OAuthError {
  if (error instanceof OAuthError) return error;
  // Fastify's own 4xx (malformed JSON, unsupported media type, body too large, schema validation).
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return invalidRequest(error.message, { status });
  return serverError('The server could not handle this request. Details are in its log.', { cause: error });
}

/** What the Management API answers for a thrown value, logged once. */
function managementRefusal(error: FastifyError | ManagementError, request: FastifyRequest): ManagementError {
  if (error instanceof StoreUnavailableError) {
    request.log.warn({ err: error.message }, 'store unavailable: answered 503');
    return managementUnavailable(UNAVAILABLE);
  }
  let refusal: ManagementError;
  if (error instanceof ManagementError) refusal = error;
  else if (error.validation) refusal = validationRefusal(error);
  else if (error.statusCode && error.statusCode < 500) refusal = badRequest(error.message, error.statusCode);
  else {
    request.log.error({ err: error }, 'request failed');
    refusal = internalError();
  }
  request.log.info({ errorCode: refusal.errorCode, description: refusal.message }, 'management request refused');
  return refusal;
}

/** A route schema's refusal in the Management API's words: `Payload validation error: …` for a body, `Query validation error: …` for a query. */
function validationRefusal(error: FastifyError): ManagementError {
  const detail = error.message.replace(/^(body|querystring|params|headers)\/?/, '').trim();
  if (error.validationContext === 'querystring') return invalidQueryString(`Query validation error: ${detail}`);
  return badRequest(`Payload validation error: ${detail}`);
}
