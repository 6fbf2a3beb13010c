import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import { invalidRequest } from '../errors.js';
import type { AuthorizationCodeStore } from '../store/types.js';
import type { Organization, Transaction, User } from '../store/records.js';
import type { OrganizationsService } from '../organizations/organizations-service.js';
import { findClient, type Tenant } from '../tenant/model.js';
import type { ResponseMode } from './authorize-request.js';
import type { TokenIssuer } from './tokens.js';
import { authorizeProtocol, NO_TOKEN_CHANGES, type FinishedLogin, type LoginFinisher } from './finish-login.js';
import type { Authentication } from './tokens.js';
import type { RequestFacts } from '../actions/action-events.js';

/**
 * What /authorize finally answers, independent of how it travels: the parameters for the client (a
 * code, tokens for the implicit and hybrid flows, or an error) and the response mode that carries
 * them (302 with query or fragment, an auto-posting form, or a postMessage page for auth0-spa-js's
 * iframe and popup). The login flow decides who the user is; this mints what the client gets.
 */
export interface AuthorizationResult {
  redirectUri: string;
  responseMode: ResponseMode;
  params: Record<string, string>;
}

export const AUTHORIZATION_CODE_TTL_MS = 5 * 60_000;

/** The parts of an authorization request the response depends on (a transaction keeps them all). */
export type ResponseRequest = Pick<
  Transaction,
  'clientId' | 'redirectUri' | 'responseType' | 'responseMode' | 'scope' | 'audience' | 'clientState' | 'nonce' | 'codeChallenge' | 'codeChallengeMethod' | 'maxAge'
> &
  Partial<Pick<Transaction, 'prompt' | 'uiLocales' | 'loginHint' | 'id' | 'acrValues' | 'organization' | 'invitation'>>;

export interface RespondOptions {
  /** False for a code that may not get a refresh token (magic links). */
  refreshTokenAllowed?: boolean;
  /** The HTTP request that ends the login, for the Actions' event.request. */
  http?: RequestFacts | undefined;
  /** The login already finished (its post-login Actions ran before a second factor): they do not run again. */
  finished?: FinishedLogin | undefined;
  /** How the user authenticated, for the ID token: amr ["mfa"] (and acr) after a second factor on this login. */
  authentication?: Authentication | undefined;
}

/** The session a login goes through: its id, when the user proved who they are, and when a second factor passed. */
export interface LoginSession {
  id: string;
  authTime: number;
  mfaAt?: number | undefined;
}

export interface AuthorizationResponder {
  /** Runs the login's end (oauth/finish-login.ts: the post-login Actions) without minting anything. */
  finish(request: ResponseRequest, user: User, session: LoginSession, options?: Pick<RespondOptions, 'http'>): Promise<FinishedLogin>;
  /** The client's response parameters for an authenticated user; `refreshTokenAllowed: false` for a code that may not get one. */
  respond(request: ResponseRequest, user: User, session: LoginSession, options?: RespondOptions): Promise<AuthorizationResult>;
}

