import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { AnyObject } from '../http/route-schemas.js';
import type { Role } from '../store/records.js';

/**
 * Organizations for testers and demos: `GET /_dev/api/organizations` lists each organization with
 * its connections and its members (email and the roles held there), so that a demo can pick one to
 * log in to (`/authorize?organization=<id>`). The dev mailbox page shows the list.
 */
export async function devOrganizationRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = deps;

  app.get('/_dev/api/organizations', { schema: { response: { 200: AnyObject } } }, async (_request, reply) => {
    const roles = new Map<string, Role>((await store.listRoles()).map((role) => [role.id, role]));
    const organizations = await Promise.all(
      (await store.listOrganizations()).map(async (organization) => ({
        id: organization.id,
        name: organization.name,
        display_name: organization.display_name ?? organization.name,
        connections: organization.enabled_connections.map((c) => c.connection),
        members: await Promise.all(
          (await store.listOrganizationMembers(organization.id)).map(async (member) => ({
            user_id: member.userId,
            email: (await store.getUser(member.userId))?.email,
            roles: member.roleIds.flatMap((id) => roles.get(id)?.name ?? []),
          })),
        ),
      })),
    );
    return reply.header('Cache-Control', 'no-store').send({ organizations });
  });
}
