import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { OAuthError } from '../errors.js';
import { exchangeToken } from '../oauth/grants/index.js';
import { authenticateClient, stringField } from '../oauth/client-auth.js';
import { bearerToken, userinfo, userinfoSubject } from '../oauth/userinfo.js';
import { ipKey } from '../http/rate-limits.js';

/** POST /oauth/token, POST /oauth/revoke and GET|POST /userinfo (CORS comes from the enclosing scope). */
export async function tokenRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const bodyOf = (request: FastifyRequest): Record<string, unknown> =>
    request.body !== null && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};

  // Auth0 counts /oauth/token per tenant ("any request") and /userinfo per user; an unverifiable
  // token is counted per IP instead (src/config/rate-limit-settings.ts).
  const tokenLimit = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => deps.limits.enforce(request, reply, 'oauthToken', ['tenant']);
  const userinfoLimit = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!deps.limits.active('userinfo')) return;
    const subject = await userinfoSubject(deps, accessTokenOf(request));
    await deps.limits.enforce(request, reply, 'userinfo', [subject ? `user:${subject}` : ipKey(request)]);
  };

  // With the limit off (UNDERSTUDY_RATE_LIMITS=off, or none in the tenant's rate_limits) the route has
  // no preHandler at all: an async hook that only returns still costs every token a promise and a turn.
  app.post('/oauth/token', deps.limits.active('oauthToken') ? { preHandler: tokenLimit } : {}, async (request, reply) => {
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

  const accessTokenOf = (request: FastifyRequest): string | undefined => {
    const fromBody = bodyOf(request).access_token;
    return bearerToken(request.headers.authorization) ?? (typeof fromBody === 'string' ? fromBody : undefined);
  };
  const handleUserinfo = async (request: FastifyRequest) => userinfo(deps, accessTokenOf(request));
  app.get('/userinfo', { preHandler: userinfoLimit }, async (request, reply) => reply.header('Cache-Control', 'no-store').send(await handleUserinfo(request)));
  app.post('/userinfo', { preHandler: userinfoLimit }, async (request, reply) => reply.header('Cache-Control', 'no-store').send(await handleUserinfo(request)));
}
