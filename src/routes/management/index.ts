import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../http/app-deps.js';
import { installManagementErrorHandling } from '../../http/error-handler.js';
import { guardManagementRoutes } from './access.js';
import { userRoutes } from './users.js';
import { userBlockRoutes } from './user-blocks.js';
import { roleRoutes } from './roles.js';
import { tenantObjectRoutes } from './tenant-objects.js';
import { userAuthenticatorRoutes } from './user-authenticators.js';
import { guardianRoutes } from './guardian.js';
import { ticketRoutes } from './tickets.js';
import { organizationRoutes } from './organizations.js';

/**
 * The Management API v2 subset node-auth0's ManagementClient drives, in a scope of its own: its errors
 * take the Management API's shape, and one hook checks every route's access (routes/management/access.ts).
 */
export async function managementRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  installManagementErrorHandling(scope, deps.tenant);
  guardManagementRoutes(scope, deps);
  for (const routes of [userRoutes, userAuthenticatorRoutes, userBlockRoutes, roleRoutes, tenantObjectRoutes, guardianRoutes, ticketRoutes, organizationRoutes]) await routes(scope, deps);
}
