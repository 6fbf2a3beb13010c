import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { queryWith } from '../http/route-schemas.js';
import { requestFacts } from '../http/request-facts.js';
import { sendAuthorizationResult } from '../http/response-modes.js';
import { DEVICE_COOKIE, rememberedBrowser } from '../http/cookies.js';
import { screenPath } from '../login/screens.js';

/**
 * GET /authorize/resume: where the login screens send the browser once the user is proven. The login
 * ends here (oauth/finish-login.ts: post-login Actions, then the response) and the answer goes back to
 * the application in its response mode. Its path is in the screen table (login/screens.ts), as the
 * step every screen leads to, though it renders no page.
 */
export async function resumeRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.get(screenPath('resume'), { config: { page: true }, schema: { querystring: queryWith(['state']) } }, async (request, reply) => {
    const { state } = request.query;
    const browser = { deviceId: deps.cookies.read(request, DEVICE_COOKIE), remembered: rememberedBrowser(request, deps) };
    const result = await deps.authorization.resume(typeof state === 'string' ? state : undefined, browser, requestFacts(request));
    return sendAuthorizationResult(reply, result);
  });
}
