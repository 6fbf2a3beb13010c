import { accessDenied, invalidRequest, oauthError, unauthorizedClient } from '../../errors.js';
import type { Organization } from '../../store/records.js';
import { findResourceServer, requestedAudience, type ResourceServer, type Tenant } from '../../tenant/model.js';
import { isManagementGrantAudience, managementAudience } from '../../tenant/management-api.js';
import { normalizeScope } from '../authorize-request.js';
import { stringField } from '../client-auth.js';
import { ISSUED_FOR, type GrantHandler } from './types.js';

/**
 * Machine-to-machine tokens (RFC 6749 §4.4) for a confidential client and an API. The scopes come
 * from the tenant's client grants; an API that no grant mentions is open to every client with all its
 * scopes (convenient for a mock), while the Management API always needs a grant, as in Auth0.
 */
export const clientCredentialsGrant: GrantHandler = async (params, caller, ctx, request) => {
  if (caller.method === 'none') throw unauthorizedClient('Client authentication is required for client_credentials');
  const audience = requestedAudience(ctx.tenant, stringField(params, 'audience'));
  if (!audience) throw accessDenied('No audience parameter was provided, and no default audience has been configured');
  const api = findResourceServer(ctx.tenant, audience);
  if (!api) throw accessDenied.unknownAudience(audience);

  const allowed = grantedScopes(ctx.tenant, caller.client.clientId, api, ctx.issuer);
  if (!allowed) {
    throw accessDenied(
      `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API.`,
    );
  }
  const organization = await machineOrganization(ctx, caller.client.clientId, api, stringField(params, 'organization'));
  const requested = normalizeScope(stringField(params, 'scope'));
  const scope = requested ? requested.split(' ').filter((s) => allowed.includes(s)).join(' ') : allowed.join(' ');
  // The tenant's credentials-exchange Actions may add claims or refuse (Auth0: 400, or 500 for server_error).
  const actions = await ctx.flows.credentialsExchange({ client: caller.client, audience: api.identifier, scopes: scope.split(' ').filter(Boolean), request, organization });
  if (actions.refusal) {
    throw oauthError(actions.refusal.error, actions.refusal.description, actions.refusal.error === 'server_error' ? { status: 500 } : {});
  }
  const issued = await ctx.tokens.machineAccessToken(caller.client, api.identifier, scope, actions.accessTokenClaims, organization && { id: organization.id, name: organization.name });
  return { access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn, scope: issued.scope, [ISSUED_FOR]: api.identifier };
};

/**
 * Organizations for machine-to-machine tokens (docs/research/auth0-organizations.md §7.2): the client
 * grant's organization_usage decides whether `organization` may (allow), must (require) or may not
 * (deny, the default) be sent, and the organization must have the grant assigned unless the grant
 * allows any organization. Auth0's texts for these refusals are not documented; these are Understudy's.
 */
async function machineOrganization(ctx: Parameters<GrantHandler>[2], clientId: string, api: ResourceServer, requested: string | undefined): Promise<Organization | undefined> {
  const grant = ctx.tenant.clientGrants.find((g) => g.clientId === clientId && g.audience === api.identifier);
  const usage = grant?.organizationUsage ?? 'deny';
  if (!requested) {
    if (usage === 'require') throw invalidRequest(`The client grant for "${api.identifier}" requires an organization`);
    return undefined;
  }
  if (usage === 'deny') throw invalidRequest(`The client grant for "${api.identifier}" does not allow an organization`);
  const resolved = await ctx.organizations.resolve(requested);
  if (!resolved.ok) throw invalidRequest(resolved.reason === 'name_not_allowed' ? 'organization must be an organization id' : `parameter organization is invalid: ${requested}`);
  if (!grant?.allowAnyOrganization && !(resolved.organization.client_grants ?? []).includes(clientId)) {
    throw accessDenied(`The client grant for "${api.identifier}" is not assigned to the organization ${resolved.organization.id}`);
  }
  return resolved.organization;
}

function grantedScopes(tenant: Tenant, clientId: string, api: ResourceServer, issuer: string): string[] | undefined {
  const isManagement = api.identifier === managementAudience(issuer);
  const forApi = tenant.clientGrants.filter((g) => (isManagement ? isManagementGrantAudience(g.audience) : g.audience === api.identifier));
  if (!isManagement && forApi.length === 0) return api.scopes;
  const grant = forApi.find((g) => g.clientId === clientId);
  return grant ? grant.scopes.filter((s) => api.scopes.includes(s)) : undefined;
}
