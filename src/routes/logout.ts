import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../http/app-deps.js';
import { resolveOidcLogout, resolveV2Logout, type LogoutOutcome } from '../login/logout.js';
import { SESSION_COOKIE } from '../http/cookies.js';
import { renderScreen } from '../http/screens.js';

/** GET /v2/logout (Auth0's) and GET|POST /oidc/logout (RP-initiated logout): end the SSO session. */
export async function logoutRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { tenant, cookies, sessions } = deps;
  const page = { config: { page: true } };
  const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

  async function finish(request: FastifyRequest, reply: FastifyReply, outcome: LogoutOutcome): Promise<unknown> {
    await sessions.end(cookies.read(request, SESSION_COOKIE));
    cookies.clear(reply, SESSION_COOKIE);
    reply.header('Cache-Control', 'no-store');
    if (outcome.location) return reply.redirect(outcome.location, 302);
    return renderScreen(reply, tenant, 'logged-out', {});
  }

  app.get('/v2/logout', page, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    return finish(request, reply, resolveV2Logout(tenant, { returnTo: str(query.returnTo), client_id: str(query.client_id) }));
  });

  const oidcLogout = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const source = (request.method === 'POST' ? request.body : request.query) as Record<string, unknown> | undefined;
    const params = source ?? {};
    const outcome = await resolveOidcLogout(deps, {
      id_token_hint: str(params.id_token_hint),
      client_id: str(params.client_id),
      post_logout_redirect_uri: str(params.post_logout_redirect_uri),
      logout_hint: str(params.logout_hint),
      state: str(params.state),
    });
    return finish(request, reply, outcome);
  };
  app.get('/oidc/logout', page, oidcLogout);
  app.post('/oidc/logout', page, oidcLogout);
}
