import { createRequire } from 'node:module';
import type { TenantFile } from './tenant-schema.js';
import { ConfigError, formatPath } from './config-error.js';
import { parseRateLimits } from './rate-limit-settings.js';
import { KEYWORD_HELP, keywordMarkers, markersInValues } from './keywords.js';
import { buildClient, buildConnection, isAbsoluteUrl } from './tenant-entries.js';
import { buildActions } from './tenant-actions.js';
import { buildResourceServers, buildRoles, checkUserRoles } from './tenant-roles.js';
import { RESTRICTED_CLAIMS } from '../oauth/restricted-claims.js';
import { isDirectory } from './export-directory.js';
import { dirname, resolve } from 'node:path';

export { readTenantFile, parseTenantText } from './tenant-read.js';
import { MAX_MATCH_LENGTH } from '../dev/fixed-codes.js';
import { normalizeEmail, normalizePhoneNumber } from '../otp/identifiers.js';
import {
  APP_TYPES,
  type AppType,
  type CustomText,
  type Client,
  type SeedUser,
  type Tenant,
} from '../tenant/model.js';

// Start-up loads only what a valid tenant file needs: yaml for a YAML file, and TypeBox (hundreds of
// modules, a third of the start-up time) only when the check compiled at build time
// (scripts/emit-tenant-check.mjs) cannot vouch for the file. Run from TypeScript sources (tsx,
// vitest) there is no compiled check, and TypeBox loads at once.
const requireHere = createRequire(import.meta.url);
type Validation = typeof import('./tenant-validation.js');
const compiledCheck = ((): ((value: unknown) => boolean) | undefined => {
  try {
    return (requireHere('./tenant-check.cjs') as { Check(value: unknown): boolean }).Check;
  } catch {
    return undefined;
  }
})();
let validation: Validation | undefined = compiledCheck ? undefined : await import('./tenant-validation.js');
const fullValidation = (): Validation => (validation ??= requireHere('./tenant-validation.js') as Validation);

export interface LoadedTenant {
  tenant: Tenant;
  /** Unknown keys, ignored: exports from Auth0 carry many that Understudy has no use for. */
  ignoredKeys: string[];
  /** Values Understudy reads differently from Auth0; logged at start-up. */
  warnings: string[];
  /** Client ids and secrets Understudy made up because the file had none; printed at start-up. */
  generated: string[];
}

/**
 * Exports write an unset value as `null` or `""` (`logo_uri: ""`, `callbacks: null`); Auth0 reads both
 * as not set, and so does Understudy: such keys are dropped before the file is checked. Metadata and
 * claim values are data, kept as they are.
 */
const DATA_KEYS = new Set(['app_metadata', 'user_metadata', 'client_metadata', 'metadata', 'value']);
function withoutUnsetValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUnsetValues);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === null || item === '') continue;
    out[key] = DATA_KEYS.has(key) ? item : withoutUnsetValues(item);
  }
  return out;
}

/**
 * Validates a tenant document and turns it into the run-time Tenant with every default filled in.
 * `secretSeed` makes generated client secrets stable across restarts without being guessable.
 */
