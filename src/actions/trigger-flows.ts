import type { ActionTrigger, TenantActions } from '../tenant/action-model.js';
import { TIMEOUT_MESSAGE, type ActionCall, type ActionsRuntime, type ExecutionResult } from './actions-runtime.js';
import {
  credentialsExchangeEvent,
  passwordChangeEvent,
  postLoginEvent,
  registrationEvent,
  type CredentialsExchangeFacts,
  type PasswordChangeFacts,
  type PostLoginFacts,
  type RegistrationFacts,
} from './action-events.js';
import { MAX_CUSTOM_CLAIMS_BYTES, mayBeSet } from './restricted-claims.js';
import { mfaRequestOf, type ActionMfaRequest } from './mfa-request.js';

/**
 * Runs the actions bound to a trigger, in order, within one time budget for the whole trigger (Auth0
 * gives a trigger 20 s), and turns the `api` calls they made into one outcome the login applies:
 * claims, scope changes, metadata to write, or a refusal. Auth0's rules, from its documentation
 * (docs/research/auth0-actions-rbac.md §2–§7):
 * - a denial lets the current action finish and stops the flow; later actions do not run;
 * - metadata changes are written once, after the flow, even when it was denied, and no action sees
 *   another's changes in the same flow;
 * - a thrown error or a timeout fails the login as `access_denied` with the error's message;
 * - restricted claims (`sub`, `aud`, `permissions`, …) are silently not set.
 * What Understudy does not emulate (redirects, custom prompts) is a notice in the log, not a failure,
 * except where Auth0 itself fails: a redirect in a flow with no browser to send. A second factor an
 * action asks for is the outcome's `mfa`, which the login asks for at its end (src/mfa/).
 */

export interface Notice {
  action: string;
  message: string;
}

export interface PostLoginOutcome {
  /** Set when the login must fail: `access_denied` with this description, or `interaction_required`. */
  refusal?: { error: 'access_denied' | 'interaction_required'; description: string };
  idTokenClaims: Record<string, unknown>;
  accessTokenClaims: Record<string, unknown>;
  addScopes: string[];
  removeScopes: string[];
  /** Top-level keys to set; `null` deletes a key, as in Auth0. */
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  /** A second factor the actions asked for (api.multifactor, api.authentication.challengeWith…). */
  mfa?: ActionMfaRequest | undefined;
  notices: Notice[];
}

export interface CredentialsExchangeOutcome {
  refusal?: { error: 'invalid_scope' | 'invalid_request' | 'server_error'; description: string };
  accessTokenClaims: Record<string, unknown>;
  notices: Notice[];
}

export interface RegistrationOutcome {
  /** pre-user-registration: the message to show the user, from access.deny's user message or validation.error. */
  refusal?: { description: string; code: string };
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  notices: Notice[];
}

export interface TriggerFlowsDeps {
  actions: TenantActions;
  runtime: ActionsRuntime | undefined;
  tenantId: string;
  budgetMs: number;
  now: () => number;
  notify: (notice: Notice) => void;
  /** The second factors a login can be asked for now (none: api.multifactor.enable is a notice, and the login goes on). */
  mfaFactors?: () => readonly string[];
}

const empty = (): PostLoginOutcome => ({ idTokenClaims: {}, accessTokenClaims: {}, addScopes: [], removeScopes: [], appMetadata: {}, userMetadata: {}, notices: [] });

/** Methods that need a browser to send somewhere: Auth0 fails them with interaction_required when there is none. */
const NEEDS_BROWSER = new Set(['redirect.sendUserTo', 'prompt.render']);
const NOT_EMULATED: Record<string, string> = {
  'multifactor.enable': 'the tenant enables no second factor Understudy emulates (guardianFactors: otp, sms, email), so the login goes on without one',
  'redirect.sendUserTo': 'redirects from Actions are not emulated: the login goes on as if the redirect had returned',
  'prompt.render': 'custom prompts are not emulated: the login goes on without the form',
  'authentication.setPrimaryUser': 'account linking is not emulated: the login stays with its own user',
};

export class TriggerFlows {
  constructor(private readonly deps: TriggerFlowsDeps) {}

  has(trigger: ActionTrigger): boolean {
    const { actions, runtime } = this.deps;
    return actions.bindings[trigger].some((name) => runtime !== undefined || actions.actions.some((a) => a.name === name && a.unavailable));
  }

