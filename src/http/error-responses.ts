import type { FastifyReply } from 'fastify';
import type { ErrorRedirect, OAuthError } from '../errors.js';
import type { ManagementError } from '../management/management-error.js';
import type { Tenant } from '../tenant/model.js';
import { errorResult } from '../oauth/authorization-response.js';
import { sendAuthorizationResult } from './response-modes.js';
import { renderScreen } from './screens.js';

/**
 * What an error looks like on each surface, written once per surface:
 * - the Authentication API's JSON, `{"error","error_description"}`, never cached;
 * - the error page of a browser route (and of /authorize until the client's redirect_uri is trusted);
 * - a redirect back to the client, in the request's response mode, once its redirect_uri is verified;
 * - the Management API's JSON, `{statusCode, error, message, errorCode}`.
 * Which surface answers a given error is decided in error-handler.ts.
 */
type Sent = FastifyReply | Promise<FastifyReply>;

/** `fields` go before the error's own, e.g. /readyz's `status`. */
export function sendApiError(reply: FastifyReply, error: OAuthError, fields: Record<string, string> = {}): Sent {
  return reply.headers(error.headers).status(error.status).header('Cache-Control', 'no-store').send({ ...fields, ...error.toJSON() });
}

export function sendPageError(reply: FastifyReply, tenant: Tenant, error: OAuthError): Sent {
  reply.headers(error.headers);
  return renderScreen(reply, tenant, 'error', { errorCode: error.error, errorDescription: error.message, trackingId: reply.request.id }, error.status);
}

export function sendRedirectError(reply: FastifyReply, error: OAuthError, redirect: ErrorRedirect): Sent {
  return sendAuthorizationResult(reply, errorResult(redirect, error.error, error.message));
}

export function sendManagementError(reply: FastifyReply, error: ManagementError): Sent {
  return reply.headers(error.headers).status(error.statusCode).send(error.toJSON());
}
