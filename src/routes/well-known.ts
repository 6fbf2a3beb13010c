import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../http/app-deps.js';
import { discoveryDocument } from '../oauth/discovery.js';

/** Discovery and JWKS: public, cacheable, computed once. */
export async function wellKnownRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const discovery = JSON.stringify(discoveryDocument(deps.issuer));
  const jwks = JSON.stringify(deps.keys.publicJwks);
  const publicJson = { 'Content-Type': 'application/json; charset=utf-8', 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'public, max-age=300' };

  app.get('/.well-known/openid-configuration', async (_request, reply) => reply.headers(publicJson).send(discovery));
  app.get('/.well-known/jwks.json', async (_request, reply) => reply.headers(publicJson).send(jwks));
}
