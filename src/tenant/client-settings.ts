import type { Client, Tenant } from './model.js';

/**
 * What GET /client/<client_id>.js tells Lock about a client: the script calls
 * `Auth0.setClient({...})`, which Lock's cdn_utils `load` waits for (checking `id` against the client
 * id it asked for). Lock reads only `id`, `tenant`, `subscription` and `strategies`, each strategy a
 * `{name, connections: [{name, display_name, …}]}` (lock src/core/client/index.js `formatClient`); the
 * strategy name decides the connection's kind (`email`/`sms` passwordless, `auth0` database, social
 * names). `subscription` is left out: Lock shows its Auth0 badge for "free" and "dev".
 */
interface ConnectionSettings {
  name: string;
  display_name?: string;
  /** Database connections: Understudy has no sign-up or password reset for Lock to offer. */
  showSignup?: boolean;
  showForgot?: boolean;
}

export interface ClientSettings {
  id: string;
  strategies: { name: string; connections: ConnectionSettings[] }[];
}

export function clientSettings(tenant: Tenant, client: Client): ClientSettings {
  const strategies: ClientSettings['strategies'] = [];
  for (const connection of tenant.connections) {
    if (!connection.enabledClients.has(client.clientId)) continue;
    let strategy = strategies.find((s) => s.name === connection.strategy);
    if (!strategy) {
      strategy = { name: connection.strategy, connections: [] };
      strategies.push(strategy);
    }
    const settings: ConnectionSettings = { name: connection.name };
    if (connection.kind === 'social') settings.display_name = connection.displayName;
    if (connection.kind === 'database') Object.assign(settings, { showSignup: false, showForgot: false });
    strategy.connections.push(settings);
  }
  return { id: client.clientId, strategies };
}
