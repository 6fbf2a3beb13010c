import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { AnyObject, fieldsOf } from '../http/route-schemas.js';
import { requestFacts } from '../http/request-facts.js';

/**
 * The database connections' Authentication API (CORS from the enclosing scope: auth0.js and Lock call
 * it from the application's pages): POST /dbconnections/signup, JSON or a form, as Auth0 takes it.
 */
const SIGNUP_FIELDS = ['client_id', 'connection', 'email', 'password', 'username', 'given_name', 'family_name', 'name', 'nickname', 'picture', 'user_metadata'] as const;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export async function databaseConnectionRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/dbconnections/signup', { schema: { body: fieldsOf(SIGNUP_FIELDS), response: { 200: AnyObject } } }, async (request, reply) => {
    const body = request.body ?? {};
    const answer = await deps.databaseSignup({
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
}
