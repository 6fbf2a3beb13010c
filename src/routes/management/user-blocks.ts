import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../http/app-deps.js';
import { badRequest, userNotFound } from '../../management/management-error.js';
import { AnyObject, paramsOf, queryWith } from '../../http/route-schemas.js';
import { ACCESS } from './access.js';

/** Brute-force blocks (users/brute-force.ts), as Auth0's user-blocks endpoints: by user id, or by identifier. */
export async function userBlockRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { store, bruteForce } = deps;
  const identifiersOf = async (id: string): Promise<string[]> => {
    const user = await store.getUser(id);
    if (!user) throw userNotFound();
    return [user.email, user.phone_number].filter((x): x is string => typeof x === 'string');
  };
  const identifierQuery = (value: string | string[] | undefined): string => {
    const identifier = typeof value === 'string' ? value.trim() : '';
    if (!identifier) throw badRequest('Query validation error: Missing required property: identifier');
    return identifier;
  };
  const ById = { params: paramsOf('id') };
  const ByIdentifier = { querystring: queryWith(['identifier']) };

  app.get('/api/v2/user-blocks/:id', { config: { access: ACCESS.readUsers }, schema: { ...ById, response: { 200: AnyObject } } }, async (request) => ({
    blocked_for: (await identifiersOf(request.params.id)).flatMap((i) => bruteForce.blocksFor(i)),
  }));
  app.delete('/api/v2/user-blocks/:id', { config: { access: ACCESS.updateUsers }, schema: ById }, async (request, reply) => {
    for (const identifier of await identifiersOf(request.params.id)) bruteForce.unblock(identifier);
    return reply.status(204).send();
  });
  app.get('/api/v2/user-blocks', { config: { access: ACCESS.readUsers }, schema: { ...ByIdentifier, response: { 200: AnyObject } } }, async (request) => ({
    blocked_for: bruteForce.blocksFor(identifierQuery(request.query.identifier)),
  }));
  app.delete('/api/v2/user-blocks', { config: { access: ACCESS.updateUsers }, schema: ByIdentifier }, async (request, reply) => {
    bruteForce.unblock(identifierQuery(request.query.identifier));
    return reply.status(204).send();
  });
}
