import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { OAuthError } from '../errors.js';
import { exchangeToken } from '../oauth/grants/index.js';
import { authenticateClient, stringField } from '../oauth/client-auth.js';
import { bearerToken, userinfo } from '../oauth/userinfo.js';

/** POST /oauth/token, POST /oauth/revoke and GET|POST /userinfo (CORS comes from the enclosing scope). */
export async function tokenRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const bodyOf = (request: FastifyRequest): Record<string, unknown> =>
    request.body !== null && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};

  app.post('/oauth/token', async (request, reply) => {
    const response = await exchangeToken(deps, request.headers.authorization, bodyOf(request));
    return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache').send(response);
  });

  // RFC 7009: 200 with an empty body whether or not the token was known, so it reveals nothing.
  app.post('/oauth/revoke', async (request, reply) => {
    const body = bodyOf(request);
    const { client } = authenticateClient(deps.tenant, request.headers.authorization, body);
    const token = stringField(body, 'token');
    if (!token) throw new OAuthError('invalid_request', 'Missing required parameter: token');
    await deps.refreshTokens.revoke(client, token);
    return reply.status(200).header('Cache-Control', 'no-store').send();
  });

  const handleUserinfo = async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const fromBody = bodyOf(request).access_token;
    return userinfo(deps, bearerToken(header) ?? (typeof fromBody === 'string' ? fromBody : undefined));
  };
  app.get('/userinfo', async (request, reply) => reply.header('Cache-Control', 'no-store').send(await handleUserinfo(request)));
  app.post('/userinfo', async (request, reply) => reply.header('Cache-Control', 'no-store').send(await handleUserinfo(request)));
}