export function createAuthorizationResponder(deps: {
  tenant: Tenant;
  store: AuthorizationCodeStore;
  clock: Clock;
  random: Random;
  tokens: TokenIssuer;
  finishLogin: LoginFinisher;
  organizations: Pick<OrganizationsService, 'admit'>;
}): AuthorizationResponder {
  const { tenant, store, clock, random, tokens, finishLogin, organizations } = deps;
  const finish = async (request: ResponseRequest, user: User, session: LoginSession, options: Pick<RespondOptions, 'http'> = {}): Promise<FinishedLogin> => {
    const client = findClient(tenant, request.clientId);
    if (!client) throw invalidRequest.unknownClient(request.clientId);
    const prompts = (request.prompt ?? '').split(' ').filter(Boolean);
    // An organization's login admits its members (or makes one), before the post-login Actions.
    let organization: Organization | undefined;
    if (request.organization) {
      // An invitation makes the invitee a member (with its roles), once.
      const admitted = await organizations.admit(request.organization.id, user, request.invitation);
      if (!admitted.ok) return { ok: false, error: 'access_denied', description: admitted.description };
      organization = admitted.organization;
    }
    return finishLogin({
      ...(organization ? { organization } : {}),
      client,
      user,
      scope: request.scope,
      audience: request.audience,
      sessionId: session.id,
      authTime: session.authTime,
      ...(session.mfaAt !== undefined ? { mfaAt: session.mfaAt } : {}),
      transaction: {
        ...(request.id ? { id: request.id } : {}),
        protocol: authorizeProtocol(request.responseType),
        requestedScopes: request.scope.split(' ').filter(Boolean),
        redirectUri: request.redirectUri,
        responseMode: request.responseMode,
        responseType: request.responseType.split(' '),
        ...(request.clientState !== undefined ? { state: request.clientState } : {}),
        prompt: prompts,
        uiLocales: (request.uiLocales ?? '').split(' ').filter(Boolean),
        ...(request.loginHint ? { loginHint: request.loginHint } : {}),
        ...(request.acrValues ? { acrValues: request.acrValues.split(' ').filter(Boolean) } : {}),
      },
      request: options.http,
      interactive: !prompts.includes('none'),
    });
  };

  return {
    finish,
    async respond(request, authenticated, session, options = {}) {
      const client = findClient(tenant, request.clientId);
      if (!client) throw invalidRequest.unknownClient(request.clientId);
      const types = new Set(request.responseType.split(' '));
      const finished = options.finished ?? (await finish(request, authenticated, session, options));
      // A refusal by the tenant's Actions goes back to the application, in its response mode.
      if (!finished.ok) return errorResult({ redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.clientState }, finished.error, finished.description);
      const { user, changes } = finished;
      const scope = tokens.grantedScope(request.scope, request.audience);
      const grant = {
        client,
        user,
        scope,
        audience: request.audience,
        sessionId: session.id,
        changes,
        ...(options.authentication ? { authentication: options.authentication } : {}),
        ...(request.organization ? { organization: request.organization } : {}),
      };
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
          ...(changes !== NO_TOKEN_CHANGES ? { tokenChanges: changes } : {}),
          ...(options.authentication ? { authentication: options.authentication } : {}),
          ...(session.mfaAt !== undefined ? { mfaAt: session.mfaAt } : {}),
          ...(request.organization ? { organization: request.organization } : {}),
        });
        params.code = code;
      }
      if (types.has('token')) {
        const issued = await tokens.accessToken(grant);
        accessToken = issued.accessToken;
        Object.assign(params, { access_token: issued.accessToken, token_type: 'Bearer', expires_in: String(issued.expiresIn), scope: issued.scope });
      }
      if (types.has('id_token')) {
        // Hybrid and implicit ID tokens carry at_hash and c_hash for what travels beside them.
        params.id_token = await tokens.idToken(grant, {
          nonce: request.nonce,
          authTime: request.maxAge !== undefined ? session.authTime : undefined,
          ...(accessToken ? { accessToken } : {}),
          ...(code ? { code } : {}),
        });
      }
      if (request.clientState !== undefined) params.state = request.clientState;
      return { redirectUri: request.redirectUri, responseMode: request.responseMode, params };
    },
  };
}

export function errorResult(
  target: { redirectUri: string; responseMode: ResponseMode; state?: string | undefined },
  error: string,
  description: string,
): AuthorizationResult {
  const params: Record<string, string> = { error, error_description: description };
  if (target.state !== undefined) params.state = target.state;
  return { redirectUri: target.redirectUri, responseMode: target.responseMode, params };
}

/** Appends to the query (keeping what the registered callback already has) or replaces the fragment. */
export function redirectLocation(result: AuthorizationResult): string {
  const url = new URL(result.redirectUri);
  if (result.responseMode === 'fragment') {
    url.hash = new URLSearchParams(result.params).toString();
  } else {
    for (const [key, value] of Object.entries(result.params)) url.searchParams.append(key, value);
  }
  return url.toString();
}
