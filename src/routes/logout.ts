import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { fieldsOf, queryWith } from '../http/route-schemas.js';
import { resolveOidcLogout, resolveV2Logout, type LogoutOutcome } from '../login/logout.js';
import { SESSION_COOKIE } from '../http/cookies.js';
import { renderScreen } from '../http/screens.js';

/** GET /v2/logout (Auth0's) and GET|POST /oidc/logout (RP-initiated logout): end the SSO session. */
const V2_LOGOUT = queryWith(['returnTo', 'client_id', 'federated']);
const OIDC_LOGOUT = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'logout_hint', 'state', 'ui_locales'] as const;

export async function logoutRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
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

  app.get('/v2/logout', { ...page, schema: { querystring: V2_LOGOUT } }, async (request, reply) =>
    finish(request, reply, resolveV2Logout(tenant, { returnTo: str(request.query.returnTo), client_id: str(request.query.client_id) })),
  );

  const oidcLogout = async (request: FastifyRequest, reply: FastifyReply, params: Record<string, unknown>): Promise<unknown> => {
    const outcome = await resolveOidcLogout(deps, {
      id_token_hint: str(params.id_token_hint),
      client_id: str(params.client_id),
      post_logout_redirect_uri: str(params.post_logout_redirect_uri),
      logout_hint: str(params.logout_hint),
      state: str(params.state),
    });
    return finish(request, reply, outcome);
  };
  app.get('/oidc/logout', { ...page, schema: { querystring: queryWith(OIDC_LOGOUT) } }, (request, reply) => oidcLogout(request, reply, request.query));
  app.post('/oidc/logout', { ...page, schema: { body: fieldsOf(OIDC_LOGOUT) } }, (request, reply) => oidcLogout(request, reply, request.body));
}
