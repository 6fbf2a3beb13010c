import type { Eta } from 'eta';
import type { Session, Transaction, User } from '../store/records.js';
import { findClient, findConnection, type Client, type Connection, type Tenant } from '../tenant/model.js';
import { normalizeEmail } from '../users/normalize.js';
import type { OtpService } from '../otp/otp-service.js';
import type { Outbox } from '../otp/outbox.js';
import type { UserService } from '../users/user-service.js';
import { channelOf, type ChannelName } from '../otp/channel.js';
import { sendCode, verifyCode, type CodeRefusal } from '../otp/passwordless-codes.js';
import { checkSignUp } from '../otp/registration.js';
import type { TriggerFlows } from '../actions/trigger-flows.js';
import type { RequestFacts } from '../actions/action-events.js';
import type { BruteForceGuard } from '../users/brute-force.js';
import type { AuthorizationService } from './authorization-service.js';
import type { PasskeyService } from './passkeys.js';
import { admitLogin } from '../users/login-admission.js';
import { homeRealm, offeredSocial } from './login-plan.js';
import { databaseIdentifier, shownIdentifier } from '../users/identifiers.js';
import type { Notice, Refusal } from './refusals.js';
import { CHALLENGE, nextStep, screenUrl, type Intent, type LoginProfile, type PageScreen, type Screen } from './screens.js';

/**
 * What each Universal Login screen does with what the user typed, without any HTTP. Every call is
 * one visit to one screen: the transaction is loaded and its screen's guard checked once, then the
 * step runs. The answer is a redirect, or the screen shown again with a refusal or a notice, which
 * the routes word (login/refusals.ts) and render.
 */
export interface LoginContext {
  txn: Transaction;
  client: Client | undefined;
  /** The connection the transaction presents. */
  connection: Connection | undefined;
  request?: RequestFacts | undefined;
}

/** A request to a screen: the login transaction (the URL's `state`) and the browser (the `did` cookie). */
export interface Visit {
  state: string | undefined;
  deviceId: string | undefined;
  /** What the tenant's Actions see of the request (event.request). */
  request?: RequestFacts | undefined;
}

/** Counts a code-sending (or user-creating) step against the rate limit, per address and recipient; false when over it. */
export type Admit = (recipient: string | undefined) => Promise<boolean>;

export type ScreenOutcome =
  | { kind: 'redirect'; location: string; session?: Session }
  /** The screen (again): `typed` are the form's fields as the user typed them, shown back. */
  | { kind: 'show'; ctx: LoginContext; refusal?: Refusal; notice?: Notice; typed?: Record<string, string | undefined>; message?: string };

type Form = Record<string, string | undefined>;

export interface LoginService {
  /** A GET of a screen: its context, or where its guard sends the browser instead. */
  show(screen: PageScreen, visit: Visit): Promise<ScreenOutcome>;
  /** login-id: an identifier, a social connection, or (ACUL's passkeyLogin) a `passkey` assertion. */
  identifier(visit: Visit, form: { username?: string | undefined; connection?: string | undefined; passkey?: string | undefined }, admit: Admit): Promise<ScreenOutcome>;
  /** A passwordless challenge: the code, or a request for a new one. */
  challenge(screen: (typeof CHALLENGE)[ChannelName], visit: Visit, form: { resend: boolean; code: string }, admit: Admit): Promise<ScreenOutcome>;
  /** `ip`: the caller's address, for brute-force protection (login/brute-force.ts). */
  password(visit: Visit, form: { password: string }, ip: string): Promise<ScreenOutcome>;
  /** Identifier + Password profile: the single-page `login` screen (or one of its social buttons). */
  login(visit: Visit, form: { username?: string | undefined; password?: string | undefined; connection?: string | undefined }, ip: string, admit: Admit): Promise<ScreenOutcome>;
  /** The passkey challenge after the identifier: an assertion from one of that user's passkeys. */
  passkey(visit: Visit, form: { passkey?: string | undefined }): Promise<ScreenOutcome>;
  /** passkey-enrollment: the new credential (JSON), or undefined to skip. */
  enrolPasskey(visit: Visit, form: { passkey: string | undefined }): Promise<ScreenOutcome>;
  /** The mock social provider: the profile typed in for the connection. */
  social(visit: Visit, form: { connection: string; email?: string | undefined; name?: string | undefined }, admit: Admit): Promise<ScreenOutcome>;
}

