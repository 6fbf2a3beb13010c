import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../http/app-deps.js';
import { AnyObject } from '../http/route-schemas.js';
import { discoveryDocument } from '../oauth/discovery.js';

/** Discovery and JWKS: public, cacheable, computed once. */
export async function wellKnownRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const discovery = JSON.stringify(discoveryDocument(deps.issuer));
  const jwks = JSON.stringify(deps.keys.publicJwks);
  const publicJson = { 'Content-Type': 'application/json; charset=utf-8', 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'public, max-age=300' };

  // Sent as the JSON text made once above; the schema says what it holds.
  const schema = { response: { 200: AnyObject } };
  app.get('/.well-known/openid-configuration', { schema }, async (_request, reply) => reply.headers(publicJson).send(discovery));
  app.get('/.well-known/jwks.json', { schema }, async (_request, reply) => reply.headers(publicJson).send(jwks));
}
