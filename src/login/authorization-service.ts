import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import { accessDenied, interactionRequired, invalidRequest, loginRequired, OAuthError, type ErrorRedirect } from '../errors.js';
import type { AuthorizationRequestRecord, OrganizationRef, Session, Transaction, TransactionMfa, User } from '../store/records.js';
import { INVITATION_GONE, type OrganizationsService } from '../organizations/organizations-service.js';
import type { OrganizationStore, TransactionStore, UserStore } from '../store/types.js';
import { findClient, findConnection, type Tenant } from '../tenant/model.js';
import { LoginProfileError, sessionServes, type LoginPlan } from '../tenant/connection-rules.js';
import { requestRecord, type AuthorizeRequest } from '../oauth/authorize-request.js';
import { errorResult, type AuthorizationResponder, type AuthorizationResult, type LoginSession, type RespondOptions } from '../oauth/authorization-response.js';
import type { SessionService } from './sessions.js';
import type { RequestFacts } from '../actions/action-events.js';
import { planTransaction, presentedConnection } from './login-plan.js';
import { screenUrl } from './screens.js';
import type { SecondFactorGate } from './second-factor.js';
import type { FinishedLogin } from '../oauth/finish-login.js';
import type { Authentication } from '../oauth/tokens.js';
import { MULTI_FACTOR_ACR } from '../mfa/mfa-demand.js';

/**
 * The life of one /authorize: answer at once from a live SSO session, or open a login transaction
 * for the Universal Login screens, and once the user is authenticated have the response (code,
 * tokens: oauth/authorization-response.ts) issued exactly once through the resume step.
 */
export const TRANSACTION_TTL_MS = 30 * 60_000;

export type BeginOutcome =
  | { kind: 'respond'; result: AuthorizationResult }
  | { kind: 'login'; transaction: Transaction; plan: LoginPlan; location: string }
  /** The session proved the user, but the login owes a second factor: its screen. */
  | { kind: 'second-factor'; location: string };

/** The answer to a login: the response for the application, or the second factor's screen it still owes. */
export type AuthorizationAnswer = AuthorizationResult | { location: string };

export interface AuthorizationService {
  /** `http` is what the tenant's Actions see of the request (event.request), when a session answers at once. */
  begin(request: AuthorizeRequest, browser: ResumingBrowser & { deviceId: string; sessionId: string | undefined }, http?: RequestFacts): Promise<BeginOutcome>;
  /** The transaction behind a screen, refused for another browser or once it is gone. */
  transaction(id: string | undefined, deviceId: string | undefined): Promise<Transaction>;
  /** Keeps the identifier the user entered (and the connection they switched to) on the transaction. */
  remember(transaction: Transaction, identifier: string, connection?: string): Promise<void>;
  /** The organization the user chose on the organizations prompt. */
  rememberOrganization(transaction: Transaction, organization: OrganizationRef): Promise<void>;
  /** Sign-up: the username typed on signup-id, kept for signup-password. */
  rememberSignupUsername(transaction: Transaction, username: string): Promise<void>;
  /** Keeps where the login's second factor stands (login/steps/mfa.ts). */
  updateMfa(transaction: Transaction, mfa: TransactionMfa): Promise<void>;
  /** Marks the transaction authenticated and opens the SSO session; the caller sets its cookie. */
  authenticate(transaction: Transaction, user: User): Promise<Session>;
  /**
   * The answer for a user proven without the screens (an SSO session, a magic link, an embedded
   * login's ticket): the post-login Actions run, then the response, or the second factor's screen
   * when the login owes one (never with prompt=none: login_required, as Auth0).
   */
  answer(request: AuthorizationRequestRecord, user: User, session: LoginSession, browser: ResumingBrowser & { deviceId: string }, options?: RespondOptions): Promise<AuthorizationAnswer>;
  /**
   * Issues the response for an authenticated transaction, once, or sends the browser to the second
   * factor the login still owes (`location`). `remembered` says whether the browser's remember-me
   * cookie counts for a user (login/second-factor.ts).
   */
  resume(id: string | undefined, browser: ResumingBrowser, http?: RequestFacts): Promise<AuthorizationAnswer>;
}

export interface ResumingBrowser {
  deviceId: string | undefined;
  remembered: (userId: string) => Promise<boolean>;
}

