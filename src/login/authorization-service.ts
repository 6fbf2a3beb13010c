import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import { OAuthError } from '../errors.js';
import type { Session, Transaction, User } from '../store/records.js';
import type { AuthorizationCodeStore, TransactionStore, UserStore } from '../store/types.js';
import { findClient, type Tenant } from '../tenant/model.js';
import { LoginProfileError, planLogin, type LoginPlan } from '../tenant/connection-rules.js';
import type { AuthorizeRequest } from '../oauth/authorize-request.js';
import type { AuthorizationResult } from '../oauth/authorization-response.js';
import type { TokenIssuer } from '../oauth/tokens.js';
import type { SessionService } from './sessions.js';

/**
 * The life of one /authorize: answer at once from a live SSO session, or open a login transaction
 * for the Universal Login screens, and once the user is authenticated issue the response
 * (code, tokens) exactly once through /authorize/resume.
 */
export const TRANSACTION_TTL_MS = 30 * 60_000;
export const AUTHORIZATION_CODE_TTL_MS = 5 * 60_000;

export type BeginOutcome =
  | { kind: 'respond'; result: AuthorizationResult }
  | { kind: 'login'; transaction: Transaction; plan: LoginPlan; location: string };

export interface AuthorizationService {
  begin(request: AuthorizeRequest, browser: { deviceId: string; sessionId: string | undefined }): Promise<BeginOutcome>;
  /** The transaction behind a screen, refused for another browser or once it is gone. */
  transaction(id: string | undefined, deviceId: string | undefined): Promise<Transaction>;
  /** Keeps the identifier the user entered (and the connection they switched to) on the transaction. */
  remember(transaction: Transaction, identifier: string, connection?: string): Promise<void>;
  /** Marks the transaction authenticated and opens the SSO session; the caller sets its cookie. */
  authenticate(transaction: Transaction, user: User): Promise<Session>;
  /** The response for a request that authenticated without the screens (a magic link). */
  complete(request: AuthorizeRequest, user: User, session: Session): Promise<AuthorizationResult>;
  /** Issues the response for an authenticated transaction, once. */
  resume(id: string | undefined, deviceId: string | undefined): Promise<AuthorizationResult>;
}

