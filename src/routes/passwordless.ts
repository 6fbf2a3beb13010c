import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { OAuthError } from '../errors.js';
import { startPasswordless } from '../login/passwordless-start.js';
import { parseAuthorizeRequest } from '../oauth/authorize-request.js';
import { OTP_ERRORS } from '../oauth/grants/passwordless-otp.js';
import { normalizeIdentifier } from '../otp/identifiers.js';
import { enabledConnections } from '../tenant/connection-rules.js';
import { sendAuthorizationResult } from '../http/authorization-reply.js';
import { DEVICE_COOKIE, SESSION_COOKIE } from '../http/cookies.js';

/** POST /passwordless/start (API, with CORS from the enclosing scope). */
export async function passwordlessStartRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.post('/passwordless/start', async (request, reply) => {
    const body = request.body !== null && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
    return reply.header('Cache-Control', 'no-store').send(await startPasswordless(deps, body, request.headers.authorization));
  });
}

/**
 * GET /passwordless/verify_redirect: the magic link. It carries the client's authParams, so it is
 * checked like /authorize (client and redirect_uri first, errors rendered until both are trusted),
 * then the code is verified once and the browser gets an SSO session and the client's response.
 */
export async function magicLinkRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { tenant, otp, users, sessions, authorization, cookies, random } = deps;

  app.get('/passwordless/verify_redirect', { config: { page: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const authorizeRequest = parseAuthorizeRequest({ response_type: 'code', ...query }, tenant);
    const redirect = { redirectUri: authorizeRequest.redirectUri, responseMode: authorizeRequest.responseMode, state: authorizeRequest.state };
    const refuse = (description: string): OAuthError => new OAuthError('access_denied', description, { redirect });

    const connection = enabledConnections(tenant, authorizeRequest.client).find((c) => c.name === query.connection && c.kind === 'passwordless');
    if (!connection) throw refuse('the connection was not found');
    const strategy = connection.strategy === 'sms' ? 'sms' : 'email';
    const wrong = strategy === 'sms' ? OTP_ERRORS.wrongPhone : OTP_ERRORS.wrongEmail;
    const raw = strategy === 'sms' ? query.phone_number : query.email;
    const recipient = typeof raw === 'string' ? normalizeIdentifier(strategy, raw) : '';
    const code = typeof query.verification_code === 'string' ? query.verification_code : '';
    if (!recipient || !code) throw refuse(wrong);

    const result = await otp.verify({ connection: connection.name, recipient, code });
    if (!result.ok) throw refuse(result.reason === 'expired' ? OTP_ERRORS.expired : result.reason === 'too_many_attempts' ? OTP_ERRORS.tooManyAttempts : wrong);
    const user = await users.passwordlessUser(connection, recipient);
    if (!user) throw refuse('Signups are disabled for this connection.');
    if (user.blocked) throw new OAuthError('unauthorized', 'user is blocked', { redirect });
    await users.recordLogin(user.user_id);

    const deviceId = cookies.read(request, DEVICE_COOKIE) ?? random.token(18);
    const session = await sessions.start({ userId: user.user_id, deviceId, authTime: Math.floor(deps.clock.now() / 1000), clientId: authorizeRequest.client.clientId });
    cookies.write(reply, DEVICE_COOKIE, deviceId, 365 * 86400);
    cookies.write(reply, SESSION_COOKIE, session.id, Math.floor((session.expiresAt - deps.clock.now()) / 1000));
    return sendAuthorizationResult(reply, await authorization.complete(authorizeRequest, user, session));
  });
}
