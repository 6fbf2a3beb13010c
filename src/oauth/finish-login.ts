import type { Organization, User } from '../store/records.js';
import { findConnection, type Client, type Tenant } from '../tenant/model.js';
import type { TriggerFlows } from '../actions/trigger-flows.js';
import type { RequestFacts, TransactionFacts } from '../actions/action-events.js';
import type { UserService } from '../users/user-service.js';
import type { ActionMfaRequest } from '../actions/mfa-request.js';

/**
 * Where every login ends before anything is minted: the Universal Login screens' resume, silent
 * authentication from an SSO session, magic links, the passwordless OTP grant and refresh. The
 * tenant's post-login Actions run here, their metadata is written once, and what they change on the
 * tokens (claims, scopes) travels with the grant to whoever mints it. Auth0 runs post-login on all of
 * these (docs/research/auth0-actions-rbac.md §3), so no way in passes it by.
 */
export interface TokenChanges {
  idTokenClaims: Record<string, unknown>;
  accessTokenClaims: Record<string, unknown>;
  addScopes: string[];
  removeScopes: string[];
}

export const NO_TOKEN_CHANGES: TokenChanges = { idTokenClaims: {}, accessTokenClaims: {}, addScopes: [], removeScopes: [] };

export interface LoginToFinish {
  client: Client;
  user: User;
  scope: string;
  audience: string | undefined;
  sessionId: string | undefined;
  /** When the user proved who they are (seconds), for event.authentication.methods. */
  authTime: number;
  /** When the session passed a second factor (seconds): event.authentication.methods lists `mfa`. */
  mfaAt?: number | undefined;
  transaction: TransactionFacts;
  request: RequestFacts | undefined;
  /** False where no browser waits on the answer: prompt=none, refresh, the token endpoint's grants. */
  interactive: boolean;
  /** The organization the login is to: Actions' event.organization, and the roles held there. */
  organization?: Organization | undefined;
}

export type FinishedLogin =
  /** `mfa`: a second factor the Actions asked for, which the login asks for before it ends (src/mfa/). */
  | { ok: true; user: User; changes: TokenChanges; mfa?: ActionMfaRequest | undefined }
  | { ok: false; error: 'access_denied' | 'interaction_required'; description: string };

export type LoginFinisher = (login: LoginToFinish) => Promise<FinishedLogin>;

/** The authentication method Auth0 records for a first factor on this kind of connection. */
function methodName(tenant: Tenant, connectionName: string): string {
  const strategy = findConnection(tenant, connectionName)?.strategy;
  if (strategy === 'email' || strategy === 'sms') return strategy;
  if (strategy === 'auth0') return 'pwd';
  return 'federated';
}

const NO_REQUEST: RequestFacts = { ip: '', hostname: '', method: 'POST', userAgent: undefined, language: undefined, query: {} };

export function createLoginFinisher(deps: {
  tenant: Tenant;
  flows: TriggerFlows;
  users: Pick<UserService, 'update'>;
  /** The user's role names (RBAC), for event.authorization.roles: in an organization's login, those held there. */
  rolesOf: (userId: string, organizationId?: string) => Promise<string[]>;
}): LoginFinisher {
  const { tenant, flows, users, rolesOf } = deps;
  return async (login) => {
    if (!flows.has('post-login')) return { ok: true, user: login.user, changes: NO_TOKEN_CHANGES };
    const outcome = await flows.postLogin(
      {
        user: login.user,
        client: login.client,
        connection: findConnection(tenant, login.user.connection),
        request: login.request ?? NO_REQUEST,
        transaction: login.transaction,
        roles: await rolesOf(login.user.user_id, login.organization?.id),
        organization: login.organization,
        authenticationMethods: [
          { name: methodName(tenant, login.user.connection), timestamp: new Date(login.authTime * 1000).toISOString() },
          ...(login.mfaAt !== undefined ? [{ name: 'mfa', timestamp: new Date(login.mfaAt * 1000).toISOString() }] : []),
        ],
        audience: login.audience,
        sessionId: login.sessionId,
      },
      login.interactive,
    );
    // Auth0 writes metadata once the flow ends, denied or not.
    const user = (await writeMetadata(users, login.user, outcome.appMetadata, outcome.userMetadata)) ?? login.user;
    if (outcome.refusal) return { ok: false, error: outcome.refusal.error, description: outcome.refusal.description };
    const { idTokenClaims, accessTokenClaims, addScopes, removeScopes } = outcome;
    return { ok: true, user, changes: { idTokenClaims, accessTokenClaims, addScopes, removeScopes }, ...(outcome.mfa ? { mfa: outcome.mfa } : {}) };
  };
}

/** The Management API's merge (users.update): top-level keys set, a null value deletes its key, as in Auth0. */
async function writeMetadata(
  users: Pick<UserService, 'update'>,
  user: User,
  app: Record<string, unknown>,
  own: Record<string, unknown>,
): Promise<User | undefined> {
  if (!Object.keys(app).length && !Object.keys(own).length) return undefined;
  return users.update(user.user_id, {
    ...(Object.keys(app).length ? { app_metadata: app } : {}),
    ...(Object.keys(own).length ? { user_metadata: own } : {}),
  });
}

/** event.transaction.protocol for an /authorize response type (Auth0's values). */
export function authorizeProtocol(responseType: string): string {
  const types = new Set(responseType.split(' '));
  if (!types.has('code')) return 'oidc-implicit-profile';
  return types.size > 1 ? 'oidc-hybrid-profile' : 'oidc-basic-profile';
}

/** event.transaction for a token-endpoint grant: no browser, no redirect. */
export function grantTransaction(protocol: string, scope: string): TransactionFacts {
  return { protocol, requestedScopes: scope.split(' ').filter(Boolean) };
}
