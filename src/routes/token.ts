import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import type { AppDeps } from '../deps.js';
import { exchangeToken } from '../oauth/grants/index.js';
import { bearerToken, userinfo } from '../oauth/userinfo.js';
import { originOf } from '../oauth/redirect-uri.js';
import type { Tenant } from '../tenant/model.js';

/**
 * The endpoints browser SDKs call with fetch: POST /oauth/token and /userinfo. CORS answers only
 * origins some client registered (web origins, allowed origins or callback origins), and the
 * preflight allows the `Auth0-Client` telemetry header that auth0-spa-js sends.
 */
export async function tokenRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const allowedOrigins = registeredOrigins(deps.tenant);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins.has(origin)),
    methods: ['GET', 'POST'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Auth0-Client', 'DPoP'],
    maxAge: 86400,
  });

  app.post('/oauth/token', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const response = await exchangeToken(deps, request.headers.authorization, typeof body === 'object' ? body : {});
    return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache').send(response);
  });

  const handleUserinfo = async (request: { headers: Record<string, string | string[] | undefined>; body?: unknown }) => {
    const header = request.headers.authorization;
    const fromBody = (request.body as Record<string, unknown> | undefined)?.access_token;
    const token = bearerToken(typeof header === 'string' ? header : undefined) ?? (typeof fromBody === 'string' ? fromBody : undefined);
    return userinfo(deps, token);
  };
  app.get('/userinfo', async (request, reply) => reply.header('Cache-Control', 'no-store').send(await handleUserinfo(request)));
  app.post('/userinfo', async (request, reply) => reply.header('Cache-Control', 'no-store').send(await handleUserinfo(request)));
}

function registeredOrigins(tenant: Tenant): Set<string> {
  const origins = new Set<string>();
  for (const client of tenant.clients) {
    for (const url of [...client.webOrigins, ...client.callbacks]) {
      const origin = originOf(url);
      if (origin) origins.add(origin);
    }
  }
  return origins;
}
