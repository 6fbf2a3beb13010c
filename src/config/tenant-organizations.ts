import { createHash } from 'node:crypto';
import { connectionId, type Connection, type SeedOrganization, type SeedUser, type TenantRole } from '../tenant/model.js';
import type { TenantFile } from './tenant-schema.js';
import { checkUnique } from './tenant-clients.js';

/**
 * The tenant file's organizations (Deploy CLI: organizations/<name>.json): their enabled connections
 * by name (or `con_<name>` id), and their members, Understudy's own key since exports carry none.
 * An organization without an `id` gets one derived from its name, so it keeps it across restarts
 * (`org_` and 16 alphanumerics, Auth0's form). A connection the tenant does not have is left out,
 * as the Deploy CLI leaves it out; a member or role that does not exist is a problem.
 */
export function buildOrganizations(
  entries: TenantFile['organizations'],
  context: { connections: Connection[]; roles: TenantRole[]; users: SeedUser[]; clientRef: (ref: string) => { clientId: string } | undefined },
  found: { problems: string[]; warnings: string[] },
): SeedOrganization[] {
  const list = entries ?? [];
  checkUnique(list.map((o) => o.name), (i) => `organizations[${i}].name`, found.problems);
  const roleNames = new Set(context.roles.map((r) => r.name));
  return list.map((entry, i) => {
    const path = `organizations[${i}]`;
    const connections = (entry.connections ?? []).flatMap((c, j) => {
      const name = c.name ?? context.connections.find((known) => connectionId(known.name) === c.connection_id)?.name;
      const connection = name ? context.connections.find((known) => known.name === name) : undefined;
      if (!connection) {
        found.warnings.push(`${path}.connections[${j}]: no connection ${c.name ? `named "${c.name}"` : `with id "${c.connection_id ?? ''}"`} in the tenant, so the organization "${entry.name}" logs in without it`);
        return [];
      }
      const assign = c.assign_membership_on_login ?? false;
      if (c.is_signup_enabled && (!assign || connection.kind !== 'database')) {
        found.problems.push(`${path}.connections[${j}].is_signup_enabled: Auth0 allows it only on a database connection with assign_membership_on_login: true ("${connection.name}" is ${connection.kind === 'database' ? 'without auto-membership' : `a ${connection.kind} connection`})`);
      }
      return [{ connection: connection.name, assign_membership_on_login: assign, show_as_button: c.show_as_button ?? true, is_signup_enabled: c.is_signup_enabled === true }];
    });
    const members = (entry.members ?? []).map((member, j) => {
      const email = member.email.trim().toLowerCase();
      const seeded = context.users.some((u) => u.email?.toLowerCase() === email && (!member.connection || u.connection === member.connection));
      if (!seeded) found.problems.push(`${path}.members[${j}].email: no user "${member.email}"${member.connection ? ` on ${member.connection}` : ''} in users; members are the tenant file's users`);
      (member.roles ?? []).forEach((name, k) => {
        if (!roleNames.has(name)) found.problems.push(`${path}.members[${j}].roles[${k}]: no role named "${name}" in roles`);
      });
      return { email, connection: member.connection, roles: member.roles ?? [] };
    });
    return {
      id: entry.id ?? derivedId(entry.name),
      name: entry.name,
      displayName: entry.display_name,
      branding: entry.branding,
      metadata: entry.metadata,
      connections,
      members,
      clientGrants: (entry.client_grants ?? []).flatMap((grant, j) => {
        const client = context.clientRef(grant.client_id);
        if (!client) found.warnings.push(`${path}.client_grants[${j}].client_id: no client named "${grant.client_id}" in the export, so no machine token names the organization "${entry.name}" through it`);
        return client ? [client.clientId] : [];
      }),
    };
  });
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function derivedId(name: string): string {
  const digest = createHash('sha256').update(`organization:${name}`).digest();
  return `org_${[...digest.subarray(0, 16)].map((byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('')}`;
}