  /**
   * post-login, for every login that completes. `interactive` is false where no browser waits on the
   * answer (refresh, the token endpoint's grants) and for prompt=none.
   */
  async postLogin(facts: PostLoginFacts, interactive: boolean): Promise<PostLoginOutcome> {
    const outcome = empty();
    if (!this.has('post-login')) return outcome;
    await this.runEach('post-login', (secrets) => postLoginEvent(facts, this.tenant(), secrets), (action, calls, failure) => {
      if (failure) {
        outcome.refusal = { error: 'access_denied', description: failure };
        return 'stop';
      }
      for (const [method, ...args] of calls) {
        switch (method) {
          case 'idToken.setCustomClaim':
            setClaim(outcome.idTokenClaims, args);
            break;
          case 'accessToken.setCustomClaim':
            setClaim(outcome.accessTokenClaims, args);
            break;
          case 'accessToken.addScope':
            if (typeof args[0] === 'string') outcome.addScopes.push(args[0]);
            break;
          case 'accessToken.removeScope':
            if (typeof args[0] === 'string') outcome.removeScopes.push(args[0]);
            break;
          case 'user.setAppMetadata':
            if (typeof args[0] === 'string') outcome.appMetadata[args[0]] = args[1] ?? null;
            break;
          case 'user.setUserMetadata':
            if (typeof args[0] === 'string') outcome.userMetadata[args[0]] = args[1] ?? null;
            break;
          case 'access.deny':
            outcome.refusal ??= { error: 'access_denied', description: typeof args[0] === 'string' ? args[0] : '' };
            this.deps.notify({ action, message: `api.access.deny: the login is refused: ${String(args[0] ?? '')}` });
            break;
          case 'multifactor.enable':
          case 'authentication.challengeWith':
          case 'authentication.challengeWithAny':
          case 'authentication.enrollWith':
          case 'authentication.enrollWithAny':
            // A second factor the login asks for at its end; on a tenant with none to offer, multifactor.enable is a notice.
            if (method === 'multifactor.enable' && !this.deps.mfaFactors?.().length) this.notice(outcome.notices, action, method);
            else outcome.mfa = mfaRequestOf(method, args, outcome.mfa);
            break;
          default:
            if (!interactive && NEEDS_BROWSER.has(method)) {
              outcome.refusal ??= { error: 'interaction_required', description: `The action "${action}" called api.${method}, which needs the user at a browser` };
            } else this.notice(outcome.notices, action, method);
        }
      }
      return outcome.refusal ? 'stop' : 'next';
    });
    return outcome;
  }

  async credentialsExchange(facts: CredentialsExchangeFacts): Promise<CredentialsExchangeOutcome> {
    const outcome: CredentialsExchangeOutcome = { accessTokenClaims: {}, notices: [] };
    if (!this.has('credentials-exchange')) return outcome;
    await this.runEach('credentials-exchange', (secrets) => credentialsExchangeEvent(facts, this.tenant(), secrets), (action, calls, failure) => {
      if (failure) {
        outcome.refusal = { error: 'server_error', description: failure };
        return 'stop';
      }
      for (const [method, ...args] of calls) {
        if (method === 'accessToken.setCustomClaim') setClaim(outcome.accessTokenClaims, args);
        else if (method === 'access.deny') {
          const code = args[0] === 'invalid_scope' || args[0] === 'invalid_request' ? args[0] : 'server_error';
          outcome.refusal ??= { error: code, description: typeof args[1] === 'string' ? args[1] : String(args[0] ?? '') };
        } else this.notice(outcome.notices, action, method);
      }
      return outcome.refusal ? 'stop' : 'next';
    });
    return outcome;
  }

