import { bodyOf } from '../http/json-body.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../http/app-deps.js';
import { startPasswordless } from '../passwordless/start.js';
import { openMagicLink } from '../passwordless/magic-link.js';
import { requestFacts } from '../http/request-facts.js';
import { sendAuthorizationResult } from '../http/response-modes.js';
import { ipKey, recipientKey } from '../http/rate-limits.js';

/** POST /passwordless/start (API, with CORS from the enclosing scope). */
export async function passwordlessStartRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Auth0's limit is per IP, counted for every request; Understudy also counts per recipient
  // (src/config/rate-limit-settings.ts), keyed by the recipient the connection in use will send to
  // (E.164 for SMS, the normalised address for email), never by a field that connection ignores.
  const limitByIp = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await deps.limits.enforce(request, reply, 'passwordlessStart', [ipKey(request)]);
  };

  app.post('/passwordless/start', { preHandler: limitByIp }, async (request, reply) => {
    const body = bodyOf(request);
    const admit = (recipient: string): Promise<void> => deps.limits.enforce(request, reply, 'passwordlessStart', [recipientKey(recipient)]);
    return reply.header('Cache-Control', 'no-store').send(await startPasswordless(deps, body, request.headers.authorization, admit, requestFacts(request)));
  });
}

/** GET /passwordless/verify_redirect: the magic link (logic in src/passwordless/magic-link.ts). */
export async function magicLinkRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { cookies, random, clock } = deps;

  app.get('/passwordless/verify_redirect', { config: { page: true } }, async (request, reply) => {
    const deviceId = cookies.deviceId(request, () => random.token(18));
    const { result, session } = await openMagicLink(deps, request.query as Record<string, unknown>, deviceId, requestFacts(request));
    cookies.keepDevice(reply, deviceId);
    cookies.keepSession(reply, session, clock.now());
    return sendAuthorizationResult(reply, result);
  });
}
