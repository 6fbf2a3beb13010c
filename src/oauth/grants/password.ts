import { accessDenied, invalidGrant, invalidRequest, serverError, tooManyAttempts, unauthorized } from '../../errors.js';
import { BLOCKED_API_TEXT } from '../../users/brute-force.js';
import { admitLogin } from '../../users/login-admission.js';
import { databaseIdentifier, shownIdentifier } from '../../users/identifiers.js';
import { requestedAudience, type Connection, type ResourceServer, type Tenant } from '../../tenant/model.js';
import { normalizeScope, scopeSet } from '../authorize-request.js';
import { stringField } from '../client-auth.js';
import type { RequestFacts } from '../../actions/action-events.js';
import type { User } from '../../store/records.js';
import type { AuthenticatedClient } from '../client-auth.js';
import type { GrantContext, GrantHandler, TokenResponse } from './types.js';
import { realmLoginTokens } from './user-tokens.js';

/**
 * The Resource Owner Password grants, as test fixtures log in without the UI (Cypress's
 * `loginByAuth0Api`, node-auth0's `passwordGrant`): `grant_type=password` on the tenant's
 * `default_directory`, and Auth0's `password-realm` extension naming the database connection in
 * `realm`. The user is checked as on the password screen, behind the same brute-force protection;
 * the login then completes (blocked users refused, the login counted) and ends through post-login
 * Actions like every other. No browser, so no SSO session: a second factor the login owes is asked
 * for through the MFA API (`mfa_required`, oauth/mfa-api.ts).
 *
 * `grant_type=password` with a `realm` logs in to that realm: @auth0/auth0-auth-js's
 * getTokenByPassword({ realm }) sends it so. Auth0's docs name password-realm for realms and do not
 * say what `password` does with one (docs/research/auth0-mfa.md §2.2); without a realm the tenant's
 * default_directory is used, as in Auth0.
 */
export const PASSWORD_GRANT = 'password';
export const PASSWORD_REALM_GRANT = 'http://auth0.com/oauth/grant-type/password-realm';

/** Auth0's words for a wrong password, an unknown user and a malformed username alike. */
const WRONG_CREDENTIALS = 'Wrong email or password.';

export const passwordGrant: GrantHandler = (params, caller, ctx, request) => {
  // Without a realm or a default directory Auth0 cannot tell which connection the password is for.
  const name = stringField(params, 'realm') ?? ctx.tenant.defaultDirectory;
  if (!name) throw serverError('Authorization server not configured with default connection.');
  return passwordLogin(params, caller, ctx, request, name);
};

export const passwordRealmGrant: GrantHandler = (params, caller, ctx, request) => {
  const realm = stringField(params, 'realm');
  if (!realm) throw invalidRequest.missing('realm');
  return passwordLogin(params, caller, ctx, request, realm);
};

async function passwordLogin(
  params: Record<string, unknown>,
  caller: AuthenticatedClient,
  ctx: GrantContext,
  request: RequestFacts,
  connectionName: string,
): Promise<TokenResponse> {
  for (const name of ['username', 'password']) {
    if (!stringField(params, name)) throw invalidRequest.missing(name);
  }
  const connection = databaseConnection(ctx.tenant, caller.client.clientId, connectionName);
  const audience = requestedAudience(ctx.tenant, stringField(params, 'audience'));
  const api = audience === undefined ? undefined : ctx.tenant.resourceServers.find((r) => r.identifier === audience);
  if (audience && !api) throw accessDenied.unknownAudience(audience);

  // The username field takes an email, or a username on a connection with requires_username.
  const identifier = databaseIdentifier(connection, stringField(params, 'username')!);
  const checked = await checkPassword(ctx, connection, identifier ? shownIdentifier(identifier) : '', stringField(params, 'password')!, request.ip);
  const admitted = await admitLogin(ctx, checked);
  if (!admitted.ok) throw unauthorized.userBlocked();

  const scope = passwordScope(normalizeScope(stringField(params, 'scope')), api);
  return realmLoginTokens(ctx, { client: caller.client, user: admitted.user, scope, audience, request });
}

/** The realm as Auth0 checks it for every grant: it exists, the client may use it, and it holds passwords. */
function databaseConnection(tenant: Tenant, clientId: string, name: string): Connection {
  const connection = tenant.connections.find((c) => c.name === name);
  if (!connection) throw invalidRequest('the connection was not found');
  if (!connection.enabledClients.has(clientId)) throw invalidRequest('the connection was disabled');
  if (connection.kind !== 'database') throw invalidRequest('specified strategy does not support requested operation');
  return connection;
}

/**
 * The password screen's check (login/login-service.ts): a blocked identifier is refused before the
 * password is looked at, a wrong one counts, a right one clears the count. The failure that reaches
 * the threshold is still a wrong password; the block answers from the next attempt on.
 */
async function checkPassword(ctx: GrantContext, connection: Connection, identifier: string, password: string, ip: string): Promise<User> {
  const guarded = connection.bruteForceProtection;
  if (guarded && identifier && ctx.bruteForce.isBlocked(connection.name, identifier, ip)) throw tooManyAttempts(BLOCKED_API_TEXT);
  const user = identifier ? await ctx.users.checkPassword(connection, identifier, password) : undefined;
  if (!user) {
    if (guarded && identifier) ctx.bruteForce.recordFailure(connection.name, identifier, ip);
    throw invalidGrant(WRONG_CREDENTIALS);
  }
  if (guarded) ctx.bruteForce.recordSuccess(connection.name, identifier, ip);
  return user;
}

/**
 * "A password is equal to full access" (Auth0, "How to implement the Resource Owner Password
 * Grant"): a request naming none of the API's scopes gets all of them, and `openid` alone gets every
 * standard OIDC scope. The token issuer still keeps only what the API defines.
 */
function passwordScope(requested: string, api: ResourceServer | undefined): string {
  const scopes = scopeSet(requested);
  if (api && !api.scopes.some((s) => scopes.has(s))) for (const s of api.scopes) scopes.add(s);
  if (scopes.has('openid') && !['profile', 'email', 'address', 'phone'].some((s) => scopes.has(s))) {
    for (const s of ['profile', 'email', 'address', 'phone']) scopes.add(s);
  }
  return [...scopes].join(' ');
}
