import type { User } from '../store/records.js';
import type { Client, Tenant } from '../tenant/model.js';

/**
 * The tenant's `claims` rules, applied where an Auth0 Action would add them: to ID tokens for the
 * listed clients and to access tokens for the listed APIs, from the user's metadata or a constant.
 * Read at issue time, so a change made through the Management API shows in the next token.
 */
export function customClaims(
  tenant: Tenant,
  target: { token: 'id_token' | 'access_token'; client: Client; user: User; audience?: string | undefined },
): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const rule of tenant.claims) {
    if (!rule.tokens.includes(target.token)) continue;
    if (rule.clients.length && !rule.clients.includes(target.client.clientId)) continue;
    if (target.token === 'access_token' && rule.audiences.length && !rule.audiences.includes(target.audience ?? '')) continue;
    const value = rule.from ? valueAt(target.user, rule.from) : rule.value;
    if (value !== undefined) claims[rule.name] = structuredClone(value);
  }
  return claims;
}

function valueAt(user: User, path: string): unknown {
  let current: unknown = user;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
