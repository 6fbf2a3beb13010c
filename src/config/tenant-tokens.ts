import type { TenantFile } from './tenant-schema.js';
import { mayBeSet } from '../actions/restricted-claims.js';
import type { ClaimRule, Client, ClientGrant } from '../tenant/model.js';

/**
 * Who may get tokens for an API and what tokens carry: the export's client grants, and the tenant
 * file's own `claims` shorthand. A grant for a client the export lacks is a warning: it is kept, so the
 * API stays closed to clients no grant names, but no client matches it.
 */
export function buildClientGrants(file: TenantFile, clientRef: (ref: string) => Client | undefined, warnings: string[]): ClientGrant[] {
  return (file.clientGrants ?? []).map((grant, i) => {
    const client = clientRef(grant.client_id);
    if (!client) warnings.push(`clientGrants[${i}].client_id: no client named "${grant.client_id}" in the export, so no client gets tokens for ${grant.audience} through this grant`);
    return {
      clientId: client?.clientId ?? grant.client_id,
      audience: grant.audience,
      scopes: grant.scope ?? [],
      organizationUsage: grant.organization_usage ?? 'deny',
      allowAnyOrganization: grant.allow_any_organization === true,
    };
  });
}

export function buildClaims(file: TenantFile, clientRef: (ref: string) => Client | undefined, problems: string[]): ClaimRule[] {
  return (file.claims ?? []).map((claim, i) => {
    if (!mayBeSet(claim.name)) problems.push(`claims[${i}].name: "${claim.name}" is a reserved claim; use a namespaced name such as https://example.com/${claim.name}`);
    if ((claim.from === undefined) === (claim.value === undefined)) problems.push(`claims[${i}]: give exactly one of "from" and "value"`);
    const ids = (claim.clients ?? []).map((ref, j) => {
      const client = clientRef(ref);
      if (!client) problems.push(`claims[${i}].clients[${j}]: no client named "${ref}"`);
      return client?.clientId ?? ref;
    });
    return { name: claim.name, from: claim.from, value: claim.value, clients: ids, audiences: claim.audiences ?? [], tokens: claim.tokens ?? ['id_token', 'access_token'] };
  });
}
