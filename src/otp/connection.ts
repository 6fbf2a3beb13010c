import type { Connection, Tenant } from '../tenant/model.js';

/**
 * Which passwordless connection a request names, checked once for every API surface
 * (/passwordless/start, the OTP grant, magic links). A refusal lists every rule the name breaks, in
 * the order /passwordless/start reports them; each surface words the one it reports.
 */
export type ConnectionRefusal = 'missing' | 'not_found' | 'not_passwordless' | 'disabled';

export type ConnectionLookup = { ok: true; connection: Connection } | { ok: false; reasons: ConnectionRefusal[] };

export function passwordlessConnection(tenant: Tenant, clientId: string, name: unknown): ConnectionLookup {
  if (name === undefined || name === '') return { ok: false, reasons: ['missing'] };
  const connection = typeof name === 'string' ? tenant.connections.find((c) => c.name === name) : undefined;
  if (!connection) return { ok: false, reasons: ['not_found'] };
  const reasons: ConnectionRefusal[] = [];
  if (connection.kind !== 'passwordless') reasons.push('not_passwordless');
  if (!connection.enabledClients.has(clientId)) reasons.push('disabled');
  return reasons.length ? { ok: false, reasons } : { ok: true, connection };
}
