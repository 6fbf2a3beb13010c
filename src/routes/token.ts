import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { TOKEN_FIELDS, TokenResponseSchema, fieldsOf } from '../http/route-schemas.js';
import { invalidRequest } from '../errors.js';
import { exchangeToken, type IssuedGrant } from '../oauth/grants/index.js';
import { authenticateClient, stringField } from '../oauth/client-auth.js';
import { ipKey } from '../http/rate-limits.js';
import { requestFacts } from '../http/request-facts.js';

/** POST /oauth/token and POST /oauth/revoke (CORS comes from the enclosing scope). */
const TokenRequest = { body: fieldsOf(TOKEN_FIELDS), response: { 200: TokenResponseSchema } };

export async function tokenRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  // Auth0 counts /oauth/token per tenant (tenant/rate-limits.ts). The tenant-wide count starts once the
  // client is authenticated: a request that never got that far (no grant_type, an unknown client, a
  // wrong secret) counts only against its sender's IP, so one anonymous sender cannot lock every client out.
  const tokenLimitsOn = deps.limits.active('oauthToken');

  // Each token issued is a line at info (a refusal is one too, from the error handler, with its reason).
  const logIssued = (request: FastifyRequest) => (grant: IssuedGrant): void =>
    request.log.info(grant, `token issued: ${grant.grantType} to ${grant.clientId}${grant.audience ? ` for ${grant.audience}` : ''}`);

  app.post('/oauth/token', { schema: TokenRequest }, async (request, reply) => {
    // With the limit off (UNDERSTUDY_RATE_LIMITS=off, or none in the tenant's rate_limits) nothing is
    // counted at all: no limiter promise or closure per token.
    if (!tokenLimitsOn) {
      const response = await exchangeToken(deps, { authorization: request.headers.authorization, body: request.body, request: requestFacts(request, { withBody: true }), issued: logIssued(request) });
      return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache').send(response);
    }
    // Every request counts against its sender's IP first, before any secret is checked: guessing a
    // client secret is held to the same rate, and a 429 says nothing about whether a guess was right.
    // An IP's count is never tighter than the tenant's for real traffic (one IP's requests are part of
    // the tenant's), so Auth0's tenant-wide figure is what authenticated clients meet.
    await deps.limits.enforce(request, reply, 'oauthToken', [ipKey(request)]);
    const admit = (): Promise<void> => deps.limits.enforce(request, reply, 'oauthToken', ['tenant']);
    const response = await exchangeToken(deps, { authorization: request.headers.authorization, body: request.body, request: requestFacts(request, { withBody: true }), admit, issued: logIssued(request) });
    return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache').send(response);
  });

  // RFC 7009: 200 with an empty body whether or not the token was known, so it reveals nothing.
  app.post('/oauth/revoke', { schema: { body: fieldsOf(['client_id', 'client_secret', 'token', 'token_type_hint']) } }, async (request, reply) => {
    const body = request.body;
    const { client } = authenticateClient(deps.tenant, request.headers.authorization, body);
    const token = stringField(body, 'token');
    if (!token) throw invalidRequest.missing('token');
    await deps.refreshTokens.revoke(client, token);
    return reply.status(200).header('Cache-Control', 'no-store').send();
  });
}
