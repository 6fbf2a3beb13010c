import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../http/app-deps.js';
import type { User } from '../../store/records.js';
import { badRequest, userNotFound } from '../../management/management-error.js';
import { AnyObject, fieldsOf } from '../../http/route-schemas.js';
import { findConnection } from '../../tenant/model.js';
import { isWebUrl } from '../../tenant/web-url.js';
import { ACCESS } from './access.js';

/**
 * The Management API's links for database users: a verification email sent now
 * (POST /api/v2/jobs/verification-email, a job Understudy finishes at once), and the email-verification
 * and password-change tickets, URLs of the same screens the emails link to, sent nowhere.
 */
const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
/** Auth0 checks result_url's format (absolute-uri-or-empty) before anything else. */
const resultUrl = (value: unknown): string | undefined => {
  const url = text(value);
  if (url !== undefined && !isWebUrl(url)) throw badRequest(`Payload validation error: 'Object didn't pass validation for format absolute-uri-or-empty: ${url}' on property result_url (URL the user will be redirected to once ticket is used).`);
  return url;
};
const flag = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);
const seconds = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined);

export async function ticketRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { store, emailVerification, passwordReset, clock, random } = deps;

  async function userOf(id: string | undefined): Promise<User> {
    if (!id) throw badRequest('Payload validation error: Missing required property: user_id');
    return (await store.getUser(id)) ?? Promise.reject(userNotFound());
  }

  app.post('/api/v2/jobs/verification-email', { config: { access: ACCESS.updateUsers }, schema: { body: fieldsOf(['user_id', 'client_id', 'identity', 'organization_id']), response: { 201: AnyObject } } }, async (request, reply) => {
    const user = await userOf(text(request.body.user_id));
    if (!user.email) throw badRequest('The user has no email address');
    await emailVerification.send(user, text(request.body.client_id));
    return reply.status(201).send({ type: 'verification_email', status: 'pending', created_at: new Date(clock.now()).toISOString(), id: `job_${random.token(12)}` });
  });

  app.post('/api/v2/tickets/email-verification', { config: { access: ACCESS.createUserTickets }, schema: { body: fieldsOf(['user_id', 'result_url', 'ttl_sec', 'client_id', 'includeEmailInRedirect', 'identity', 'organization_id']), response: { 201: AnyObject } } }, async (request, reply) => {
    const url = resultUrl(request.body.result_url);
    const user = await userOf(text(request.body.user_id));
    const ticket = await emailVerification.ticketUrl(user, { clientId: text(request.body.client_id), resultUrl: url, ttlSeconds: seconds(request.body.ttl_sec), includeEmailInRedirect: flag(request.body.includeEmailInRedirect) });
    return reply.status(201).send({ ticket });
  });

  app.post('/api/v2/tickets/password-change', { config: { access: ACCESS.createUserTickets }, schema: { body: fieldsOf(['user_id', 'email', 'connection_id', 'result_url', 'ttl_sec', 'client_id', 'mark_email_as_verified', 'includeEmailInRedirect', 'organization_id']), response: { 201: AnyObject } } }, async (request, reply) => {
    const user = await userOf(text(request.body.user_id));
    const connection = findConnection(deps.tenant, user.connection);
    if (connection?.kind !== 'database') throw badRequest('The user is not on a database connection');
    return reply.status(201).send({ ticket: await passwordReset.ticketUrl(user, connection, seconds(request.body.ttl_sec)) });
  });
}
