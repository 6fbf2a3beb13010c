import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import { originOf } from '../oauth/redirect-uri.js';
import type { Tenant } from '../tenant/model.js';

/**
 * CORS for the endpoints browser SDKs call with fetch (/oauth/token, /oauth/revoke, /userinfo,
 * /passwordless/start): only origins some client registered (allowed origins, web origins or callback origins), and a
 * preflight that allows the `Auth0-Client` telemetry header auth0-spa-js sends.
 */
export async function registerApiCors(scope: FastifyInstance, tenant: Tenant): Promise<void> {
  const allowed = new Set<string>();
  for (const client of tenant.clients) {
    for (const url of [...client.allowedOrigins, ...client.webOrigins, ...client.callbacks]) {
      const origin = originOf(url);
      if (origin) allowed.add(origin);
    }
  }
  await scope.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Auth0-Client', 'DPoP', 'X-Request-Language'],
    maxAge: 86400,
  });
}
