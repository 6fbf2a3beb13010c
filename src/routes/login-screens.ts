import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import type { Transaction } from '../store/types.js';
import { findClient, findConnection } from '../tenant/model.js';
import { planLogin } from '../tenant/connection-rules.js';
import { challengePath, PASSKEY_CHALLENGE_PATH, PASSKEY_ENROLLMENT_PATH, SCREEN_TEXT, type ScreenOutcome } from '../login/login-service.js';
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
  const { tenant, cookies, authorization, login, passkeys } = deps;
  const { identifierFirst, webauthnPlatformFirstFactor: biometrics } = tenant.prompts;
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
      uiLocales: txn.uiLocales,
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

  // The Identifier + Password profile has one login page (/u/login); Identifier First has the steps.
  const profileRedirect = (reply: FastifyReply, txn: Transaction): FastifyReply | undefined =>
    identifierFirst ? undefined : reply.redirect(`/u/login?state=${enc(txn.id)}`, 302);

  // --- login-id -------------------------------------------------------------------------------
  async function renderIdentifier(reply: FastifyReply, txn: Transaction, extra: Record<string, unknown>, status = 200): Promise<unknown> {
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
    // Identifier First + Biometrics: "Continue with a passkey" (a discoverable credential) on the database login.
    const webauthnOptions = biometrics && connection?.kind === 'database' ? JSON.stringify(await passkeys.authenticationOptions(txn)) : undefined;
    return renderScreen(reply, tenant, 'login-id', {
      ...common(txn, '/u/login/identifier'),
      identifierKind,
      socials,
      webauthnOptions,
      username: txn.identifier ?? txn.loginHint ?? '',
      ...extra,
    }, status);
  }

  app.get('/u/login/identifier', page, async (request, reply) => {
    const txn = await loadTransaction(request);
    return profileRedirect(reply, txn) ?? renderIdentifier(reply, txn, {});
  });

  app.post('/u/login/identifier', page, async (request, reply) => {
    const txn = await loadTransaction(request);
    const done = alreadyDone(reply, txn) ?? profileRedirect(reply, txn);
    if (done) return done;
    const form = formOf(request);
    // ACUL's passkeyLogin posts the assertion as `passkey` on login-id.
    if (form.passkey !== undefined) {
      const outcome = await login.submitPasskey(txn, form.passkey, false);
      return follow(reply, outcome, (extra, status) => renderIdentifier(reply, txn, extra, status));
    }
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
    const stop = profileRedirect(reply, txn);
    if (stop) return stop;
    if (!txn.identifier) return reply.redirect(`/u/login/identifier?state=${enc(txn.id)}`, 302);
    return alreadyDone(reply, txn) ?? renderPassword(reply, txn, {});
  });

  app.post('/u/login/password', page, async (request, reply) => {
    const txn = await loadTransaction(request);
    const done = alreadyDone(reply, txn) ?? profileRedirect(reply, txn);
    if (done) return done;
    const outcome = await login.submitPassword(txn, formOf(request).password ?? '', request.ip);
    return follow(reply, outcome, (extra, status) => renderPassword(reply, txn, extra, status));
  });

  // --- login (Identifier + Password profile) --------------------------------------------------
  function renderLogin(reply: FastifyReply, txn: Transaction, extra: Record<string, unknown>, status = 200): unknown {
    const client = findClient(tenant, txn.clientId);
    const connection = findConnection(tenant, txn.connection);
    const plan = client ? planLogin(tenant, client, undefined) : undefined;
    const socials = plan && 'socials' in plan && (plan.kind === 'social-only' || plan.connection.name === txn.connection) ? plan.socials : [];
    return renderScreen(reply, tenant, 'login', {
      ...common(txn, '/u/login'),
      database: connection?.kind === 'database',
      socials: socials.map((s) => ({ name: s.name, displayName: s.displayName, strategy: s.strategy })),
      username: txn.identifier ?? txn.loginHint ?? '',
      ...extra,
    }, status);
  }

  app.get('/u/login', page, async (request, reply) => {
    const txn = await loadTransaction(request);
    if (identifierFirst) return reply.redirect(`/u/login/identifier?state=${enc(txn.id)}`, 302);
    return alreadyDone(reply, txn) ?? renderLogin(reply, txn, {});
  });

  app.post('/u/login', page, async (request, reply) => {
    const txn = await loadTransaction(request);
    if (identifierFirst) return reply.redirect(`/u/login/identifier?state=${enc(txn.id)}`, 302);
    const done = alreadyDone(reply, txn);
    if (done) return done;
    const form = formOf(request);
    const tooMany = form.connection ? undefined : await limited(request, reply, form.username);
    const outcome =
      tooMany ??
      (form.connection
        ? await login.submitIdentifier(txn, { connection: form.connection })
        : await login.submitLogin(txn, { username: form.username, password: form.password }, request.ip));
    return follow(reply, outcome, (extra, status) => renderLogin(reply, { ...txn, identifier: form.username?.trim() }, extra, status));
  });

  // --- passkeys (Identifier First + Biometrics) -----------------------------------------------
  async function renderPasskeyChallenge(reply: FastifyReply, txn: Transaction, extra: Record<string, unknown>, status = 200): Promise<unknown> {
    const owner = txn.identifier ? await passkeys.userWithPasskey(txn.connection, txn.identifier) : undefined;
    if (!owner) return reply.redirect(`/u/login/password?state=${enc(txn.id)}`, 302);
    return renderScreen(reply, tenant, 'login-passkey', {
      ...common(txn, PASSKEY_CHALLENGE_PATH),
      identifier: txn.identifier,
      webauthnOptions: JSON.stringify(await passkeys.authenticationOptions(txn, owner.user_id)),
      passwordHref: `/u/login/password?state=${enc(txn.id)}`,
      ...extra,
    }, status);
  }
  const noPasskeys = (reply: FastifyReply, txn: Transaction): FastifyReply | undefined =>
    !biometrics ? reply.redirect(`/u/login/identifier?state=${enc(txn.id)}`, 302) : !txn.identifier ? reply.redirect(`/u/login/identifier?state=${enc(txn.id)}`, 302) : undefined;

  app.get(PASSKEY_CHALLENGE_PATH, page, async (request, reply) => {
    const txn = await loadTransaction(request);
    return alreadyDone(reply, txn) ?? noPasskeys(reply, txn) ?? renderPasskeyChallenge(reply, txn, {});
  });

  app.post(PASSKEY_CHALLENGE_PATH, page, async (request, reply) => {
    const txn = await loadTransaction(request);
    const stop = alreadyDone(reply, txn) ?? noPasskeys(reply, txn);
    if (stop) return stop;
    const outcome = await login.submitPasskey(txn, formOf(request).passkey, true);
    return follow(reply, outcome, (extra, status) => renderPasskeyChallenge(reply, txn, extra, status));
  });

  // passkey-enrollment comes after the password, so its transaction is already authenticated; it
  // ends (created or skipped) at /authorize/resume.
  async function renderEnrollment(reply: FastifyReply, txn: Transaction, extra: Record<string, unknown>, status = 200): Promise<unknown> {
    const user = txn.authenticated ? await passkeys.user(txn.authenticated.userId) : undefined;
    if (!user) return reply.redirect(`/authorize/resume?state=${enc(txn.id)}`, 302);
    return renderScreen(reply, tenant, 'passkey-enrollment', {
      ...common(txn, PASSKEY_ENROLLMENT_PATH),
      identifier: user.email ?? txn.identifier,
      webauthnOptions: JSON.stringify(await passkeys.registrationOptions(txn, user)),
      ...extra,
    }, status);
  }
  const notAuthenticated = (reply: FastifyReply, txn: Transaction): FastifyReply | undefined =>
    txn.authenticated && biometrics ? undefined : reply.redirect(txn.authenticated ? `/authorize/resume?state=${enc(txn.id)}` : `/u/login/identifier?state=${enc(txn.id)}`, 302);

  app.get(PASSKEY_ENROLLMENT_PATH, page, async (request, reply) => {
    const txn = await loadTransaction(request);
    return notAuthenticated(reply, txn) ?? renderEnrollment(reply, txn, {});
  });

  app.post(PASSKEY_ENROLLMENT_PATH, page, async (request, reply) => {
    const txn = await loadTransaction(request);
    const stop = notAuthenticated(reply, txn);
    if (stop) return stop;
    const form = formOf(request);
    const outcome = await login.enrolPasskey(txn, form.action === 'abort-passkey-enrollment' ? undefined : (form.passkey ?? ''));
    return follow(reply, outcome, (extra, status) => renderEnrollment(reply, txn, extra, status));
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
    // The mock provider creates a user for any address typed in: it counts like any other sign-up step.
    const tooMany = await limited(request, reply, form.email);
    const outcome = tooMany ?? (await login.submitSocial(txn, connection, { email: form.email, name: form.name }));
    return follow(reply, outcome, (extra, status) => renderSocial(reply, txn, connection, { email: form.email, name: form.name, ...extra }, status));
  });
}
