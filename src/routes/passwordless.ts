import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { startPasswordless } from '../login/passwordless-start.js';
import { openMagicLink } from '../login/magic-link.js';
import { sendAuthorizationResult } from '../http/authorization-reply.js';
import { DEVICE_COOKIE, SESSION_COOKIE } from '../http/cookies.js';

/** POST /passwordless/start (API, with CORS from the enclosing scope). */
export async function passwordlessStartRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.post('/passwordless/start', async (request, reply) => {
    const body = request.body !== null && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
    return reply.header('Cache-Control', 'no-store').send(await startPasswordless(deps, body, request.headers.authorization));
  });
}

/** GET /passwordless/verify_redirect: the magic link (logic in src/login/magic-link.ts). */
export async function magicLinkRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { cookies, random, clock } = deps;

  app.get('/passwordless/verify_redirect', { config: { page: true } }, async (request, reply) => {
    const deviceId = cookies.read(request, DEVICE_COOKIE) ?? random.token(18);
    const { result, session } = await openMagicLink(deps, request.query as Record<string, unknown>, deviceId);
    cookies.write(reply, DEVICE_COOKIE, deviceId, 365 * 86400);
    cookies.write(reply, SESSION_COOKIE, session.id, Math.floor((session.expiresAt - clock.now()) / 1000));
    return sendAuthorizationResult(reply, result);
  });
}
