import type { Eta } from 'eta';
import type { OrganizationStore } from '../store/types.js';
import type { Session, Transaction, User } from '../store/records.js';
import { findClient, findConnection, type Client, type Connection, type Tenant } from '../tenant/model.js';
import type { OtpService } from '../otp/otp-service.js';
import type { Outbox } from '../otp/outbox.js';
import type { UserService } from '../users/user-service.js';
import type { TriggerFlows } from '../actions/trigger-flows.js';
import type { RequestFacts } from '../actions/action-events.js';
import type { BruteForceGuard } from '../users/brute-force.js';
import type { AuthorizationService } from './authorization-service.js';
import type { PasskeyService } from './passkeys.js';
import { admitLogin } from '../users/login-admission.js';
import type { MfaService } from '../mfa/mfa-service.js';
import type { SecondFactorGate } from './second-factor.js';
import type { SessionService } from './sessions.js';
import type { Notice, Refusal } from './refusals.js';
import { nextStep, screenUrl, type Intent, type LoginProfile, type Screen } from './screens.js';

/**
 * What every login step shares (login/steps/, one module per way of logging in): the context of a
 * visit to a screen, the outcomes a step answers with, and the moves every step makes: entering a
 * screen (its guard checked once), refusing, and signing a proven user in.
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
  /** `rememberBrowser`: the user whose second factor this browser now skips for 30 days (the `auth0-mf` cookie). */
  | { kind: 'redirect'; location: string; session?: Session; rememberBrowser?: string }
  /** The screen (again): `typed` are the form's fields as the user typed them, shown back. */
  | { kind: 'show'; ctx: LoginContext; refusal?: Refusal; notice?: Notice; typed?: Record<string, string | undefined>; message?: string };

export type Form = Record<string, string | undefined>;

export interface LoginDeps {
  tenant: Tenant;
  eta: Eta;
  otp: OtpService;
  outbox: Outbox;
  users: UserService;
  authorization: AuthorizationService;
  passkeys: PasskeyService;
  bruteForce: BruteForceGuard;
  flows: TriggerFlows;
  mfa: MfaService;
  secondFactor: SecondFactorGate;
  sessions: SessionService;
  /** Organizations, for the organizations prompt's screens. */
  store: Pick<OrganizationStore, 'findOrganizationByName' | 'getOrganization' | 'getOrganizationMember'>;
  /**
   * Sign-up on a database connection (database/signup.ts, given by the composition root): the new
   * user, or a refusal thrown in Auth0's envelope (LegacyApiError), which the sign-up screens word.
   */
  signUp(input: { clientId: string; connection: string; email: string; username?: string | undefined; password: string; profile: Record<string, never>; request?: RequestFacts | undefined }): Promise<{ user: User }>;
}

export interface LoginKit {
  deps: LoginDeps;
  profile: LoginProfile;
  go(location: string, session?: Session): ScreenOutcome;
  refuse(ctx: LoginContext, refusal: Refusal): ScreenOutcome;
  /** Shown again, a screen keeps what was typed into its form. */
  keepTyped(typed: Form, outcome: ScreenOutcome): ScreenOutcome;
  typedUsername(ctx: LoginContext, username: string | undefined): Form;
  /** Loads the visit's transaction and runs the screen's guard: the context, or where the guard sends the browser. */
  enter(screen: Screen, visit: Visit, intent: Intent): Promise<LoginContext | ScreenOutcome>;
  submit(screen: Screen, visit: Visit, step: (ctx: LoginContext) => Promise<ScreenOutcome>): Promise<ScreenOutcome>;
  /** A proven user is logged in: the SSO session opens and the browser goes on to resume (or, offered a passkey, to passkey-enrollment). */
  signIn(ctx: LoginContext, user: User, offerPasskey?: boolean): Promise<ScreenOutcome>;
  /** A user proven by a password, a passkey or a provider: admitted (users/login-admission.ts), then signed in. */
  finish(ctx: LoginContext, user: User, offerPasskey?: boolean): Promise<ScreenOutcome>;
}

export function createLoginKit(deps: LoginDeps): LoginKit {
  const { tenant, authorization, passkeys } = deps;
  const profile: LoginProfile = { identifierFirst: tenant.prompts.identifierFirst, biometrics: tenant.prompts.webauthnPlatformFirstFactor };
  const go = (location: string, session?: Session): ScreenOutcome => (session ? { kind: 'redirect', location, session } : { kind: 'redirect', location });
  const refuse = (ctx: LoginContext, refusal: Refusal): ScreenOutcome => ({ kind: 'show', ctx, refusal });

  async function enter(screen: Screen, visit: Visit, intent: Intent): Promise<LoginContext | ScreenOutcome> {
    const txn = await authorization.transaction(visit.state, visit.deviceId);
    const ctx: LoginContext = { txn, client: findClient(tenant, txn.clientId), connection: findConnection(tenant, txn.connection), request: visit.request };
    const next = nextStep(screen, { txn, intent, profile, connection: ctx.connection });
    return next ? go(screenUrl(next, txn)) : ctx;
  }

  async function signIn(ctx: LoginContext, user: User, offerPasskey = false): Promise<ScreenOutcome> {
    const session = await authorization.authenticate(ctx.txn, user);
    const enrol = offerPasskey && profile.biometrics && !(await passkeys.hasPasskey(user.user_id));
    return go(screenUrl(enrol ? 'passkey-enrollment' : 'resume', ctx.txn), session);
  }

  return {
    deps,
    profile,
    go,
    refuse,
    keepTyped: (typed, outcome) => (outcome.kind === 'show' ? { ...outcome, typed } : outcome),
    typedUsername: (ctx, username) => ({ username: username?.trim() ?? ctx.txn.loginHint ?? '' }),
    enter,
    async submit(screen, visit, step) {
      const entered = await enter(screen, visit, 'submit');
      return 'txn' in entered ? step(entered) : entered;
    },
    signIn,
    async finish(ctx, user, offerPasskey = false) {
      const admitted = await admitLogin(deps, user);
      return admitted.ok ? signIn(ctx, admitted.user, offerPasskey) : refuse(ctx, admitted.reason);
    },
  };
}
