import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { AnyObject, fieldsOf } from '../http/route-schemas.js';
import { requestFacts } from '../http/request-facts.js';
import * as Type from 'typebox';
import { databaseError, invalidRequest } from '../errors.js';
import { findClient } from '../tenant/model.js';
import { challengeDatabaseOtp } from '../database/otp-challenge.js';

/**
 * The database connections' Authentication API (CORS from the enclosing scope: auth0.js and Lock call
 * it from the application's pages): POST /dbconnections/signup, JSON or a form, as Auth0 takes it.
 */
const SIGNUP_FIELDS = ['client_id', 'connection', 'email', 'password', 'username', 'given_name', 'family_name', 'name', 'nickname', 'picture', 'user_metadata'] as const;

const OTP_CHALLENGE_FIELDS = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'connection', 'email', 'phone_number', 'allow_signup', 'delivery_method'] as const;
const CHANGE_PASSWORD_FIELDS = ['client_id', 'connection', 'email', 'organization'] as const;
/** Auth0's answer to a reset request, plain text, whether or not the email has a user. */
export const RESET_REQUESTED = "We've just sent you an email to reset your password.";

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export async function databaseConnectionRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/dbconnections/signup', { schema: { body: fieldsOf(SIGNUP_FIELDS), response: { 200: AnyObject } } }, async (request, reply) => {
    const body = request.body ?? {};
    const { answer } = await deps.databaseSignup({
      clientId: text(body.client_id),
      connection: text(body.connection),
      email: text(body.email),
      password: text(body.password),
      username: text(body.username),
      profile: { given_name: text(body.given_name), family_name: text(body.family_name), name: text(body.name), nickname: text(body.nickname), picture: text(body.picture) },
      userMetadata: body.user_metadata,
      request: requestFacts(request),
    });
    return reply.header('Cache-Control', 'no-store').send(answer);
  });

  // A one-time code on a database connection with email_otp (database/otp-challenge.ts).
  app.post('/otp/challenge', { schema: { body: fieldsOf(OTP_CHALLENGE_FIELDS), response: { 200: AnyObject } } }, async (request, reply) => {
    const answer = await challengeDatabaseOtp(deps, request.body ?? {}, request.headers.authorization);
    return reply.header('Cache-Control', 'no-store').send(answer);
  });

  app.post('/dbconnections/change_password', { schema: { body: fieldsOf(CHANGE_PASSWORD_FIELDS), response: { 200: Type.String() } } }, async (request, reply) => {
    const body = request.body ?? {};
    const clientId = text(body.client_id);
    if (clientId && !findClient(deps.tenant, clientId)) throw invalidRequest.unknownClient(clientId);
    const email = text(body.email);
    if (!email) throw databaseError.invalidBody('Missing required parameter: email');
    const name = text(body.connection);
    if (!name) throw databaseError.invalidBody('Missing required parameter: connection');
    const connection = deps.passwordReset.databaseConnection(name);
    if (!connection) throw databaseError.invalidConnection('Connection not found');
    await deps.passwordReset.request({ connection, email, clientId });
    return reply.header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(RESET_REQUESTED);
  });
}
