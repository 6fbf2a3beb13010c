import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../http/app-deps.js';
import type { ManagementCaller, RouteAccess } from '../../management/management-access.js';
import { createManagementGate } from '../../management/management-gate.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A Management API route's scopes (ACCESS below); the scope's hook checks the caller's token against them. */
    access?: RouteAccess;
    /** The route parameter naming the user a user's own token may act on (`/users/:id`). */
    accessTarget?: string;
  }
  interface FastifyRequest {
    /** Who called a Management API route, once its access hook let them in. */
    managementCaller?: ManagementCaller;
  }
}

/**
 * Each Management API route's scopes, as Auth0 documents them
 * (docs/research/auth0-security-and-management.md, auth0-actions-rbac.md §11); any one of a list
 * suffices. A route names its entry in its config; one hook per scope checks every call.
 */
export const ACCESS = {
  readUsers: { admin: ['read:users'] },
  readUser: { admin: ['read:users'], currentUser: ['read:current_user'] },
  createUser: { admin: ['create:users'] },
  updateUser: { admin: ['update:users'], currentUser: ['update:current_user_metadata', 'create:current_user_metadata'] },
  updateUsers: { admin: ['update:users'] },
  createUserTickets: { admin: ['create:user_tickets'] },
  deleteUser: { admin: ['delete:users'], currentUser: ['delete:current_user'] },
  readAuthenticationMethods: { admin: ['read:authentication_methods'] },
  deleteAuthenticationMethods: { admin: ['delete:authentication_methods'] },
  readClients: { admin: ['read:clients'] },
  readClientKeys: { admin: ['read:client_keys'] },
  readConnections: { admin: ['read:connections'] },
  readRoles: { admin: ['read:roles'] },
  createRoles: { admin: ['create:roles'] },
  updateRoles: { admin: ['update:roles'] },
  deleteRoles: { admin: ['delete:roles'] },
  readRoleMembers: { admin: ['read:users', 'read:roles', 'read:role_members'] },
  assignRoleMembers: { admin: ['update:roles', 'create:role_members'] },
  assignUserRoles: { admin: ['update:users', 'create:role_members'] },
  removeUserRoles: { admin: ['update:users', 'delete:role_members'] },
  readResourceServers: { admin: ['read:resource_servers'] },
  // Organizations (docs/research/auth0-organizations.md §6.1).
  readOrganizations: { admin: ['read:organizations', 'read:organizations_summary'] },
  createOrganizations: { admin: ['create:organizations'] },
  updateOrganizations: { admin: ['update:organizations'] },
  deleteOrganizations: { admin: ['delete:organizations'] },
  readOrganizationConnections: { admin: ['read:organization_connections'] },
  createOrganizationConnections: { admin: ['create:organization_connections'] },
  updateOrganizationConnections: { admin: ['update:organization_connections'] },
  deleteOrganizationConnections: { admin: ['delete:organization_connections'] },
  readOrganizationMembers: { admin: ['read:organization_members'] },
  createOrganizationMembers: { admin: ['create:organization_members'] },
  deleteOrganizationMembers: { admin: ['delete:organization_members'] },
  readOrganizationMemberRoles: { admin: ['read:organization_member_roles'] },
  createOrganizationMemberRoles: { admin: ['create:organization_member_roles'] },
  deleteOrganizationMemberRoles: { admin: ['delete:organization_member_roles'] },
  readUserOrganizations: { admin: ['read:organizations'] },
  readOrganizationInvitations: { admin: ['read:organization_invitations'] },
  createOrganizationInvitations: { admin: ['create:organization_invitations'] },
  deleteOrganizationInvitations: { admin: ['delete:organization_invitations'] },
  // Guardian (docs/research/auth0-mfa.md §4.2): the tenant's factors and policy, and users' enrollments.
  readGuardianFactors: { admin: ['read:guardian_factors'] },
  updateGuardianFactors: { admin: ['update:guardian_factors'] },
  readMfaPolicies: { admin: ['read:mfa_policies'] },
  updateMfaPolicies: { admin: ['update:mfa_policies'] },
  readGuardianEnrollments: { admin: ['read:guardian_enrollments'] },
  deleteGuardianEnrollments: { admin: ['delete:guardian_enrollments'] },
} satisfies Record<string, RouteAccess>;

/**
 * The door of every route in the scope: the Bearer token must verify, be for the Management API, and
 * carry the route's scope for its caller. A route registered without `config.access` stops start-up,
 * so none is open by omission.
 */
export function guardManagementRoutes(scope: FastifyInstance, deps: AppDeps): void {
  const gate = createManagementGate(deps);
  scope.addHook('onRoute', (route) => {
    if (!route.config?.access) throw new Error(`the Management API route ${route.method} ${route.url} names no access in its config`);
  });
  // preValidation: once the body is in (a slow body still times out as on every route), before the
  // schemas judge it, so an unauthenticated caller learns nothing of the route's contract.
  scope.addHook('preValidation', async (request) => {
    const { access, accessTarget } = request.routeOptions.config;
    const target = accessTarget ? (request.params as Record<string, string | undefined>)[accessTarget] : undefined;
    request.managementCaller = await gate(request.headers.authorization, access!, target);
  });
}
