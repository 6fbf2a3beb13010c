import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestFacts } from '../http/request-facts.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { AUTHORIZE_PARAMS, queryWith } from '../http/route-schemas.js';
import { parseAuthorizeRequest } from '../oauth/authorize-request.js';
import { sendAuthorizationResult } from '../http/response-modes.js';
import { SESSION_COOKIE, rememberedBrowser } from '../http/cookies.js';
import { ipKey } from '../http/rate-limits.js';
import { answerLoginTicket } from './cross-origin.js';

/** GET /authorize starts a login (or answers from the SSO session); /authorize/resume (routes/resume.ts) finishes it. */
export async function authorizeRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { tenant, cookies, authorization, random } = deps;

  // Every /authorize keeps a login transaction: one IP may start only so many (rate_limits.authorize).
  const limitByIp = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await deps.limits.enforce(request, reply, 'authorize', [ipKey(request)]);
  };

  const schema = { querystring: queryWith(AUTHORIZE_PARAMS) };
  app.get('/authorize', { config: { page: true }, schema, ...(deps.limits.active('authorize') ? { preHandler: limitByIp } : {}) }, async (request, reply) => {
    const authorizeRequest = parseAuthorizeRequest(request.query, tenant);
    const deviceId = cookies.deviceId(request, () => random.token(18));
    cookies.keepDevice(reply, deviceId);
    const browser = { deviceId, sessionId: cookies.read(request, SESSION_COOKIE), remembered: rememberedBrowser(request, deps) };
    // Embedded login (auth0.js after /co/authenticate) brings the proof of login with it.
    if (request.query.login_ticket !== undefined) return answerLoginTicket(request, reply, deps, authorizeRequest, browser);
    const outcome = await authorization.begin(authorizeRequest, browser, requestFacts(request));
    if (outcome.kind === 'respond') return sendAuthorizationResult(reply, outcome.result);
    return reply.header('Cache-Control', 'no-store').redirect(outcome.location, 302);
  });
}
