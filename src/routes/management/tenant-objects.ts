import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../http/app-deps.js';
import { connectionId } from '../../tenant/model.js';
import { allows } from '../../management/management-access.js';
import { offsetList } from '../../management/paging.js';
import { resourceServerNotFound } from '../../management/management-error.js';
import { resourceServerId, resourceServerJson } from '../../management/rbac-shapes.js';
import { AnyObject, ListOrPage, paramsOf, queryWith } from '../../http/route-schemas.js';
import { ACCESS } from './access.js';

/** The tenant's clients, connections and APIs, read only: what the tenant file defines. */
export async function tenantObjectRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { tenant, issuer } = deps;
  const paging = { querystring: queryWith(['page', 'per_page', 'include_totals']), response: { 200: ListOrPage } };

  app.get('/api/v2/clients', { config: { access: ACCESS.readClients }, schema: paging }, async (request) => {
    const withKeys = request.managementCaller !== undefined && allows(request.managementCaller, ACCESS.readClientKeys);
    const clients = tenant.clients.map((c) => ({
      client_id: c.clientId,
      name: c.name,
      app_type: c.appType,
      callbacks: c.callbacks,
      allowed_logout_urls: c.allowedLogoutUrls,
      web_origins: c.webOrigins,
      grant_types: c.grantTypes,
      token_endpoint_auth_method: c.tokenEndpointAuthMethod,
      ...(withKeys && c.clientSecret ? { client_secret: c.clientSecret } : {}),
    }));
    return offsetList(request.query, 'clients', clients, { withLength: true });
  });

  app.get('/api/v2/connections', { config: { access: ACCESS.readConnections }, schema: paging }, async (request) => {
    const connections = tenant.connections.map((c) => ({
      id: connectionId(c.name),
      name: c.name,
      strategy: c.strategy,
      enabled_clients: [...c.enabledClients],
      options: c.kind === 'passwordless' ? { totp: { length: c.otp.length, time_step: c.otp.timeStepSeconds }, disable_signup: c.disableSignup } : {},
    }));
    return offsetList(request.query, 'connections', connections, { withLength: true });
  });

  app.get('/api/v2/resource-servers', { config: { access: ACCESS.readResourceServers }, schema: { querystring: queryWith(['page', 'per_page', 'include_totals', 'identifiers']), response: { 200: ListOrPage } } }, async (request) => {
    const wanted = request.query.identifiers;
    const identifiers = wanted === undefined ? undefined : new Set((Array.isArray(wanted) ? wanted : [wanted]).flatMap((w) => w.split(',')));
    const apis = tenant.resourceServers.filter((api) => !identifiers || identifiers.has(api.identifier));
    return offsetList(request.query, 'resource_servers', apis.map((api) => resourceServerJson(api, issuer)));
  });

  // By id or by identifier (the audience), as Auth0 takes either.
  app.get('/api/v2/resource-servers/:id', { config: { access: ACCESS.readResourceServers }, schema: { params: paramsOf('id'), response: { 200: AnyObject } } }, async (request) => {
    const { id } = request.params;
    const api = tenant.resourceServers.find((r) => resourceServerId(r) === id || r.identifier === id);
    if (!api) throw resourceServerNotFound();
    return resourceServerJson(api, issuer);
  });
}
