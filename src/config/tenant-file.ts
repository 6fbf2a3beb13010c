import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { TenantFile } from './tenant-schema.js';
import type { SchemaCheck } from './tenant-validation.js';
import { ConfigError } from './config-error.js';
import { parseRateLimits } from './rate-limit-settings.js';
import { KEYWORD_HELP, markersInValues } from './keywords.js';
import { buildClients } from './tenant-clients.js';
import { buildConnections } from './tenant-connections.js';
import { buildUsers } from './tenant-users.js';
import { buildClaims, buildClientGrants } from './tenant-tokens.js';
import { buildActions } from './tenant-actions.js';
import { buildResourceServers, buildRoles, checkUserRoles } from './tenant-roles.js';
import { checkUnique } from './tenant-clients.js';
import { isDirectory } from './export-directory.js';
import { aboutUnset } from './unset.js';
import { buildMfa } from './tenant-mfa.js';
import { tenantEmails } from './tenant-emails.js';
import { buildOrganizations } from './tenant-organizations.js';
import { MAX_MATCH_LENGTH } from '../dev/fixed-codes.js';
import { strategyGroup, type StrategyGroup } from '../tenant/strategies.js';
import type { Client, CustomText, Tenant } from '../tenant/model.js';

export { readTenantFile, readTenantSource, parseTenantText, type TenantSource } from './tenant-read.js';

// Start-up loads only what a valid tenant file needs: yaml for a YAML file, and TypeBox (hundreds of
// modules, a third of the start-up time) only when the check compiled at build time
// (scripts/emit-tenant-check.mjs) cannot vouch for the file. Run from TypeScript sources (tsx,
// vitest) there is no compiled check, and TypeBox loads at once.
const requireHere = createRequire(import.meta.url);
type Validation = typeof import('./tenant-validation.js');
interface CompiledCheck {
  Check(value: unknown): boolean;
  Options: Record<StrategyGroup, (value: unknown) => boolean>;
}
const compiled = ((): CompiledCheck | undefined => {
  try {
    return requireHere('./tenant-check.cjs') as CompiledCheck;
  } catch {
    return undefined;
  }
})();
let validation: Validation | undefined = compiled ? undefined : await import('./tenant-validation.js');
const fullValidation = (): Validation => (validation ??= requireHere('./tenant-validation.js') as Validation);

export interface LoadedTenant {
  tenant: Tenant;
  /** Unknown keys, ignored: exports from Auth0 carry many that Understudy has no use for. */
  ignoredKeys: string[];
  /** What Understudy reads differently from Auth0, or leaves out, with what it means; logged at start-up. */
  warnings: string[];
  /** Client ids and secrets Understudy made up because the file had none; printed at start-up. */
  generated: string[];
}