export function createAuthorizationService(deps: {
  tenant: Tenant;
  store: TransactionStore & AuthorizationCodeStore & UserStore;
  clock: Clock;
  random: Random;
  tokens: TokenIssuer;
  sessions: SessionService;
}): AuthorizationService {
  const { tenant, store, clock, random, tokens, sessions } = deps;
  const nowSeconds = (): number => Math.floor(clock.now() / 1000);

  /** Builds the client's response parameters for an authenticated user. */
  async function respond(
    request: Pick<Transaction, 'clientId' | 'redirectUri' | 'responseType' | 'responseMode' | 'scope' | 'audience' | 'clientState' | 'nonce' | 'codeChallenge' | 'codeChallengeMethod' | 'maxAge'>,
    user: User,
    session: { id: string; authTime: number },
    options: { refreshTokenAllowed?: boolean } = {},
  ): Promise<AuthorizationResult> {
    const client = findClient(tenant, request.clientId);
    if (!client) throw new OAuthError('invalid_request', `Unknown client: ${request.clientId}`);
    const types = new Set(request.responseType.split(' '));
    const scope = tokens.grantedScope(request.scope, request.audience);
    const grant = { client, user, scope, audience: request.audience, sessionId: session.id };
    const params: Record<string, string> = {};
    let code: string | undefined;
    let accessToken: string | undefined;

    if (types.has('code')) {
      code = random.token(24);
      await store.saveAuthorizationCode({
        code,
        clientId: client.clientId,
        redirectUri: request.redirectUri,
        userId: user.user_id,
        scope,
        audience: request.audience,
        nonce: request.nonce,
        codeChallenge: request.codeChallenge,
        codeChallengeMethod: request.codeChallengeMethod,
        authTime: session.authTime,
        maxAgeRequested: request.maxAge !== undefined,
        sessionId: session.id,
        expiresAt: clock.now() + AUTHORIZATION_CODE_TTL_MS,
        ...(options.refreshTokenAllowed === false ? { refreshTokenAllowed: false } : {}),
      });
      params.code = code;
    }
    if (types.has('token')) {
      const issued = await tokens.accessToken(grant);
      accessToken = issued.accessToken;
      Object.assign(params, { access_token: issued.accessToken, token_type: 'Bearer', expires_in: String(issued.expiresIn), scope: issued.scope });
    }
    if (types.has('id_token')) {
      params.id_token = await tokens.idToken(grant, {
        nonce: request.nonce,
        authTime: request.maxAge !== undefined ? session.authTime : undefined,
        ...(accessToken ? { accessToken } : {}),
        ...(code ? { code } : {}),
      });
    }
    if (request.clientState !== undefined) params.state = request.clientState;
    return { redirectUri: request.redirectUri, responseMode: request.responseMode, params };
  }

  async function loadTransaction(id: string | undefined, deviceId: string | undefined): Promise<Transaction> {
    const transaction = id ? await store.getTransaction(id) : undefined;
    if (!transaction || !deviceId || transaction.deviceId !== deviceId) {
      throw new OAuthError(
        'invalid_request',
        'This login session has expired or belongs to another browser. Go back to the application and sign in again.',
      );
    }
    return transaction;
  }

  const snapshot = (request: AuthorizeRequest) => ({
    clientId: request.client.clientId,
    redirectUri: request.redirectUri,
    responseType: request.responseType,
    responseMode: request.responseMode,
    scope: request.scope,
    audience: request.audience,
    clientState: request.state,
    nonce: request.nonce,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    maxAge: request.maxAge,
  });

  return {
    async begin(request, browser) {
      const redirect = { redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.state };
      let plan: LoginPlan;
      try {
        plan = planLogin(tenant, request.client, request.connection);
      } catch (err) {
        // A profile error is the tenant's setting, not the application's request: the page explains it.
        if (err instanceof OAuthError && !(err instanceof LoginProfileError)) err.redirect = redirect;
        throw err;
      }

      const prompts = new Set((request.prompt ?? '').split(' '));
      const session = await sessions.current(browser.sessionId);
      // max_age=0 means "authenticate now" (OIDC Core §3.1.2.1), whatever the session's age.
      const tooOld = session !== undefined && request.maxAge !== undefined && (request.maxAge === 0 || nowSeconds() - session.authTime > request.maxAge);
      if (session && !prompts.has('login') && !tooOld) {
        const user = await store.getUser(session.userId);
        if (user && !user.blocked) {
          await sessions.touch(session, request.client.clientId);
          return { kind: 'respond', result: await respond(snapshot(request), user, session) };
        }
      }
      if (prompts.has('none')) throw new OAuthError('login_required', 'Login required', { redirect });

      const now = clock.now();
      const transaction: Transaction = {
        id: random.token(24),
        deviceId: browser.deviceId,
        ...snapshot(request),
        prompt: request.prompt,
        connection: plan.kind === 'social-only' ? '' : plan.connection.name,
        loginHint: request.loginHint,
        uiLocales: request.uiLocales,
        identifier: undefined,
        authenticated: undefined,
        createdAt: now,
        expiresAt: now + TRANSACTION_TTL_MS,
      };
      await store.createTransaction(transaction);
      const state = encodeURIComponent(transaction.id);
      const location =
        plan.kind === 'social'
          ? `/u/login/social?state=${state}&connection=${encodeURIComponent(plan.connection.name)}`
          : tenant.prompts.identifierFirst
            ? `/u/login/identifier?state=${state}`
            : `/u/login?state=${state}`;
      return { kind: 'login', transaction, plan, location };
    },

    transaction: loadTransaction,

    async remember(transaction, identifier, connection) {
      await store.updateTransaction(transaction.id, connection ? { identifier, connection } : { identifier });
    },

    async authenticate(transaction, user) {
      const authTime = nowSeconds();
      const session = await sessions.start({ userId: user.user_id, deviceId: transaction.deviceId, authTime, clientId: transaction.clientId });
      await store.updateTransaction(transaction.id, {
        authenticated: { userId: user.user_id, connection: user.connection, authTime, sessionId: session.id },
      });
      return session;
    },

    // Magic links only: Auth0 issues no refresh token for a login made by link.
    complete: (request, user, session) => respond(snapshot(request), user, session, { refreshTokenAllowed: false }),

    async resume(id, deviceId) {
      const transaction = await loadTransaction(id, deviceId);
      const finished = transaction.authenticated ? await store.finishTransaction(transaction.id) : undefined;
      if (!finished?.authenticated) {
        throw new OAuthError('invalid_request', 'This login has not been completed. Go back to the application and sign in again.');
      }
      const user = await store.getUser(finished.authenticated.userId);
      if (!user) throw new OAuthError('access_denied', 'The user no longer exists.');
      return respond(finished, user, { id: finished.authenticated.sessionId, authTime: finished.authenticated.authTime });
    },
  };
}
