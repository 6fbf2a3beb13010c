import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import type { Transaction } from '../store/types.js';
import { findClient, findConnection } from '../tenant/model.js';
import { planLogin } from '../tenant/connection-rules.js';
import { challengePath, SCREEN_TEXT, type ScreenOutcome } from '../login/login-service.js';
import { OAuthError } from '../errors.js';
import { ipKey, recipientKey } from '../http/rate-limits.js';
import { renderScreen, type ScreenName } from '../http/screens.js';
import { DEVICE_COOKIE, SESSION_COOKIE } from '../http/cookies.js';

/**
 * The Identifier First screens under /u/login/*, with Auth0's paths and form fields: `username` on
 * login-id, `code` on the challenges, `action=default|resend`. The `state` on these URLs is the
 * login transaction, bound to the browser's `did` cookie.
 */
type Form = Record<string, string | undefined>;

export async function loginScreenRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { tenant, cookies, authorization, login } = deps;
  const page = { config: { page: true } };

  const stateOf = (request: FastifyRequest): string | undefined => {
    const fromQuery = (request.query as Form).state;
    const fromBody = (request.body as Form | undefined)?.state;
    return typeof fromQuery === 'string' ? fromQuery : typeof fromBody === 'string' ? fromBody : undefined;
  };
  const loadTransaction = (request: FastifyRequest): Promise<Transaction> =>
    authorization.transaction(stateOf(request), cookies.read(request, DEVICE_COOKIE));
  const formOf = (request: FastifyRequest): Form => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
  };
  const enc = encodeURIComponent;

  function common(txn: Transaction, path: string): Record<string, unknown> {
    return {
      appName: findClient(tenant, txn.clientId)?.name,
      state: txn.id,
      action: `${path}?state=${enc(txn.id)}`,
      editHref: `/u/login/identifier?state=${enc(txn.id)}`,
    };
  }

  async function follow(reply: FastifyReply, outcome: ScreenOutcome, rerender: (extra: Record<string, unknown>, status: number) => unknown): Promise<unknown> {
    if (outcome.kind === 'redirect') {
      if (outcome.session) {
        const maxAge = Math.max(1, Math.floor((outcome.session.expiresAt - deps.clock.now()) / 1000));
        cookies.write(reply, SESSION_COOKIE, outcome.session.id, maxAge);
      }
      return reply.redirect(outcome.location, 302);
    }
    if (outcome.kind === 'notice') return rerender({ notice: outcome.notice }, 200);
    return rerender({ error: outcome.error }, outcome.status);
  }

  /**
   * Code-sending steps count against the `login_identifier` limit, per IP and per recipient. Over it,
   * the screen is shown again with an alert (429, X-RateLimit-* headers) instead of sending a code.
   */
  async function limited(request: FastifyRequest, reply: FastifyReply, recipient: string | undefined): Promise<ScreenOutcome | undefined> {
    try {
      await deps.limits.enforce(request, reply, 'loginIdentifier', [ipKey(request), recipientKey(recipient)]);
      return undefined;
    } catch (err) {
      if (!(err instanceof OAuthError) || err.error !== 'too_many_requests') throw err;
      reply.headers(err.headers);
      return { kind: 'retry', error: SCREEN_TEXT.tooManyRequests, status: 429 };
    }
  }

  // A finished step never runs twice: a repeated POST (double click, back button) goes on to resume,
  // which issues the response only once.
  const alreadyDone = (reply: FastifyReply, txn: Transaction): FastifyReply | undefined =>
    txn.authenticated ? reply.redirect(`/authorize/resume?state=${enc(txn.id)}`, 302) : undefined;

  // --- login-id -------------------------------------------------------------------------------
  function renderIdentifier(reply: FastifyReply, txn: Transaction, extra: Record<string, unknown>, status = 200): unknown {
    const client = findClient(tenant, txn.clientId);
    const connection = findConnection(tenant, txn.connection);
    let socials: { name: string; displayName: string; strategy: string }[] = [];
    if (client) {
      const plan = planLogin(tenant, client, undefined);
      if (plan.kind === 'social-only' || ('connection' in plan && plan.connection.name === txn.connection && 'socials' in plan)) {
        socials = plan.socials.map((s) => ({ name: s.name, displayName: s.displayName, strategy: s.strategy }));
      }
    }
    const identifierKind = !connection || connection.kind === 'social' ? null : connection.strategy === 'sms' ? 'phone' : 'email';
    return renderScreen(reply, tenant, 'login-id', {
      ...common(txn, '/u/login/identifier'),
      identifierKind,
      socials,
      username: txn.identifier ?? txn.loginHint ?? '',
      ...extra,
    }, status);
  }

  app.get('/u/login/identifier', page, async (request, reply) => renderIdentifier(reply, await loadTransaction(request), {}));

  app.post('/u/login/identifier', page, async (request, reply) => {
    const txn = await loadTransaction(request);
    const done = alreadyDone(reply, txn);
    if (done) return done;
    const form = formOf(request);
    // A social button sends no code; an identifier does (or starts a password login), so it counts.
    const tooMany = form.connection ? undefined : await limited(request, reply, form.username);
    const outcome = tooMany ?? (await login.submitIdentifier(txn, { username: form.username, connection: form.connection }));
    return follow(reply, outcome, (extra, status) => renderIdentifier(reply, { ...txn, identifier: form.username?.trim() }, extra, status));
  });

  // --- passwordless challenges ----------------------------------------------------------------
  for (const [strategy, path, screen] of [
    ['email', '/u/login/passwordless-email-challenge', 'login-passwordless-email-code'],
    ['sms', '/u/login/passwordless-sms-challenge', 'login-passwordless-sms-otp'],
  ] as const) {
    const renderChallenge = (reply: FastifyReply, txn: Transaction, extra: Record<string, unknown>, status = 200): unknown => {
      const connection = findConnection(tenant, txn.connection);
      return renderScreen(reply, tenant, screen as ScreenName, {
        ...common(txn, path),
        identifier: txn.identifier,
        codeLength: connection?.otp.length ?? 6,
        mailboxHref: deps.devRoutes ? `/_dev/mailbox?to=${enc(txn.identifier ?? '')}` : undefined,
        ...extra,
      }, status);
    };
    // The challenge belongs to the connection the identifier was sent on; anything else goes back to login-id.
    const wrongScreen = (reply: FastifyReply, txn: Transaction): FastifyReply | undefined => {
      const connection = findConnection(tenant, txn.connection);
      if (!txn.identifier || connection?.strategy !== strategy) {
        return reply.redirect(connection && txn.identifier && connection.kind === 'passwordless' ? challengePath(connection, txn.id) : `/u/login/identifier?state=${enc(txn.id)}`, 302);
      }
      return undefined;
    };

    app.get(path, page, async (request, reply) => {
      const txn = await loadTransaction(request);
      return alreadyDone(reply, txn) ?? wrongScreen(reply, txn) ?? renderChallenge(reply, txn, {});
    });

    app.post(path, page, async (request, reply) => {
      const txn = await loadTransaction(request);
      const stop = alreadyDone(reply, txn) ?? wrongScreen(reply, txn);
      if (stop) return stop;
      const form = formOf(request);
      const outcome =
        form.action === 'resend' ? ((await limited(request, reply, txn.identifier)) ?? (await login.resendCode(txn))) : await login.submitCode(txn, form.code ?? '');
      return follow(reply, outcome, (extra, status) => renderChallenge(reply, txn, extra, status));
    });
  }

  // --- database password ----------------------------------------------------------------------
  const renderPassword = (reply: FastifyReply, txn: Transaction, extra: Record<string, unknown>, status = 200): unknown =>
    renderScreen(reply, tenant, 'login-password', { ...common(txn, '/u/login/password'), identifier: txn.identifier, ...extra }, status);

  app.get('/u/login/password', page, async (request, reply) => {
    const txn = await loadTransaction(request);
    if (!txn.identifier) return reply.redirect(`/u/login/identifier?state=${enc(txn.id)}`, 302);
    return alreadyDone(reply, txn) ?? renderPassword(reply, txn, {});
  });

  app.post('/u/login/password', page, async (request, reply) => {
    const txn = await loadTransaction(request);
    const done = alreadyDone(reply, txn);
    if (done) return done;
    const outcome = await login.submitPassword(txn, formOf(request).password ?? '');
    return follow(reply, outcome, (extra, status) => renderPassword(reply, txn, extra, status));
  });

  // --- mock social provider -------------------------------------------------------------------
  const renderSocial = (reply: FastifyReply, txn: Transaction, connectionName: string, extra: Record<string, unknown>, status = 200): unknown => {
    const connection = findConnection(tenant, connectionName);
    return renderScreen(reply, tenant, 'social-consent', {
      ...common(txn, '/u/login/social'),
      connection: connectionName,
      providerName: connection?.displayName ?? connectionName,
      email: txn.loginHint ?? `jane.doe@${(connection?.strategy ?? 'example').replace(/-oauth2$/, '')}.example`,
      name: 'Jane Doe',
      backHref: `/u/login/identifier?state=${enc(txn.id)}`,
      ...extra,
    }, status);
  };

  app.get('/u/login/social', page, async (request, reply) => {
    const txn = await loadTransaction(request);
    const { connection } = request.query as Form;
    return alreadyDone(reply, txn) ?? renderSocial(reply, txn, connection ?? '', {});
  });

  app.post('/u/login/social', page, async (request, reply) => {
    const txn = await loadTransaction(request);
    const done = alreadyDone(reply, txn);
    if (done) return done;
    const form = formOf(request);
    const connection = form.connection ?? (request.query as Form).connection ?? '';
    const outcome = await login.submitSocial(txn, connection, { email: form.email, name: form.name });
    return follow(reply, outcome, (extra, status) => renderSocial(reply, txn, connection, { email: form.email, name: form.name, ...extra }, status));
  });
}
