import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import { accessDenied, invalidRequest, unauthorized, type ErrorRedirect } from '../errors.js';
import type { AuthorizationRequestRecord, LoginTicket, User } from '../store/records.js';
import type { LoginTicketStore, UserStore } from '../store/types.js';
import { findClient, type Tenant } from '../tenant/model.js';
import { requestRecord, type AuthorizeRequest } from '../oauth/authorize-request.js';
import type { RequestFacts } from '../actions/action-events.js';
import { hashVerifier, LOGIN_TICKET_TTL_MS } from './cross-origin.js';
import type { SessionService } from '../login/sessions.js';
import type { AuthorizationAnswer, AuthorizationService, ResumingBrowser } from '../login/authorization-service.js';

/**
 * The second half of embedded login: /authorize?login_ticket=… (auth0.js authorize() after
 * /co/authenticate) and, when the browser did not keep the session cookie /co/authenticate set, the
 * cross-origin verification step. As the cross-origin authentication draft (§5.2) has it, a ticket
 * bound to the browser's session is answered at once; otherwise the verification page loads the
 * client's `cross_origin_loc` (a page running auth0.js's crossOriginVerification()) in a hidden iframe,
 * asks it for the verifier of `co_id` (`co_verifier_request` → `co_verifier_response`), and posts it
 * with the page's `state` to /co/verify, which checks it against the ticket before answering. Both end
 * in the authorization responder, which runs the post-login seam; each ticket is used once.
 */
export interface VerificationPage {
  /** The client's cross_origin_loc, with `#origin=` (auth0.js's crossOriginVerification reads it) set to Understudy's origin. */
  frameUrl: string;
  /** The only origin the page talks to and accepts messages from. */
  frameOrigin: string;
  coId: string;
  /** Names the waiting login at /co/verify. */
  state: string;
}

export type Redemption = { kind: 'respond'; result: AuthorizationAnswer } | { kind: 'verify'; page: VerificationPage };

export interface LoginTicketService {
  redeem(request: AuthorizeRequest, ticketId: string, browser: ResumingBrowser & { deviceId: string; sessionId: string | undefined }, http?: RequestFacts): Promise<Redemption>;
  /** POST /co/verify: the answer (or the second factor's screen), and the session whose cookie the browser gets now. */
  verify(form: { state?: unknown; verifier?: unknown }, browser: ResumingBrowser, http?: RequestFacts): Promise<{ result: AuthorizationAnswer; session: { id: string; expiresAt: number } }>;
}

const redirectOf = (request: AuthorizationRequestRecord): ErrorRedirect => ({ redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.clientState });

function sameVerifier(verifier: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashVerifier(verifier));
  const expected = Buffer.from(expectedHash);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function createLoginTicketService(deps: {
  tenant: Tenant;
  store: LoginTicketStore & UserStore;
  clock: Clock;
  random: Random;
  sessions: SessionService;
  authorization: AuthorizationService;
  issuer: string;
}): LoginTicketService {
  const { tenant, store, clock, random, sessions, authorization } = deps;
  const issuerOrigin = new URL(deps.issuer).origin;

  /** The ticket's user, refused as the screens refuse a login when they are gone or blocked. */
  async function userOf(ticket: LoginTicket, redirect: ErrorRedirect): Promise<User> {
    const user = await store.getUser(ticket.userId);
    if (!user) throw accessDenied('The user no longer exists.', { redirect });
    if (user.blocked) throw unauthorized.userBlocked({ redirect });
    return user;
  }

  return {
    async redeem(request, ticketId, browser, http) {
      const redirect = redirectOf(requestRecord(request));
      const ticket = await store.consumeLoginTicket(ticketId);
      // A waiting record names a verification in progress, never a ticket to redeem.
      if (!ticket || ticket.awaiting || ticket.clientId !== request.client.clientId) {
        throw accessDenied('The login ticket is invalid, was used already or has expired.', { redirect });
      }
      const user = await userOf(ticket, redirect);
      const session = await sessions.current(browser.sessionId);
      if (session && session.id === ticket.sessionId) {
        await sessions.touch(session, request.client.clientId);
        return { kind: 'respond', result: await authorization.answer(requestRecord(request), user, { id: session.id, authTime: ticket.authTime, mfaAt: session.mfaAt }, browser, { http }) };
      }

      const frameUrl = request.client.crossOriginLoc;
      const frameOrigin = frameUrl ? new URL(frameUrl).origin : undefined;
      if (!frameUrl || !frameOrigin) {
        throw accessDenied(
          'This browser did not keep the session cookie of /co/authenticate, and the application has no cross-origin verification page (cross_origin_loc) to confirm the login with.',
          { redirect },
        );
      }
      const waiting: LoginTicket = {
        ...ticket,
        id: random.token(24),
        awaiting: { deviceId: browser.deviceId, request: requestRecord(request) },
        expiresAt: clock.now() + LOGIN_TICKET_TTL_MS,
      };
      await store.saveLoginTicket(waiting);
      const frame = new URL(frameUrl);
      frame.hash = `origin=${encodeURIComponent(issuerOrigin)}`;
      return { kind: 'verify', page: { frameUrl: frame.toString(), frameOrigin, coId: ticket.coId, state: waiting.id } };
    },

    async verify(form, browser, http) {
      const { deviceId } = browser;
      const waiting = typeof form.state === 'string' && form.state ? await store.consumeLoginTicket(form.state) : undefined;
      if (!waiting?.awaiting) {
        throw invalidRequest('This login has expired or was finished already. Go back to the application and sign in again.');
      }
      const { request } = waiting.awaiting;
      const redirect = redirectOf(request);
      if (!findClient(tenant, request.clientId)) throw invalidRequest.unknownClient(request.clientId);
      if (!deviceId || deviceId !== waiting.awaiting.deviceId) throw accessDenied('The cross-origin verification came from another browser.', { redirect });
      if (typeof form.verifier !== 'string' || !form.verifier || !sameVerifier(form.verifier, waiting.verifierHash)) {
        throw accessDenied('Cross-origin verification failed: the verification page gave no verifier, or not the one of this login.', { redirect });
      }
      const user = await userOf(waiting, redirect);
      const session = await sessions.current(waiting.sessionId);
      if (!session || session.userId !== user.user_id) throw accessDenied('The session of this login has ended. Sign in again.', { redirect });
      await sessions.touch(session, request.clientId);
      const result = await authorization.answer(request, user, { id: session.id, authTime: waiting.authTime, mfaAt: session.mfaAt }, { ...browser, deviceId }, { http });
      return { result, session };
    },
  };
}