export interface BuildOptions {
  /** The export's folder, where its actions' packages are installed; by default the source's folder. */
  exportDir?: string;
  /** Problems found while reading the files the tenant refers to (config/tenant-read.ts), listed with the rest. */
  readProblems?: string[];
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

/** The schema step: the compiled check vouches for a clean file; anything else goes through TypeBox. */
function checkSchema(raw: unknown): SchemaCheck {
  if (compiled?.Check(raw) && connectionOptionsVouched(raw as TenantFile, compiled)) {
    return { problems: [], ignoredKeys: [], file: structuredClone(raw as TenantFile) };
  }
  return fullValidation().checkTenantDocument(raw);
}

function connectionOptionsVouched(file: TenantFile, check: CompiledCheck): boolean {
  const entries = [...(file.connections ?? []), ...(file.databases ?? []).map((d) => ({ ...d, strategy: 'auth0' }))];
  return entries.every((c) => c.options === undefined || check.Options[strategyGroup(c.strategy)](c.options));
}

/**
 * Validates a tenant document and turns it into the run-time Tenant with every default filled in.
 * Every problem is found in one run: the schema's and the checks' after it, in one list. Only what
 * makes a login impossible or unsafe is a problem; what Understudy can run without is a warning
 * with its consequence. `secretSeed` makes generated client secrets stable across restarts without
 * being guessable.
 */
export function buildTenant(raw: unknown, source: string, secretSeed: string, options: BuildOptions = {}): LoadedTenant {
  if (raw === null || raw === undefined) raw = {};
  raw = withoutUnsetValues(raw);
  const schema = checkSchema(raw);
  const { file, ignoredKeys } = schema;
  const problems: string[] = [];
  const warnings: string[] = [];
  const generated: string[] = [];
  // A keyword marker left in a value Understudy uses (a URL, a name) would be taken literally.
  // Message templates are exempt: there `@@password@@` is Auth0's macro for the code, and Liquid is
  // theirs; so are an email's sender and subject, which only the dev mailbox shows.
  for (const { marker, path } of markersInValues(file)) {
    if (!/\.options\.(template|email\.)|^emailTemplates\[\d+\]\.(from|subject|body)$|^emailProvider\./.test(path)) problems.push(`${path}: ${marker} has no mapping; ${KEYWORD_HELP}`);
  }
  const clientEntries = file.clients ?? [];
  const clients = buildClients(clientEntries, secretSeed, { problems, warnings, generated });
  const connections = buildConnections({ connections: file.connections, databases: file.databases?.map((d) => ({ ...d, strategy: 'auth0' })) }, clientEntries, clients, { problems, warnings });

  const resourceServers = buildResourceServers(file.resourceServers, warnings);
  checkUnique(resourceServers.map((r) => r.identifier), (i) => `resourceServers[${i}].identifier`, problems);
  const roles = buildRoles(file.roles, resourceServers, secretSeed, warnings);
  checkUnique(roles.map((r) => r.name), (i) => `roles[${i}].name`, problems);
  // Ids derived from names collide only when the names do, which is reported already.
  checkUnique((file.roles ?? []).map((r, i) => r.id ?? `\u0000${i}`), (i) => `roles[${i}].id`, problems);
  checkUserRoles(file.users ?? [], roles, problems);
  const users = buildUsers(file.users ?? [], connections, problems);

  const clientRef = (ref: string): Client | undefined => clients[clientEntries.findIndex((c) => c.name === ref || c.client_id === ref)];
  const clientGrants = buildClientGrants(file, clientRef, warnings);
  const organizations = buildOrganizations(file.organizations, { connections, roles, users, clientRef }, { problems, warnings });
  const claims = buildClaims(file, clientRef, problems);
  const fixedCodes = (file.dev?.fixed_codes ?? []).map((rule, i) => {
    if (rule.until !== undefined && Number.isNaN(Date.parse(rule.until))) problems.push(`dev.fixed_codes[${i}].until: "${rule.until}" is not an ISO time`);
    if (rule.match.length > MAX_MATCH_LENGTH) problems.push(`dev.fixed_codes[${i}].match: longer than ${MAX_MATCH_LENGTH} characters, more than any email address or phone number`);
    return { match: rule.match, code: rule.code, until: rule.until };
  });

  const rateLimits = parseRateLimits(file.rate_limits, problems, ignoredKeys);
  // An export's actions resolve their packages from node_modules in the export's folder.
  const exportDir = options.exportDir ?? (isDirectory(source) ? resolve(source) : dirname(resolve(source)));
  const actions = buildActions(file.actions, file.triggers, exportDir, problems, warnings);

  const prompts = {
    identifierFirst: file.prompts?.identifier_first ?? true,
    webauthnPlatformFirstFactor: file.prompts?.webauthn_platform_first_factor ?? false,
  };
  if (prompts.webauthnPlatformFirstFactor && !prompts.identifierFirst) {
    problems.push('prompts.webauthn_platform_first_factor: Identifier First + Biometrics needs identifier_first: true');
  }
  let defaultAudience = file.tenant?.default_audience;
  if (defaultAudience !== undefined && !resourceServers.some((r) => r.identifier === defaultAudience)) {
    warnings.push(`tenant.default_audience: no API (resourceServers) with identifier "${defaultAudience}", so a login that names no audience gets an opaque access token, for /userinfo only`);
    defaultAudience = undefined;
  }

  const emails = tenantEmails(file, { problems, warnings });

  // The reading's and the schema's problems first, then the checks'; a check's message about a value
  // the schema already refused repeats it, and is dropped.
  const all = [...new Set([...(options.readProblems ?? []), ...schema.problems, ...problems.filter((p) => !aboutUnset(p))])];
  if (all.length) throw new ConfigError(source, all);

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
    defaultAudience,
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
    mfa: buildMfa(file),
    emails,
    signupSaysUserExists: file.tenant?.flags?.enable_public_signup_user_exists_error === true,
    organizations,
    organizationNames: file.tenant?.allow_organization_name_in_authentication_api === true,
    defaultRedirectionUri: file.tenant?.default_redirection_uri,
  };
  return { tenant, ignoredKeys, warnings, generated };
}
