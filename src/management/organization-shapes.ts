import { connectionId, findConnection, type Tenant } from '../tenant/model.js';
import type { Organization, OrganizationConnection, Role, User } from '../store/records.js';
import { badRequest, invalidPayload } from './management-error.js';

/**
 * Organizations in the Management API's shapes (docs/research/auth0-organizations.md §6, from recorded
 * answers): unset fields left out, enabled connections by `con_` id with their `{name, strategy}`, and
 * `is_signup_enabled` on database connections only. Bodies are checked as Auth0 checks them.
 */
export const NAME_PATTERN = /^[a-z0-9_-]{1,50}$/;
const COLOR = /^#[0-9A-Fa-f]{3,8}$/;

export function organizationJson(organization: Organization): Record<string, unknown> {
  return {
    id: organization.id,
    name: organization.name,
    ...(organization.display_name !== undefined ? { display_name: organization.display_name } : {}),
    ...(organization.branding !== undefined ? { branding: organization.branding } : {}),
    ...(organization.metadata !== undefined ? { metadata: organization.metadata } : {}),
  };
}

export function enabledConnectionJson(tenant: Tenant, enabled: OrganizationConnection): Record<string, unknown> {
  const connection = findConnection(tenant, enabled.connection);
  return {
    connection_id: connectionId(enabled.connection),
    assign_membership_on_login: enabled.assign_membership_on_login,
    show_as_button: enabled.show_as_button,
    ...(connection?.kind === 'database' ? { is_signup_enabled: enabled.is_signup_enabled } : {}),
    connection: { name: enabled.connection, strategy: connection?.strategy ?? 'auth0' },
  };
}

export const memberJson = (user: User, roles?: Role[]): Record<string, unknown> => ({
  user_id: user.user_id,
  email: user.email,
  picture: user.picture,
  name: user.name,
  ...(roles ? { roles: roles.map((role) => ({ id: role.id, name: role.name })) } : {}),
});

function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidPayload('Expected type object but found type ' + (Array.isArray(body) ? 'array' : typeof body));
  return body as Record<string, unknown>;
}

type OrganizationFields = Pick<Organization, 'name' | 'display_name' | 'branding' | 'metadata'>;

/** POST (name required) and PATCH bodies: name, display_name, branding, metadata, checked as Auth0 checks them. */
export function organizationBody(body: unknown, creating: boolean): Partial<OrganizationFields> {
  const fields = objectBody(body);
  const out: Partial<OrganizationFields> = {};
  if (fields.name !== undefined || creating) {
    if (typeof fields.name !== 'string') throw invalidPayload(fields.name === undefined ? 'Missing required property: name' : `Expected type string but found type ${typeof fields.name}`, fields.name === undefined ? undefined : 'name');
    if (!NAME_PATTERN.test(fields.name)) throw invalidPayload(`String does not match pattern ^[a-z0-9_-]+$ (1 to 50 characters): ${fields.name}`, 'name');
    out.name = fields.name;
  }
  if (fields.display_name !== undefined) {
    if (typeof fields.display_name !== 'string' || fields.display_name.length > 255) throw invalidPayload('Expected a string of at most 255 characters', 'display_name');
    out.display_name = fields.display_name;
  }
  if (fields.branding !== undefined) out.branding = brandingOf(fields.branding);
  if (fields.metadata !== undefined) {
    const metadata = fields.metadata;
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw invalidPayload('Expected type object', 'metadata');
    const entries = Object.entries(metadata);
    if (entries.length > 25) throw invalidPayload('Too many properties: at most 25', 'metadata');
    if (!entries.every(([, value]) => typeof value === 'string' && value.length <= 255)) throw invalidPayload('Every value must be a string of at most 255 characters', 'metadata');
    out.metadata = Object.fromEntries(entries) as Record<string, string>;
  }
  return out;
}

function brandingOf(value: unknown): Organization['branding'] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidPayload('Expected type object', 'branding');
  const branding = value as Record<string, unknown>;
  const out: NonNullable<Organization['branding']> = {};
  if (branding.logo_url !== undefined) {
    if (typeof branding.logo_url !== 'string' || !/^https?:\/\//.test(branding.logo_url)) throw invalidPayload('Object didn\'t pass validation for format absolute-https-uri-or-empty', 'branding.logo_url');
    out.logo_url = branding.logo_url;
  }
  if (branding.colors !== undefined) {
    const colors = branding.colors as Record<string, unknown> | null;
    if (!colors || typeof colors.primary !== 'string' || typeof colors.page_background !== 'string' || !COLOR.test(colors.primary) || !COLOR.test(colors.page_background)) {
      throw invalidPayload('colors needs primary and page_background, each a hex colour', 'branding.colors');
    }
    out.colors = { primary: colors.primary, page_background: colors.page_background };
  }
  return out;
}

/** An enabled connection's body: POST names it (`connection_id`), PATCH only changes its switches. */
export function enabledConnectionBody(tenant: Tenant, body: unknown, existing?: OrganizationConnection): OrganizationConnection {
  const fields = objectBody(body);
  let name = existing?.connection;
  if (!existing) {
    const id = fields.connection_id;
    if (typeof id !== 'string' || !id) throw invalidPayload('Missing required property: connection_id');
    name = tenant.connections.find((c) => connectionId(c.name) === id || c.name === id)?.name;
    if (!name) throw badRequest('The specified connection does not exist.');
  }
  const flag = (key: 'assign_membership_on_login' | 'show_as_button' | 'is_signup_enabled', fallback: boolean): boolean => {
    const value = fields[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw invalidPayload(`Expected type boolean but found type ${typeof value}`, key);
    return value;
  };
  const enabled: OrganizationConnection = {
    connection: name!,
    assign_membership_on_login: flag('assign_membership_on_login', existing?.assign_membership_on_login ?? false),
    show_as_button: flag('show_as_button', existing?.show_as_button ?? true),
    is_signup_enabled: flag('is_signup_enabled', existing?.is_signup_enabled ?? false),
  };
  if (enabled.is_signup_enabled && (!enabled.assign_membership_on_login || findConnection(tenant, enabled.connection)?.kind !== 'database')) {
    throw badRequest('Only database connections with assign_membership_on_login = true support is_signup_enabled = true.');
  }
  return enabled;
}

/** `{members: [...]}` or `{roles: [...]}`: a non-empty list of ids (Auth0 takes at most 10 members a call). */
export function idList(body: unknown, key: 'members' | 'roles', most: number): string[] {
  const ids = objectBody(body)[key];
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && id)) throw invalidPayload(`${key} must be a non-empty array of ids`, key);
  if (ids.length > most) throw invalidPayload(`Array is too long (${ids.length}), maximum ${most}`, key);
  return [...new Set(ids as string[])];
}
