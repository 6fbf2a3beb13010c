import type { FastifyInstance } from 'fastify';
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import { isClientOrigin, originOf } from '../oauth/redirect-uri.js';
import type { Tenant } from '../tenant/model.js';

/**
 * CORS for the endpoints browser SDKs call with fetch (/oauth/token, /oauth/revoke, /userinfo,
 * /passwordless/start, /co/authenticate): only origins some client registered (allowed origins, web
 * origins or callback origins), and a preflight that allows the `Auth0-Client` telemetry header
 * auth0-spa-js sends. The `credentialed` paths (embedded login's /co/authenticate, which auth0.js
 * calls withCredentials so that its answer may set the session cookie) also answer
 * Access-Control-Allow-Credentials. One registration serves the whole scope: @fastify/cors adds a
 * catch-all OPTIONS route, which a second registration would declare again. The options are static
 * (normalised once, not per request); a credentialed path says so in its route config
 * (CREDENTIALED_CORS), on its OPTIONS route too, so that its preflight allows credentials as well.
 */
export const CREDENTIALED_CORS = { cors: { credentials: true } } as const;

export async function registerApiCors(scope: FastifyInstance, tenant: Tenant): Promise<void> {
  // Exact origins are looked up at once; a wildcard one (https://*.example.com) is matched as Auth0 matches it.
  const allowed = new Set<string>();
  for (const client of tenant.clients) {
    for (const url of [...client.allowedOrigins, ...client.webOrigins, ...client.callbacks]) {
      const origin = url.includes('*') ? undefined : originOf(url);
      if (origin) allowed.add(origin);
    }
  }
  const wildcards = tenant.clients.filter((c) => [...c.allowedOrigins, ...c.webOrigins, ...c.callbacks].some((url) => url.includes('*')));
  const isAllowed = (origin: string): boolean => allowed.has(origin) || wildcards.some((client) => isClientOrigin(client, origin));
  const options: FastifyCorsOptions = {
    origin: (origin, callback) => callback(null, origin !== undefined && isAllowed(origin)),
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Auth0-Client', 'DPoP', 'X-Request-Language'],
    maxAge: 86400,
    credentials: false,
  };
  await scope.register(cors, options);
}
