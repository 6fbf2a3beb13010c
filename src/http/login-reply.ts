import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestFacts } from './request-facts.js';
import type { AppDeps } from './app-deps.js';
import { OAuthError } from '../errors.js';
import type { Admit, ScreenOutcome, Visit } from '../login/login-service.js';
import { SCREEN_NOTICES, SCREEN_REFUSALS } from '../login/refusals.js';
import { createScreenViews, type ScreenParams } from '../login/screen-views.js';
import type { PageScreen } from '../login/screens.js';
import { DEVICE_COOKIE, REMEMBER_COOKIE } from './cookies.js';
import { ipKey, recipientKey } from './rate-limits.js';
import { renderScreen } from './screens.js';
import { fieldsOf, queryWith } from './route-schemas.js';

/**
 * Between the login screens' routes and the login service: what a request says (its visit and
 * form), the rate limit as the service's Admit, and the one place a ScreenOutcome becomes a response:
 * a redirect (setting the SSO cookie when a login completed), or the screen with its refusal's text
 * and status (login/refusals.ts).
 */
export type Form = Record<string, string | undefined>;

/** Every screen's query: the login transaction's `state`, and the social screen's `connection`. */
const ScreenQuery = queryWith(['state', 'connection']);
/** What Auth0's screens post; each screen reads its own fields (strings only, as `form()` gives them). */
const ScreenForm = fieldsOf(['state', 'action', 'username', 'password', 'code', 'connection', 'passkey', 'email', 'name', 'phone', 'rememberBrowser', 'saved', 'nickname']);

/** The route options of a login screen's GET: its errors are shown on the error page. */
export const PAGE = { config: { page: true }, schema: { querystring: ScreenQuery } } as const;
/** … and of its POST. */
export const PAGE_FORM = { config: { page: true }, schema: { querystring: ScreenQuery, body: ScreenForm } } as const;

export interface LoginReplies {
  visit(request: FastifyRequest): Visit;
  /** The posted form, string fields only. */
  form(request: FastifyRequest): Form;
  /**
   * Code-sending steps count against the `login_identifier` limit, per IP and per recipient. Over it,
   * the screen is shown again with an alert (429, X-RateLimit-* headers) instead of sending a code.
   */
  admit(request: FastifyRequest, reply: FastifyReply): Admit;
  send(reply: FastifyReply, screen: PageScreen, outcome: ScreenOutcome, params?: ScreenParams): Promise<unknown>;
  /** A GET of a screen. */
  show(request: FastifyRequest, reply: FastifyReply, screen: PageScreen, params?: ScreenParams): Promise<unknown>;
}

export function createLoginReplies(deps: AppDeps): LoginReplies {
  const { tenant, cookies, clock, login, limits } = deps;
  const view = createScreenViews(deps);

  const stateOf = (request: FastifyRequest): string | undefined => {
    const fromQuery = (request.query as Form).state;
    const fromBody = (request.body as Form | undefined)?.state;
    return typeof fromQuery === 'string' ? fromQuery : typeof fromBody === 'string' ? fromBody : undefined;
  };

  const replies: LoginReplies = {
    visit: (request) => ({ state: stateOf(request), deviceId: cookies.read(request, DEVICE_COOKIE), request: requestFacts(request) }),

    form(request) {
      const body = (request.body ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
    },

    admit: (request, reply) => async (recipient) => {
      try {
        await limits.enforce(request, reply, 'loginIdentifier', [ipKey(request), recipientKey(recipient)]);
        return true;
      } catch (err) {
        if (!(err instanceof OAuthError) || err.error !== 'too_many_requests') throw err;
        reply.headers(err.headers);
        return false;
      }
    },

    async send(reply, screen, outcome, params) {
      if (outcome.kind === 'redirect') {
        // A session opened: someone proved who they are on this screen (a code, a password, a passkey, a provider).
        if (outcome.session) reply.log.info({ screen }, `login succeeded on ${screen}`);
        if (outcome.session) cookies.keepSession(reply, outcome.session, clock.now());
        if (outcome.rememberBrowser) cookies.write(reply, REMEMBER_COOKIE, deps.rememberedBrowsers.issue(outcome.rememberBrowser), deps.rememberedBrowsers.maxAgeSeconds);
        return reply.redirect(outcome.location, 302);
      }
      const shown = await view(screen, outcome.ctx, params);
      if (shown.kind === 'redirect') return reply.redirect(shown.location, 302);
      const refusal: { text: string; status: number; code?: string; field?: string } | undefined = outcome.refusal ? SCREEN_REFUSALS[outcome.refusal] : undefined;
      if (outcome.refusal) reply.log.info({ screen, reason: outcome.refusal }, `login step refused on ${screen}: ${outcome.refusal}`);
      const said = refusal
        ? { error: outcome.message ?? refusal.text, errorCode: refusal.code, errorField: refusal.field }
        : outcome.notice ? { notice: SCREEN_NOTICES[outcome.notice] } : {};
      return renderScreen(reply, tenant, shown.view, { ...shown.data, ...outcome.typed, ...said }, refusal?.status ?? 200);
    },

    show: async (request, reply, screen, params) => replies.send(reply, screen, await login.show(screen, replies.visit(request)), params),
  };
  return replies;
}
