import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import * as Type from 'typebox';
import { AnyObject, fieldsOf, paramsOf } from '../http/route-schemas.js';
import { CREDENTIALED_CORS } from '../http/cors.js';
import { accessDenied, notFound } from '../errors.js';
import { authenticateCrossOrigin, OriginNotAllowedError } from '../passwordless/cross-origin.js';
import { checkPasswordlessCode } from '../passwordless/verify.js';
import type { AuthorizeRequest } from '../oauth/authorize-request.js';
import { findClient } from '../tenant/model.js';
import { clientSettings } from '../tenant/client-settings.js';
import { requestFacts } from '../http/request-facts.js';
import { scriptJson, sendAuthorizationResult } from '../http/response-modes.js';
import { securePage } from '../http/security-headers.js';
import { DEVICE_COOKIE, SESSION_COOKIE, rememberedBrowser } from '../http/cookies.js';
import type { ResumingBrowser } from '../login/authorization-service.js';

/**
 * Embedded login's routes (auth0.js, Lock): POST /co/authenticate (logic in
 * passwordless/cross-origin.ts), /authorize's login_ticket branch and POST /co/verify (logic in
 * login/login-tickets.ts), GET /client/<client_id>.js for Lock, and POST /passwordless/verify.
 */
/** How long the verification page waits for the application's page to answer. */
const VERIFICATION_TIMEOUT_MS = 10_000;

/** POST /co/authenticate, in a CORS scope that allows credentials (app.ts). */
export async function crossOriginAuthenticateRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { cookies, random } = deps;
  // Called withCredentials by auth0.js, so that its answer may set the session cookie: its preflight
  // (this OPTIONS route's, answered by @fastify/cors) and its answer allow credentials.
  app.options('/co/authenticate', { config: CREDENTIALED_CORS }, async (_request, reply) => reply.status(204).send());
  app.post('/co/authenticate', { config: CREDENTIALED_CORS, schema: { body: fieldsOf(['client_id', 'credential_type', 'username', 'otp', 'realm']), response: { 200: AnyObject, 403: Type.Unknown() } } }, async (request, reply) => {
    const deviceId = cookies.deviceId(request, () => random.token(18));
    let outcome: Awaited<ReturnType<typeof authenticateCrossOrigin>>;
    try {
      outcome = await authenticateCrossOrigin(deps, request.body, { origin: request.headers.origin, deviceId, sessionId: cookies.read(request, SESSION_COOKIE) });
    } catch (err) {
      // Auth0's answer to an origin the client did not register: a bare 403 with this text.
      if (err instanceof OriginNotAllowedError) return reply.status(403).type('text/plain; charset=utf-8').header('Cache-Control', 'no-store').send(err.message);
      throw err;
    }
    cookies.keepDevice(reply, deviceId);
    cookies.keepSession(reply, outcome.session, deps.clock.now());
    return reply.header('Cache-Control', 'no-store').send(outcome.answer);
  });
}

/** POST /passwordless/verify (API, in the shared CORS scope). */
export async function passwordlessVerifyRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post('/passwordless/verify', { schema: { body: fieldsOf(['client_id', 'connection', 'email', 'phone_number', 'verification_code']), response: { 200: AnyObject } } }, async (request, reply) =>
    reply.header('Cache-Control', 'no-store').send(await checkPasswordlessCode(deps, request.body)),
  );
}

/** POST /co/verify (the verification page's form) and Lock's GET /client/<client_id>.js. */
export async function crossOriginPageRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { tenant, cookies } = deps;

  app.post('/co/verify', { config: { page: true }, schema: { body: fieldsOf(['state', 'verifier']) } }, async (request, reply) => {
    const { result, session } = await deps.loginTickets.verify(request.body, { deviceId: cookies.read(request, DEVICE_COOKIE), remembered: rememberedBrowser(request, deps) }, requestFacts(request));
    deps.cookies.keepSession(reply, session, deps.clock.now());
    return sendAuthorizationResult(reply, result);
  });

  // Lock appends `?t<timestamp>` against caches; the query is ignored.
  app.get('/client/:file', { schema: { params: paramsOf('file'), response: { 200: Type.String() } } }, async (request, reply) => {
    const { file } = request.params;
    const found = file.endsWith('.js') ? findClient(tenant, file.slice(0, -'.js'.length)) : undefined;
    // Lock runs in a browser: a machine-to-machine client has no login to show, and its settings stay private.
    const client = found && found.appType !== 'non_interactive' ? found : undefined;
    // A 404 is all Lock needs to report that the settings could not be loaded; it is worded as every API error.
    if (!client) throw notFound('Unknown client');
    return reply.type('application/javascript; charset=utf-8').header('Cache-Control', 'no-store').send(`Auth0.setClient(${scriptJson(clientSettings(tenant, client))});\n`);
  });
}

/** GET /authorize with `login_ticket` (auth0.js after /co/authenticate): the answer, or the cross-origin verification page. */
export async function answerLoginTicket(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: AppDeps,
  authorizeRequest: AuthorizeRequest,
  browser: ResumingBrowser & { deviceId: string; sessionId: string | undefined },
): Promise<FastifyReply> {
  const ticket = (request.query as Record<string, unknown>).login_ticket;
  if (typeof ticket !== 'string' || !ticket) {
    throw accessDenied('login_ticket must be given once', { redirect: { redirectUri: authorizeRequest.redirectUri, responseMode: authorizeRequest.responseMode, state: authorizeRequest.state } });
  }
  const redemption = await deps.loginTickets.redeem(authorizeRequest, ticket, browser, requestFacts(request));
  if (redemption.kind === 'respond') return sendAuthorizationResult(reply, redemption.result);
  const { page } = redemption;
  return reply
    .status(200)
    .header('Cache-Control', 'no-store')
    .type('text/html; charset=utf-8')
    .view('oauth/cross-origin-verify', {
      action: `${deps.issuer}co/verify`,
      state: page.state,
      frameOriginJson: scriptJson(page.frameOrigin),
      coIdJson: scriptJson(page.coId),
      frameUrlJson: scriptJson(page.frameUrl),
      timeoutMs: VERIFICATION_TIMEOUT_MS,
      nonce: securePage(reply, 'co-verify', page.frameOrigin),
    });
}
