import type { Transaction } from '../store/records.js';
import { findConnection, type Client, type Connection, type Tenant } from '../tenant/model.js';
import { planLogin, type LoginPlan } from '../tenant/connection-rules.js';

/**
 * The login a transaction presents, decided once at /authorize (tenant/connection-rules.ts has the
 * rules) and kept on the transaction, so the screens never plan again: the connection they present
 * and the client's social connections. The social buttons go with the tenant's default login for the
 * client: they show beside its connection (or alone, with no other connection), not beside one
 * /authorize asked for by name.
 */
export type StoredPlan = NonNullable<Transaction['plan']>;

/** The plan for an /authorize (which throws for a connection the client may not use), and what the transaction keeps of it. */
export function planTransaction(tenant: Tenant, client: Client, requested: string | undefined): { plan: LoginPlan; stored: StoredPlan } {
  const plan = planLogin(tenant, client, requested);
  const byDefault = requested ? planLogin(tenant, client, undefined) : plan;
  return {
    plan,
    stored: {
      connection: byDefault.kind === 'social-only' ? '' : byDefault.connection.name,
      socials: 'socials' in byDefault ? byDefault.socials.map((s) => s.name) : [],
    },
  };
}

/** The connection a new transaction presents ('' when the client has only social connections). */
export const presentedConnection = (plan: LoginPlan): string => (plan.kind === 'social-only' ? '' : plan.connection.name);

/** The social buttons the identifier screens show for this transaction. */
export function socialButtons(tenant: Tenant, txn: Transaction): Connection[] {
  const plan = txn.plan;
  if (!plan || (plan.connection !== '' && plan.connection !== txn.connection)) return [];
  return plan.socials.map((name) => findConnection(tenant, name)).filter((c): c is Connection => c !== undefined);
}

/** One of the client's social connections, by name, or an enterprise connection of the client (home-realm discovery reaches those without a button). */
export function offeredSocial(tenant: Tenant, txn: Transaction, name: string | undefined): Connection | undefined {
  if (!name) return undefined;
  if (txn.plan?.socials.includes(name)) return findConnection(tenant, name);
  const connection = findConnection(tenant, name);
  return connection?.enterprise && connection.enabledClients.has(txn.clientId) ? connection : undefined;
}

/**
 * Home-realm discovery (Identifier First): an email address at a domain of one of the client's
 * enterprise connections (options.domain_aliases, tenant_domain) goes to that connection instead of
 * a password or a code.
 */
export function homeRealm(tenant: Tenant, client: Client | undefined, email: string): Connection | undefined {
  if (!client || !email.includes('@')) return undefined;
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return tenant.connections.find((c) => c.enterprise?.domains.includes(domain) && c.enabledClients.has(client.clientId));
}
