import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { rememberedBrowser } from '../http/cookies.js';
import { AnyObject, fieldsOf, queryWith } from '../http/route-schemas.js';
import { startPasswordless } from '../passwordless/start.js';
import { openMagicLink } from '../passwordless/magic-link.js';
import { requestFacts } from '../http/request-facts.js';
import { sendAuthorizationResult } from '../http/response-modes.js';
import { ipKey, recipientKey } from '../http/rate-limits.js';

/** POST /passwordless/start (API, with CORS from the enclosing scope). */
const START_FIELDS = ['client_id', 'client_secret', 'connection', 'email', 'phone_number', 'send', 'authParams'] as const;

export async function passwordlessStartRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  // Auth0's limit is per IP, counted for every request; Understudy also counts per recipient
  // (src/config/rate-limit-settings.ts), keyed by the recipient the connection in use will send to
  // (E.164 for SMS, the normalised address for email), never by a field that connection ignores.
  const limitByIp = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await deps.limits.enforce(request, reply, 'passwordlessStart', [ipKey(request)]);
  };

  app.post('/passwordless/start', { preHandler: limitByIp, schema: { body: fieldsOf(START_FIELDS), response: { 200: AnyObject } } }, async (request, reply) => {
    const body = request.body;
    const admit = (recipient: string): Promise<void> => deps.limits.enforce(request, reply, 'passwordlessStart', [recipientKey(recipient)]);
    return reply.header('Cache-Control', 'no-store').send(await startPasswordless(deps, body, request.headers.authorization, admit, requestFacts(request)));
  });
}

/** GET /passwordless/verify_redirect: the magic link (logic in src/passwordless/magic-link.ts). */
export async function magicLinkRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { cookies, random, clock } = deps;

  app.get('/passwordless/verify_redirect', { config: { page: true }, schema: { querystring: queryWith(['client_id', 'connection', 'email', 'phone_number', 'verification_code', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'audience', 'response_mode', 'protocol']) } }, async (request, reply) => {
    const deviceId = cookies.deviceId(request, () => random.token(18));
    const { result, session } = await openMagicLink(deps, request.query, { deviceId, remembered: rememberedBrowser(request, deps) }, requestFacts(request));
    cookies.keepDevice(reply, deviceId);
    cookies.keepSession(reply, session, clock.now());
    return sendAuthorizationResult(reply, result);
  });
}