export function buildTenant(raw: unknown, source: string, secretSeed: string): LoadedTenant {
  if (raw === null || raw === undefined) raw = {};
  raw = withoutUnsetValues(raw);
  const ignoredKeys: string[] = [];
  const problems: string[] = [];
  // What the compiled check accepts has no schema errors and no unknown keys.
  const vouched = compiledCheck?.(raw) === true;
  for (const error of vouched ? [] : fullValidation().allSchemaErrors(raw)) {
    if (error.keyword === 'additionalProperties') {
      const names = (error.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      for (const name of names) ignoredKeys.push(formatPath(`${error.instancePath}/${name}`));
    } else if (error.keyword !== 'boolean' && !isBranchNoise(error.keyword)) {
      problems.push(`${formatPath(error.instancePath)}: ${error.message}`);
    }
  }
  if (problems.length) throw new ConfigError(source, dedupe(problems));

  const file = vouched ? structuredClone(raw as TenantFile) : fullValidation().stripUnknown(raw as TenantFile);
  // A keyword marker left in a value Understudy uses (a URL, a name) would be taken literally.
  // Message templates are exempt: there `@@password@@` is Auth0's macro for the code, and Liquid is theirs.
  for (const { marker, path } of markersInValues(file)) {
    if (!/\.options\.(template|email\.)/.test(path)) problems.push(`${path}: ${marker} has no mapping; ${KEYWORD_HELP}`);
  }
  const generated: string[] = [];
  const warnings: string[] = [];
  (file.clients ?? []).forEach((entry, i) => {
    if (entry.app_type !== undefined && !APP_TYPES.includes(entry.app_type as AppType)) {
      problems.push(`clients[${i}].app_type: "${entry.app_type}" is not an Auth0 app type; allowed: ${APP_TYPES.join(', ')}`);
    }
  });
  const clients = (file.clients ?? []).map((entry) => buildClient(entry, secretSeed, generated));
  checkUnique(clients.map((c) => c.clientId), (i) => `clients[${i}].client_id`, problems);
  checkUnique((file.clients ?? []).map((c) => c.name), (i) => `clients[${i}].name`, problems);
  (file.clients ?? []).forEach((entry, i) => {
    for (const key of ['callbacks', 'allowed_logout_urls', 'web_origins'] as const) {
      (entry[key] ?? []).forEach((url, j) => {
        // A URL with an unmapped keyword is reported once, as the keyword (below).
        if (!isAbsoluteUrl(url) && keywordMarkers(url).length === 0) problems.push(`clients[${i}].${key}[${j}]: must be an absolute URL, got "${url}"`);
      });
    }
    if (entry.cross_origin_loc !== undefined && !isAbsoluteUrl(entry.cross_origin_loc) && keywordMarkers(entry.cross_origin_loc).length === 0) {
      problems.push(`clients[${i}].cross_origin_loc: must be an absolute URL, got "${entry.cross_origin_loc}"`);
    }
    if (entry.token_endpoint_auth_method === 'none' && entry.client_secret) {
      problems.push(`clients[${i}].client_secret: a client with token_endpoint_auth_method "none" must not have a secret`);
    }
  });

  const connections = [
    ...(file.connections ?? []).map((entry, i) => buildConnection(entry, `connections[${i}]`, file.clients ?? [], clients, problems)),
    ...(file.databases ?? []).map((entry, i) =>
      buildConnection({ ...entry, strategy: 'auth0' }, `databases[${i}]`, file.clients ?? [], clients, problems),
    ),
  ];
  checkUnique(connections.map((c) => c.name), (i) => `connections[${i}].name`, problems);

  const resourceServers = buildResourceServers(file.resourceServers);
  checkUnique(resourceServers.map((r) => r.identifier), (i) => `resourceServers[${i}].identifier`, problems);
  const roles = buildRoles(file.roles, resourceServers, problems, warnings);
  checkUnique(roles.map((r) => r.name), (i) => `roles[${i}].name`, problems);
  // Ids derived from names collide only when the names do, which is reported already.
  checkUnique((file.roles ?? []).map((r, i) => r.id ?? `\u0000${i}`), (i) => `roles[${i}].id`, problems);
  checkUserRoles(file.users ?? [], roles, problems);

  const users = (file.users ?? []).map((entry, i): SeedUser => {
    const connection = connections.find((c) => c.name === entry.connection);
    if (!connection) problems.push(`users[${i}].connection: no connection named "${entry.connection}"`);
    let email = entry.email;
    let phoneNumber = entry.phone_number;
    if (email !== undefined) {
      email = normalizeEmail(email);
      if (!email) problems.push(`users[${i}].email: "${entry.email}" is not an email address`);
    }
    if (phoneNumber !== undefined) {
      phoneNumber = normalizePhoneNumber(phoneNumber);
      if (!phoneNumber) problems.push(`users[${i}].phone_number: "${entry.phone_number}" is not an E.164 phone number`);
    }
    if (connection?.strategy === 'sms' && !entry.phone_number) problems.push(`users[${i}].phone_number: required for an sms user`);
    if (connection && connection.strategy !== 'sms' && !entry.email) problems.push(`users[${i}].email: required for a ${connection.strategy} user`);
    if (connection?.kind === 'database' && !entry.password) problems.push(`users[${i}].password: required for a database user`);
    return {
      connection: entry.connection,
      userId: entry.user_id,
      email: email || undefined,
      phoneNumber: phoneNumber || undefined,
      name: entry.name,
      nickname: entry.nickname,
      givenName: entry.given_name,
      familyName: entry.family_name,
      picture: entry.picture,
      password: entry.password,
      emailVerified: entry.email_verified,
      appMetadata: entry.app_metadata ?? {},
      userMetadata: entry.user_metadata ?? {},
      blocked: entry.blocked ?? false,
      roles: [...new Set(entry.roles ?? [])],
    };
  });

  checkUnique(
    users.map((u) => `${u.connection}:${u.phoneNumber && !u.email ? u.phoneNumber : (u.email ?? u.phoneNumber ?? '')}`),
    (i) => `users[${i}]`,
    problems,
  );
  const clientRef = (ref: string): Client | undefined => {
    const i = (file.clients ?? []).findIndex((c) => c.name === ref || c.client_id === ref);
    return clients[i];
  };
  const clientGrants = (file.clientGrants ?? []).map((grant, i) => {
    const client = clientRef(grant.client_id);
    if (!client) problems.push(`clientGrants[${i}].client_id: no client named "${grant.client_id}"`);
    return { clientId: client?.clientId ?? grant.client_id, audience: grant.audience, scopes: grant.scope ?? [] };
  });
  const claims = (file.claims ?? []).map((claim, i) => {
    if (RESTRICTED_CLAIMS.has(claim.name)) problems.push(`claims[${i}].name: "${claim.name}" is a reserved claim; use a namespaced name such as https://example.com/${claim.name}`);
    if ((claim.from === undefined) === (claim.value === undefined)) problems.push(`claims[${i}]: give exactly one of "from" and "value"`);
    const ids = (claim.clients ?? []).map((ref, j) => {
      const client = clientRef(ref);
      if (!client) problems.push(`claims[${i}].clients[${j}]: no client named "${ref}"`);
      return client?.clientId ?? ref;
    });
    return { name: claim.name, from: claim.from, value: claim.value, clients: ids, audiences: claim.audiences ?? [], tokens: claim.tokens ?? ['id_token', 'access_token'] };
  });
  const fixedCodes = (file.dev?.fixed_codes ?? []).map((rule, i) => {
    if (rule.until !== undefined && Number.isNaN(Date.parse(rule.until))) problems.push(`dev.fixed_codes[${i}].until: "${rule.until}" is not an ISO time`);
    if (rule.match.length > MAX_MATCH_LENGTH) problems.push(`dev.fixed_codes[${i}].match: longer than ${MAX_MATCH_LENGTH} characters, more than any email address or phone number`);
    return { match: rule.match, code: rule.code, until: rule.until };
  });

  const rateLimits = parseRateLimits(file.rate_limits, problems, ignoredKeys);
  // An export's actions resolve their packages from node_modules in the export's folder.
  const exportDir = isDirectory(source) ? resolve(source) : dirname(resolve(source));
  const actions = buildActions(file.actions, file.triggers, exportDir, problems, warnings);

  const prompts = {
    identifierFirst: file.prompts?.identifier_first ?? true,
    webauthnPlatformFirstFactor: file.prompts?.webauthn_platform_first_factor ?? false,
  };
  if (prompts.webauthnPlatformFirstFactor && !prompts.identifierFirst) {
    problems.push('prompts.webauthn_platform_first_factor: Identifier First + Biometrics needs identifier_first: true');
  }

  if (problems.length) throw new ConfigError(source, problems);

  const branding = file.branding ?? file.tenant?.branding;
  // New Universal Login's colours (tenant.universal_login.colors) stand in when branding has none.
  const loginColors = file.tenant?.universal_login?.colors;
  const tenant: Tenant = {
    friendlyName: file.tenant?.friendly_name ?? 'Understudy',
    enabledLocales: file.tenant?.enabled_locales?.length ? file.tenant.enabled_locales : ['en'],
    customText: (file.prompts?.customText ?? {}) as CustomText,
    branding: {
      logoUrl: branding?.logo_url ?? file.tenant?.picture_url,
      primaryColor: branding?.colors?.primary ?? loginColors?.primary ?? '#635dff',
      pageBackground: branding?.colors?.page_background ?? loginColors?.page_background ?? '#f3f4f8',
    },
    sessionLifetimeHours: file.tenant?.session_lifetime ?? 72,
    idleSessionLifetimeHours: file.tenant?.idle_session_lifetime ?? 72,
    allowedLogoutUrls: file.tenant?.allowed_logout_urls ?? [],
    defaultDirectory: file.tenant?.default_directory,
    clients,
    connections,
    resourceServers,
    roles,
    users,
    clientGrants,
    claims,
    actions,
    dev: { fixedCodes },
    prompts,
    rateLimits,
  };
  return { tenant, ignoredKeys, warnings, generated };
}



// Errors for a union report every branch; the specific error is reported alongside them.
function isBranchNoise(keyword: string): boolean {
  return keyword === 'anyOf' || keyword === 'oneOf';
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}

function checkUnique(values: string[], pathOf: (i: number) => string, problems: string[]): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) problems.push(`${pathOf(i)}: "${v}" is used twice`);
    seen.add(v);
  });
}