const NOT_SENT: Record<ChannelName, Refusal> = { email: 'email_not_sent', sms: 'sms_not_sent' };
const INVALID_IDENTIFIER: Record<ChannelName, Refusal> = { email: 'invalid_email', sms: 'invalid_phone' };
const CODE_REFUSAL: Record<CodeRefusal, Refusal> = {
  wrong_code: 'wrong_code',
  no_code: 'wrong_code',
  expired: 'expired',
  too_many_attempts: 'too_many_attempts',
  signup_disabled: 'signup_disabled',
  blocked: 'blocked',
};

export function createLoginService(deps: {
  tenant: Tenant;
  eta: Eta;
  otp: OtpService;
  outbox: Outbox;
  users: UserService;
  authorization: AuthorizationService;
  passkeys: PasskeyService;
  bruteForce: BruteForceGuard;
  flows: TriggerFlows;
}): LoginService {
  const { tenant, users, authorization, passkeys, bruteForce } = deps;
  const profile: LoginProfile = { identifierFirst: tenant.prompts.identifierFirst, biometrics: tenant.prompts.webauthnPlatformFirstFactor };
  const go = (location: string, session?: Session): ScreenOutcome => (session ? { kind: 'redirect', location, session } : { kind: 'redirect', location });
  const refuse = (ctx: LoginContext, refusal: Refusal): ScreenOutcome => ({ kind: 'show', ctx, refusal });
  /** Shown again, a screen keeps what was typed into its form. */
  const keepTyped = (typed: Form, outcome: ScreenOutcome): ScreenOutcome => (outcome.kind === 'show' ? { ...outcome, typed } : outcome);
  const typedUsername = (ctx: LoginContext, username: string | undefined): Form => ({ username: username?.trim() ?? ctx.txn.loginHint ?? '' });

  /** Loads the visit's transaction and runs the screen's guard: the context, or where the guard sends the browser. */
  async function enter(screen: Screen, visit: Visit, intent: Intent): Promise<LoginContext | ScreenOutcome> {
    const txn = await authorization.transaction(visit.state, visit.deviceId);
    const ctx: LoginContext = { txn, client: findClient(tenant, txn.clientId), connection: findConnection(tenant, txn.connection), request: visit.request };
    const next = nextStep(screen, { txn, intent, profile, connection: ctx.connection });
    return next ? go(screenUrl(next, txn)) : ctx;
  }
  const submit = async (screen: Screen, visit: Visit, step: (ctx: LoginContext) => Promise<ScreenOutcome>): Promise<ScreenOutcome> => {
    const entered = await enter(screen, visit, 'submit');
    return 'txn' in entered ? step(entered) : entered;
  };

  /** A proven user is logged in: the SSO session opens and the browser goes on to resume (or, offered a passkey, to passkey-enrollment). */
  async function signIn(ctx: LoginContext, user: User, offerPasskey = false): Promise<ScreenOutcome> {
    const session = await authorization.authenticate(ctx.txn, user);
    const enrol = offerPasskey && profile.biometrics && !(await passkeys.hasPasskey(user.user_id));
    return go(screenUrl(enrol ? 'passkey-enrollment' : 'resume', ctx.txn), session);
  }
  /** A user proven by a password, a passkey or a social provider: the login completes (login/complete-login.ts), then signs in. */
  async function finish(ctx: LoginContext, user: User, offerPasskey = false): Promise<ScreenOutcome> {
    const admitted = await admitLogin(deps, user);
    return admitted.ok ? signIn(ctx, admitted.user, offerPasskey) : refuse(ctx, admitted.reason);
  }

  async function sendChallenge(ctx: LoginContext, connection: Connection, recipient: string): Promise<Refusal | undefined> {
    const sent = await sendCode(deps, { client: ctx.client, connection, recipient });
    return sent.ok ? undefined : NOT_SENT[channelOf(connection).name];
  }

  /** A password check behind brute-force protection: blocked identifiers are refused before the password is looked at. */
  async function checkPassword(connection: Connection, email: string, password: string, ip: string): Promise<User | Refusal> {
    const guarded = connection.bruteForceProtection;
    if (guarded && bruteForce.isBlocked(connection.name, email, ip)) return 'identifier_blocked';
    const user = await users.checkPassword(connection, email, password);
    if (user) {
      if (guarded) bruteForce.recordSuccess(connection.name, email, ip);
      return user;
    }
    // The failure that reaches the threshold is still answered as a wrong password; the block shows from the next attempt on.
    if (guarded) bruteForce.recordFailure(connection.name, email, ip);
    return 'wrong_password';
  }

  /** A social button: on to the (mock) provider, when the client has that connection. */
  function toSocial(ctx: LoginContext, name: string): ScreenOutcome {
    const social = offeredSocial(tenant, ctx.txn, name);
    return social ? go(screenUrl('social', ctx.txn, { connection: social.name })) : refuse(ctx, 'unknown_connection');
  }

  async function passkeyLogin(ctx: LoginContext, field: string | undefined, forIdentifier: boolean): Promise<ScreenOutcome> {
    const { txn, connection } = ctx;
    if (!profile.biometrics || !connection || connection.kind !== 'database') return refuse(ctx, 'unknown_connection');
    let owner: User | undefined;
    if (forIdentifier) {
      owner = txn.identifier ? await passkeys.userWithPasskey(connection.name, txn.identifier) : undefined;
      if (!owner) return refuse(ctx, 'passkey_unknown');
    }
    const result = await passkeys.authenticate(txn, field, owner?.user_id);
    if (!result.ok) return refuse(ctx, result.reason);
    const user = owner ?? (await passkeys.user(result.userId));
    // A passkey of another connection's user (or of a deleted user) does not log in here.
    if (!user || user.connection !== connection.name) return refuse(ctx, 'passkey_unknown');
    if (!owner && user.email) await authorization.remember(txn, user.email);
    return finish(ctx, user);
  }

  async function identify(ctx: LoginContext, form: Form, admit: Admit): Promise<ScreenOutcome> {
    if (form.connection) return toSocial(ctx, form.connection);
    // An identifier sends a code (or starts a password login), so it counts; a social button does not.
    if (!(await admit(form.username))) return refuse(ctx, 'too_many_requests');
    const { txn, connection } = ctx;
    if (!connection) return refuse(ctx, 'unknown_connection');
    const input = form.username ?? '';
    const realm = homeRealm(tenant, ctx.client, normalizeEmail(input));
    if (realm) {
      await authorization.remember(txn, normalizeEmail(input));
      return go(screenUrl('social', txn, { connection: realm.name }));
    }

    if (connection.kind === 'database') {
      const identifier = databaseIdentifier(connection, input);
      if (!identifier) return refuse(ctx, connection.username.required ? 'invalid_identifier' : 'invalid_email');
      await authorization.remember(txn, shownIdentifier(identifier));
      const withPasskey = profile.biometrics && 'email' in identifier && (await passkeys.userWithPasskey(connection.name, identifier.email));
      return go(screenUrl(withPasskey ? 'passkey' : 'password', txn));
    }

    const channel = channelOf(connection);
    const recipient = channel.normalize(input, 'US');
    if (!recipient) return refuse(ctx, INVALID_IDENTIFIER[channel.name]);
    const existing = await users.findPasswordlessUser(connection, recipient);
    if (!existing && connection.disableSignup) return refuse(ctx, 'signup_disabled');
    if (existing?.blocked) return refuse(ctx, 'blocked');
    if (!existing) {
      const signUp = await checkSignUp(deps.flows, { connection, client: ctx.client, recipient, request: ctx.request });
      if (!signUp.ok) return { kind: 'show', ctx, refusal: 'signup_refused', ...(signUp.message ? { message: signUp.message } : {}) };
    }
    const notSent = await sendChallenge(ctx, connection, recipient);
    if (notSent) return refuse(ctx, notSent);
    await authorization.remember(txn, recipient);
    return go(screenUrl(CHALLENGE[channel.name], txn));
  }

  async function onePageLogin(ctx: LoginContext, form: Form, ip: string, admit: Admit): Promise<ScreenOutcome> {
    if (form.connection) return toSocial(ctx, form.connection);
    if (!(await admit(form.username))) return refuse(ctx, 'too_many_requests');
    const { txn, connection } = ctx;
    if (!connection || connection.kind !== 'database') return refuse(ctx, 'unknown_connection');
    const identifier = databaseIdentifier(connection, form.username ?? '');
    if (!identifier) return refuse(ctx, connection.username.required ? 'invalid_identifier' : 'invalid_email');
    await authorization.remember(txn, shownIdentifier(identifier));
    const user = await checkPassword(connection, shownIdentifier(identifier), form.password ?? '', ip);
    return typeof user === 'string' ? refuse(ctx, user) : finish(ctx, user);
  }

  async function socialLogin(ctx: LoginContext, form: { connection: string; email?: string | undefined; name?: string | undefined }, admit: Admit): Promise<ScreenOutcome> {
    // The mock provider creates a user for any address typed in: it counts like any other sign-up step.
    if (!(await admit(form.email))) return refuse(ctx, 'too_many_requests');
    const connection = offeredSocial(tenant, ctx.txn, form.connection);
    if (!connection) return refuse(ctx, 'unknown_connection');
    const email = normalizeEmail(form.email ?? '');
    if (!email) return refuse(ctx, 'invalid_email');
    const user = await users.socialUser(connection, { email, name: form.name?.trim() || undefined });
    await authorization.remember(ctx.txn, email, connection.name);
    return finish(ctx, user);
  }

  return {
    async show(screen, visit) {
      const entered = await enter(screen, visit, 'show');
      return 'txn' in entered ? { kind: 'show', ctx: entered } : entered;
    },

    identifier: (visit, form, admit) =>
      submit('identifier', visit, async (ctx) => {
        if (form.passkey !== undefined) return passkeyLogin(ctx, form.passkey, false);
        return keepTyped(typedUsername(ctx, form.username), await identify(ctx, form, admit));
      }),

    challenge: (screen, visit, form, admit) =>
      submit(screen, visit, async (ctx) => {
        const { txn, connection } = ctx;
        if (form.resend) {
          if (!(await admit(txn.identifier))) return refuse(ctx, 'too_many_requests');
          if (!connection || !txn.identifier) return refuse(ctx, 'wrong_code');
          const notSent = await sendChallenge(ctx, connection, txn.identifier);
          return notSent ? refuse(ctx, notSent) : { kind: 'show', ctx, notice: 'code_resent' };
        }
        if (!connection || !txn.identifier) return refuse(ctx, 'wrong_code');
        const login = await verifyCode(deps, { connection, recipient: txn.identifier, code: form.code });
        return login.ok ? signIn(ctx, login.user) : refuse(ctx, CODE_REFUSAL[login.reason]);
      }),

    password: (visit, form, ip) =>
      submit('password', visit, async (ctx) => {
        const { txn, connection } = ctx;
        if (!connection || connection.kind !== 'database' || !txn.identifier) return refuse(ctx, 'wrong_password');
        const user = await checkPassword(connection, txn.identifier, form.password, ip);
        return typeof user === 'string' ? refuse(ctx, user) : finish(ctx, user, true);
      }),

    login: (visit, form, ip, admit) =>
      submit('login', visit, async (ctx) => keepTyped(typedUsername(ctx, form.username), await onePageLogin(ctx, form, ip, admit))),

    passkey: (visit, form) => submit('passkey', visit, (ctx) => passkeyLogin(ctx, form.passkey, true)),

    enrolPasskey: (visit, form) =>
      submit('passkey-enrollment', visit, async (ctx) => {
        const resume = go(screenUrl('resume', ctx.txn));
        const user = ctx.txn.authenticated && (await passkeys.user(ctx.txn.authenticated.userId));
        if (!user || form.passkey === undefined) return resume;
        const result = await passkeys.register(ctx.txn, user, form.passkey);
        return result.ok ? resume : refuse(ctx, result.reason);
      }),

    social: (visit, form, admit) =>
      submit('social', visit, async (ctx) => keepTyped({ email: form.email, name: form.name }, await socialLogin(ctx, form, admit))),
  };
}