/** The ID token's amr and acr after a login that passed a second factor. */
function authenticationAfterMfa(txn: Transaction): Authentication {
  return { amr: ['mfa'], ...(txn.mfa?.acrRequested ? { acr: MULTI_FACTOR_ACR } : {}) };
}

export function createAuthorizationService(deps: {
  tenant: Tenant;
  store: TransactionStore & UserStore & Pick<OrganizationStore, 'listUserOrganizations' | 'getOrganization'>;
  clock: Clock;
  random: Random;
  responder: AuthorizationResponder;
  sessions: SessionService;
  secondFactor: SecondFactorGate;
  organizations: Pick<OrganizationsService, 'resolve' | 'openInvitation'>;
}): AuthorizationService {
  const { tenant, store, clock, random, responder, sessions, secondFactor, organizations } = deps;

  /** The organization /authorize names, by id (or name, where the tenant allows it): unknown ones go back to the client. */
  async function organizationOf(request: AuthorizeRequest, redirect: ErrorRedirect): Promise<OrganizationRef | undefined> {
    if (!request.organization) return undefined;
    const resolved = await organizations.resolve(request.organization);
    if (resolved.ok) return { id: resolved.organization.id, name: resolved.organization.name };
    throw invalidRequest(
      resolved.reason === 'name_not_allowed' ? 'authorization request parameter organization must be an organization id' : `parameter organization is invalid: ${request.organization}`,
      { redirect },
    );
  }
  const nowSeconds = (): number => Math.floor(clock.now() / 1000);

  async function loadTransaction(id: string | undefined, deviceId: string | undefined): Promise<Transaction> {
    const transaction = id ? await store.getTransaction(id) : undefined;
    if (!transaction || !deviceId || transaction.deviceId !== deviceId) {
      throw invalidRequest('This login session has expired or belongs to another browser. Go back to the application and sign in again.');
    }
    return transaction;
  }

  async function answer(record: AuthorizationRequestRecord, user: User, session: LoginSession, browser: ResumingBrowser & { deviceId: string }, options: RespondOptions = {}): Promise<AuthorizationAnswer> {
    const redirect = { redirectUri: record.redirectUri, responseMode: record.responseMode, state: record.clientState };
    const finished = await responder.finish(record, user, session, { http: options.http });
    const facts = { mfaAt: session.mfaAt, remembered: await browser.remembered(user.user_id) };
    if (!finished.ok || !secondFactor.owed(record.acrValues, finished, facts)) return responder.respond(record, user, session, { ...options, finished });
    if ((record.prompt ?? '').split(' ').includes('none')) throw loginRequired('Multifactor authentication required', { redirect });
    // The second factor's screens work on a login transaction: one already proven by the session.
    const now = clock.now();
    const proven: Transaction = {
      id: random.token(24),
      deviceId: browser.deviceId,
      ...record,
      connection: user.connection,
      identifier: undefined,
      authenticated: { userId: user.user_id, connection: user.connection, authTime: session.authTime, sessionId: session.id },
      // A magic link's code gets no refresh token, after its second factor too.
      ...(options.refreshTokenAllowed === false ? { refreshTokenAllowed: false as const } : {}),
      createdAt: now,
      expiresAt: now + TRANSACTION_TTL_MS,
    };
    await store.createTransaction(proven);
    const gate = await secondFactor.check(proven, user, finished, facts);
    if (gate.kind === 'ask') return { location: gate.location };
    await store.finishTransaction(proven.id);
    if (gate.kind === 'refuse') throw accessDenied(gate.description, { redirect });
    return responder.respond(record, user, session, { ...options, finished });
  }

  /** The user's organizations for the picker: none, exactly one (chosen without asking), or several (ask). */
  async function organizationForPicker(userId: string): Promise<{ kind: 'none' } | { kind: 'ask' } | { kind: 'one'; organization: OrganizationRef }> {
    const ids = await store.listUserOrganizations(userId);
    if (!ids.length) return { kind: 'none' };
    if (ids.length > 1) return { kind: 'ask' };
    const only = await store.getOrganization(ids[0]!);
    return only ? { kind: 'one', organization: { id: only.id, name: only.name } } : { kind: 'none' };
  }

  return {
    async begin(request, browser, http) {
      const redirect = { redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.state };
      let planned: ReturnType<typeof planTransaction>;
      try {
        planned = planTransaction(tenant, request.client, request.connection);
      } catch (err) {
        // A profile error is the tenant's setting, not the application's request: the page explains it.
        if (err instanceof OAuthError && !(err instanceof LoginProfileError)) err.redirect = redirect;
        throw err;
      }
      const { plan } = planned;
      const organization = await organizationOf(request, redirect);
      // An invitation link: its organization's, unspent and unexpired; the invitee's email is the login's hint.
      let invitee: string | undefined;
      if (request.invitation) {
        const invitation = organization ? await organizations.openInvitation(request.invitation, organization.id) : undefined;
        if (!invitation) throw invalidRequest(INVITATION_GONE, { redirect });
        invitee = invitation.invitee.email;
      }
      const record = {
        ...requestRecord(request),
        ...(organization ? { organization } : {}),
        ...(request.invitation ? { invitation: request.invitation } : {}),
        ...(invitee && !request.loginHint ? { loginHint: invitee } : {}),
      };

      const prompts = new Set((request.prompt ?? '').split(' '));
      const session = await sessions.current(browser.sessionId);
      // max_age=0 means "authenticate now" (OIDC Core §3.1.2.1), whatever the session's age.
      const tooOld = session !== undefined && request.maxAge !== undefined && (request.maxAge === 0 || nowSeconds() - session.authTime > request.maxAge);
      const now = clock.now();
      const transaction: Transaction = {
        id: random.token(24),
        deviceId: browser.deviceId,
        ...record,
        connection: presentedConnection(plan),
        identifier: undefined,
        authenticated: undefined,
        plan: planned.stored,
        createdAt: now,
        expiresAt: now + TRANSACTION_TTL_MS,
      };
      // A client that requires an organization and prompts for it: the prompt comes before any session's answer.
      const promptsForOrganization = !organization && request.client.organizationUsage === 'require' && request.client.organizationRequireBehavior !== 'no_prompt';
      const postLoginPrompt = promptsForOrganization && request.client.organizationRequireBehavior === 'post_login_prompt';
      if (session && !prompts.has('login') && !tooOld && (!promptsForOrganization || postLoginPrompt)) {
        const user = await store.getUser(session.userId);
        if (user && !user.blocked && sessionServes(tenant, request.client, request.connection, user.connection)) {
          await sessions.touch(session, request.client.clientId);
          if (postLoginPrompt && prompts.has('none')) {
            // No screen may be shown: a user in one organization is answered in it, the rest must choose (OIDC's interaction_required).
            const chosen = await organizationForPicker(user.user_id);
            if (chosen.kind !== 'one') throw interactionRequired('The user must choose an organization', { redirect });
            const answered = await answer({ ...record, organization: chosen.organization }, user, session, browser, { http });
            return 'location' in answered ? { kind: 'second-factor', location: answered.location } : { kind: 'respond', result: answered };
          }
          if (postLoginPrompt) {
            // The session proved the user: the login goes straight to resume, which asks which organization.
            const proven: Transaction = { ...transaction, connection: user.connection, authenticated: { userId: user.user_id, connection: user.connection, authTime: session.authTime, sessionId: session.id } };
            await store.createTransaction(proven);
            return { kind: 'login', transaction: proven, plan, location: screenUrl('resume', proven) };
          }
          const answered = await answer(record, user, session, browser, { http });
          return 'location' in answered ? { kind: 'second-factor', location: answered.location } : { kind: 'respond', result: answered };
        }
      }
      if (prompts.has('none')) throw loginRequired('Login required', { redirect });
      await store.createTransaction(transaction);
      if (promptsForOrganization && request.client.organizationRequireBehavior === 'pre_login_prompt') {
        return { kind: 'login', transaction, plan, location: screenUrl('organization-selection', transaction) };
      }
      // screen_hint=signup opens sign-up, where the login's database connection takes sign-ups.
      const presented = findConnection(tenant, transaction.connection);
      const signup = request.screenHint === 'signup' && presented?.kind === 'database' && !presented.disableSignup;
      const location =
        plan.kind === 'social'
          ? screenUrl('social', transaction, { connection: plan.connection.name })
          : screenUrl(signup ? (tenant.prompts.identifierFirst ? 'signup-id' : 'signup') : tenant.prompts.identifierFirst ? 'identifier' : 'login', transaction);
      return { kind: 'login', transaction, plan, location };
    },

    transaction: loadTransaction,

    async remember(transaction, identifier, connection) {
      await store.updateTransaction(transaction.id, connection ? { identifier, connection } : { identifier });
    },

    async rememberOrganization(transaction, organization) {
      await store.updateTransaction(transaction.id, { organization });
    },

    async rememberSignupUsername(transaction, username) {
      await store.updateTransaction(transaction.id, { signupUsername: username });
    },

    async updateMfa(transaction, mfa) {
      await store.updateTransaction(transaction.id, { mfa });
    },

    async authenticate(transaction, user) {
      const authTime = nowSeconds();
      const session = await sessions.start({ userId: user.user_id, deviceId: transaction.deviceId, authTime, clientId: transaction.clientId });
      await store.updateTransaction(transaction.id, {
        authenticated: { userId: user.user_id, connection: user.connection, authTime, sessionId: session.id },
      });
      return session;
    },

    answer,

    async resume(id, browser, http) {
      const transaction = await loadTransaction(id, browser.deviceId);
      const authenticated = transaction.authenticated;
      if (!authenticated) throw invalidRequest('This login has not been completed. Go back to the application and sign in again.');
      const user = await store.getUser(authenticated.userId);
      if (!user) throw accessDenied('The user no longer exists.');
      const session = { id: authenticated.sessionId, authTime: authenticated.authTime, mfaAt: (await sessions.current(authenticated.sessionId))?.mfaAt };
      // A login that owes its second factor gets no response until it is given (its screens set passedAt).
      if (transaction.mfa && transaction.mfa.passedAt === undefined) return { location: screenUrl('mfa-login-options', transaction) };
      if (transaction.mfa?.recoveryCode) return { location: screenUrl('mfa-recovery-code-enrollment', transaction) };
      // post_login_prompt: a client that requires an organization asks the user which one, now they are known.
      const client = findClient(tenant, transaction.clientId);
      if (!transaction.organization && client?.organizationUsage === 'require' && client.organizationRequireBehavior === 'post_login_prompt') {
        const chosen = await organizationForPicker(user.user_id);
        if (chosen.kind === 'ask') return { location: screenUrl('organization-picker', transaction) };
        if (chosen.kind === 'none') {
          await store.finishTransaction(transaction.id);
          return errorResult({ redirectUri: transaction.redirectUri, responseMode: transaction.responseMode, state: transaction.clientState }, 'invalid_request', 'client requires organization membership, but user does not belong to any organization');
        }
        transaction.organization = chosen.organization;
        await store.updateTransaction(transaction.id, { organization: chosen.organization });
      }
      // The post-login Actions ran before the second factor; their result waited on the transaction.
      const finished: FinishedLogin = transaction.mfa ? { ok: true, user, changes: transaction.mfa.changes } : await responder.finish(transaction, user, session, { http });
      let mfaNow = transaction.mfa !== undefined;
      if (finished.ok && !transaction.mfa) {
        const gate = await secondFactor.check(transaction, user, finished, { mfaAt: session.mfaAt, remembered: await browser.remembered(user.user_id) });
        if (gate.kind === 'ask') return { location: gate.location };
        if (gate.kind === 'refuse') {
          await store.finishTransaction(transaction.id);
          return errorResult({ redirectUri: transaction.redirectUri, responseMode: transaction.responseMode, state: transaction.clientState }, 'access_denied', gate.description);
        }
        mfaNow = false;
      }
      const finishedTransaction = await store.finishTransaction(transaction.id);
      if (!finishedTransaction?.authenticated) {
        throw invalidRequest('This login has not been completed. Go back to the application and sign in again.');
      }
      return responder.respond(finishedTransaction, finished.ok ? finished.user : user, session, {
        http,
        finished,
        ...(transaction.refreshTokenAllowed === false ? { refreshTokenAllowed: false } : {}),
        ...(mfaNow ? { authentication: authenticationAfterMfa(transaction) } : {}),
      });
    },
  };
}
