import { OAuthError, invalidRequest } from '../errors.js';
import type { Client, Connection, Tenant } from './model.js';

/**
 * Which login Universal Login presents to a client, by Auth0's rules for passwordless with
 * Identifier First:
 *  - a database connection is enabled: passwordless only when /authorize names it (`connection=email|sms`),
 *    otherwise the database (identifier + password) login;
 *  - no database, both SMS and email: the passwordless connection created first;
 *  - no database, one of them: that one, shown with the client's social connections.
 * A `connection` parameter that is not enabled for the client is an error.
 *
 * With the Identifier + Password profile (`prompts.identifier_first: false`) passwordless connections
 * are not offered at all, as in Auth0 where passwordless in Universal Login needs Identifier First:
 * asking for one, or having nothing else, is a LoginProfileError, shown on the error page.
 */
export type LoginPlan =
  | { kind: 'passwordless'; connection: Connection; socials: Connection[] }
  | { kind: 'database'; connection: Connection; socials: Connection[] }
  | { kind: 'social'; connection: Connection }
  | { kind: 'social-only'; socials: Connection[] };

/** A login the tenant's Authentication Profile cannot present: the error page explains the setting. */
export class LoginProfileError extends OAuthError {
  constructor(description: string) {
    super('invalid_request', description);
    this.name = 'LoginProfileError';
  }
}

const PROFILE_HINT =
  'Passwordless connections in Universal Login need the Identifier First (or Identifier First + Biometrics) authentication profile; ' +
  'this tenant uses Identifier + Password (prompts.identifier_first: false).';

/**
 * Single sign-on stays within the client's connections: an SSO session serves a client only when the
 * connection its user logged in with is enabled for that client, and not when /authorize names
 * another connection. Otherwise the login page is shown (`login_required` under prompt=none), as
 * Auth0 does (docs/research/auth0-tenant-settings.md §3).
 */
export function sessionServes(tenant: Tenant, client: Client, requested: string | undefined, userConnection: string): boolean {
  if (requested && requested !== userConnection) return false;
  return tenant.connections.some((c) => c.name === userConnection && c.enabledClients.has(client.clientId));
}

export function enabledConnections(tenant: Tenant, client: Client): Connection[] {
  return tenant.connections.filter((c) => c.enabledClients.has(client.clientId));
}

export function planLogin(tenant: Tenant, client: Client, requested: string | undefined): LoginPlan {
  const enabled = enabledConnections(tenant, client);
  // An enterprise connection with show_as_button: false is reached by home-realm discovery only.
  const socials = enabled.filter((c) => c.kind === 'social' && (c.enterprise?.showAsButton ?? true));

  if (requested) {
    const connection = enabled.find((c) => c.name === requested);
    if (!connection) {
      const exists = tenant.connections.some((c) => c.name === requested);
      throw invalidRequest(
        exists ? `the connection "${requested}" is not enabled for this client` : `the connection "${requested}" was not found`,
      );
    }
    if (connection.kind === 'social') return { kind: 'social', connection };
    if (connection.kind === 'passwordless' && !tenant.prompts.identifierFirst) {
      throw new LoginProfileError(`The connection "${requested}" is passwordless. ${PROFILE_HINT}`);
    }
    return { kind: connection.kind, connection, socials: [] };
  }

  const database = enabled.find((c) => c.kind === 'database');
  if (database) return { kind: 'database', connection: database, socials };

  // tenant.connections is in creation order, so the first passwordless one is the one created first.
  const passwordless = tenant.prompts.identifierFirst ? enabled.find((c) => c.kind === 'passwordless') : undefined;
  if (passwordless) return { kind: 'passwordless', connection: passwordless, socials };

  if (socials.length) return { kind: 'social-only', socials };
  if (enabled.some((c) => c.kind === 'passwordless')) {
    throw new LoginProfileError(`This application has only passwordless connections. ${PROFILE_HINT}`);
  }
  throw invalidRequest('no connections enabled for the client');
}
