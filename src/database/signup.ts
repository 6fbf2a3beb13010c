import { LegacyApiError, databaseError, invalidRequest } from '../errors.js';
import type { User } from '../store/records.js';
import { findClient, findConnection, type Client, type Tenant } from '../tenant/model.js';
import type { TriggerFlows } from '../actions/trigger-flows.js';
import type { RequestFacts } from '../actions/action-events.js';
import { isUsername } from '../users/identifiers.js';
import { normalizeEmail } from '../users/normalize.js';
import { checkPassword, type PasswordCheck } from '../users/password-policy.js';
import type { UserService } from '../users/user-service.js';
import type { EmailVerification } from './email-verification.js';

/**
 * Sign-up on a database connection, as Auth0's `POST /dbconnections/signup` makes it
 * (docs/research/auth0-database-connections.md §1): the connection must be a database one, enabled for
 * the client and open to sign-ups; the password must meet its policy; an existing email or username
 * gets Auth0's generic "Invalid sign up", so the answer never says who has an account. The
 * pre-user-registration Actions may refuse it or add metadata; post-user-registration hears of it; the
 * verification email goes out unless the tenant turned verify_email off.
 */
export interface SignupInput {
  clientId?: string | undefined;
  connection?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
  username?: string | undefined;
  profile: Partial<Pick<User, 'given_name' | 'family_name' | 'name' | 'nickname' | 'picture'>>;
  userMetadata?: unknown;
  request?: RequestFacts | undefined;
}

/** The fields Auth0 echoes in the sign-up answer (the id without its `auth0|` provider). */
export type SignupAnswer = Record<string, unknown> & { _id: string };

const PROFILE_FIELDS = ['given_name', 'family_name', 'name', 'nickname', 'picture'] as const;

/** The new user, and the answer /dbconnections/signup sends. Refusals are thrown (LegacyApiError, in Auth0's envelope). */
export type DatabaseSignup = (input: SignupInput) => Promise<{ user: User; answer: SignupAnswer }>;

export function createDatabaseSignup(deps: { tenant: Tenant; users: UserService; flows: TriggerFlows; verification: Pick<EmailVerification, 'onSignup' | 'send'> }): DatabaseSignup {
  const { tenant, users, flows, verification } = deps;

  return async function signUp(input) {
    let client: Client | undefined;
    if (input.clientId) {
      client = findClient(tenant, input.clientId);
      if (!client) throw invalidRequest.unknownClient(input.clientId);
    }
    if (!input.connection) throw databaseError.invalidBody('Missing required parameter: connection');
    const connection = findConnection(tenant, input.connection);
    if (!connection || connection.kind !== 'database') throw databaseError.invalidConnection('Connection not found');
    if (client && !connection.enabledClients.has(client.clientId)) throw databaseError.invalidConnection('The connection is not enabled for this client');
    if (connection.disableSignup) throw databaseError.signupDisabled();

    if (!input.email) throw databaseError.invalidBody('Missing required parameter: email');
    const email = normalizeEmail(input.email);
    if (!email) throw databaseError.invalidBody('Email is not valid.');
    // A username only where the connection has them (Auth0: "Only valid if the connection requires a username").
    const username = connection.username.required ? input.username?.trim() : undefined;
    if (connection.username.required && !username) throw databaseError.invalidBody('Missing required parameter: username');
    if (username && !isUsername(connection, username)) {
      throw databaseError.invalidBody(`The username must have between ${connection.username.minLength} and ${connection.username.maxLength} characters: letters, digits or _+-.!#$^\`~@'.`);
    }
    if (!input.password) throw databaseError.invalidBody('Missing required parameter: password');
    if (input.userMetadata !== undefined && (input.userMetadata === null || typeof input.userMetadata !== 'object' || Array.isArray(input.userMetadata))) {
      throw databaseError.invalidBody('user_metadata must be an object');
    }

    const profile = Object.fromEntries(PROFILE_FIELDS.flatMap((key) => (typeof input.profile[key] === 'string' ? [[key, input.profile[key]]] : []))) as Partial<User>;
    const checked = checkPassword(connection.passwordPolicy, input.password, { email, username, name: profile.name });
    if (!checked.ok) throw passwordRefusal(checked);

    const fields: Partial<User> = { email, ...(username ? { username } : {}), ...profile, user_metadata: { ...((input.userMetadata as Record<string, unknown> | undefined) ?? {}) } };
    if (flows.has('pre-user-registration')) {
      const outcome = await flows.preUserRegistration({ user: fields, connection, connectionName: connection.name, client, request: input.request, transaction: undefined });
      if (outcome.refusal) throw databaseError.refusedByAction(outcome.refusal.code, outcome.refusal.description);
      fields.app_metadata = { ...outcome.appMetadata };
      fields.user_metadata = { ...fields.user_metadata, ...outcome.userMetadata };
    }
    const user = await users.register(connection, fields, input.password);
    if (!user) throw tenant.signupSaysUserExists ? databaseError.userExists() : databaseError.invalidSignup();
    if (verification.onSignup) await verification.send(user, client?.clientId);
    return { user, answer: answerOf(user, profile) };
  };
}

/** The API's words for a password the connection's policy refuses. */
export function passwordRefusal(check: Exclude<PasswordCheck, { ok: true }>): LegacyApiError {
  if (check.kind === 'strength') return databaseError.passwordStrength(check.rules, check.policy);
  return check.kind === 'dictionary' ? databaseError.passwordDictionary() : databaseError.passwordNoUserInfo();
}

/** `{_id, email, username, email_verified, …the profile fields sent}`, in Auth0's order. */
function answerOf(user: User, profile: Partial<User>): SignupAnswer {
  const answer: SignupAnswer = { _id: user.user_id.slice(user.user_id.indexOf('|') + 1) };
  if (user.email) answer.email = user.email;
  if (user.username) answer.username = user.username;
  if (user.email) answer.email_verified = user.email_verified ?? false;
  for (const key of PROFILE_FIELDS) if (profile[key] !== undefined) answer[key] = profile[key];
  return answer;
}