  /** pre-user-registration: may refuse the sign-up with a message for the user. */
  async preUserRegistration(facts: RegistrationFacts): Promise<RegistrationOutcome> {
    const outcome: RegistrationOutcome = { appMetadata: {}, userMetadata: {}, notices: [] };
    if (!this.has('pre-user-registration')) return outcome;
    await this.runEach('pre-user-registration', (secrets) => registrationEvent(facts, this.tenant(), secrets, 'pre'), (action, calls, failure) => {
      if (failure) {
        outcome.refusal = { code: 'extensibility_error', description: failure };
        return 'stop';
      }
      for (const [method, ...args] of calls) {
        if (method === 'access.deny') {
          // deny(reason, userMessage): the reason is for the logs, the message for the user.
          outcome.refusal ??= { code: 'extensibility_error', description: String(args[1] ?? args[0] ?? '') };
          this.deps.notify({ action, message: `denied the sign-up: ${String(args[0] ?? '')}` });
        } else if (method === 'validation.error') {
          outcome.refusal ??= { code: String(args[0] ?? 'invalid_signup'), description: String(args[1] ?? '') };
        } else if (method === 'user.setAppMetadata' && typeof args[0] === 'string') outcome.appMetadata[args[0]] = args[1] ?? null;
        else if (method === 'user.setUserMetadata' && typeof args[0] === 'string') outcome.userMetadata[args[0]] = args[1] ?? null;
        else this.notice(outcome.notices, action, method);
      }
      return outcome.refusal ? 'stop' : 'next';
    });
    return outcome;
  }

  /** post-user-registration: Auth0 runs it without waiting, and nothing it does changes the login. */
  postUserRegistration(facts: RegistrationFacts): void {
    this.runInBackground('post-user-registration', (secrets) => registrationEvent(facts, this.tenant(), secrets, 'post'));
  }

  /** post-change-password: Auth0 runs it without waiting; its only api is api.cache. */
  postChangePassword(facts: PasswordChangeFacts, changedAt: string): void {
    this.runInBackground('post-change-password', (secrets) => passwordChangeEvent(facts, this.tenant(), secrets, changedAt));
  }

  /** A trigger whose actions change nothing: failures and api calls are notices, never the caller's error. */
  private runInBackground(trigger: ActionTrigger, eventFor: (secrets: Record<string, string>) => Record<string, unknown>): void {
    if (!this.has(trigger)) return;
    this.runEach(trigger, eventFor, (action, calls, failure) => {
      if (failure) this.deps.notify({ action, message: `failed: ${failure}` });
      for (const [method] of calls) this.notice([], action, method);
      return 'next';
    }).catch((err: unknown) => this.deps.notify({ action: `(${trigger})`, message: `failed: ${err instanceof Error ? err.message : String(err)}` }));
  }

  private tenant(): { tenantId: string } {
    return { tenantId: this.deps.tenantId };
  }

  private notice(notices: Notice[], action: string, method: string): void {
    const notice = { action, message: `api.${method}: ${NOT_EMULATED[method] ?? 'not emulated; the call was ignored'}` };
    notices.push(notice);
    this.deps.notify(notice);
  }

  /** Runs each bound action in order; `apply` says whether the flow goes on. */
  private async runEach(
    trigger: ActionTrigger,
    eventFor: (secrets: Record<string, string>) => Record<string, unknown>,
    apply: (action: string, calls: ActionCall[], failure: string | undefined) => 'next' | 'stop',
  ): Promise<void> {
    const { runtime, actions, budgetMs, now } = this.deps;
    const deadline = now() + budgetMs;
    for (const name of actions.bindings[trigger]) {
      const action = actions.actions.find((a) => a.name === name);
      if (!action) continue;
      const left = deadline - now();
      const result: ExecutionResult = action.unavailable
        ? { calls: [], failure: { kind: 'threw', message: action.unavailable } }
        : left > 0 && runtime
          ? await runtime.execute(name, trigger, eventFor(action.secrets), left)
          : { calls: [], failure: { kind: 'timeout', message: TIMEOUT_MESSAGE } };
      const failure = result.failure ? result.failure.message : undefined;
      if (result.failure) this.deps.notify({ action: name, message: `${result.failure.kind === 'threw' ? 'threw' : 'failed'}: ${result.failure.message}` });
      if (apply(name, result.calls, failure) === 'stop') return;
    }
  }
}

/**
 * A custom claim as Auth0 takes it: a restricted name or an Auth0 namespace is skipped, and so is a
 * claim that would take the token's custom claims past 100 KB.
 */
function setClaim(target: Record<string, unknown>, [name, value]: unknown[]): void {
  if (typeof name !== 'string' || !mayBeSet(name)) return;
  const before = target[name];
  target[name] = value;
  if (JSON.stringify(target).length > MAX_CUSTOM_CLAIMS_BYTES) {
    if (before === undefined) delete target[name];
    else target[name] = before;
  }
}
