import { createHash, createHmac } from 'node:crypto';
import type { ClientEntry, ConnectionEntry } from './tenant-schema.js';
import { checkTemplates } from '../otp/tenant-templates.js';
import {
  clientKind,
  PASSWORDLESS_OTP_GRANT,
  type AppType,
  type ClientKind,
  type MessageTemplates,
  type Client,
  type Connection,
} from '../tenant/model.js';

/**
 * One client or connection of the tenant file as Understudy runs it, every default filled in
 * (buildTenant in tenant-file.ts checks the file as a whole and calls these per entry).
 */
export function isAbsoluteUrl(value: string): boolean {
  try {
    const url = new URL(value.replace('*.', 'wildcard.'));
    // Native apps register custom schemes (com.example.app://callback); script-bearing schemes never.
    return !['javascript:', 'data:', 'vbscript:', 'file:'].includes(url.protocol);
  } catch {
    return false;
  }
}

const defaultGrants: Record<ClientKind, string[]> = {
  spa: ['authorization_code', 'implicit', 'refresh_token', PASSWORDLESS_OTP_GRANT],
  native: ['authorization_code', 'implicit', 'refresh_token', PASSWORDLESS_OTP_GRANT],
  regular_web: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials', PASSWORDLESS_OTP_GRANT],
  non_interactive: ['client_credentials'],
};

/** Auth0 client ids are 32 alphanumerics; derive one from the name so it is the same on every start. */
function deriveClientId(name: string): string {
  return createHash('sha256').update(`understudy:client:${name}`).digest('base64url').replace(/[-_]/g, '').slice(0, 32);
}

export function buildClient(entry: ClientEntry, secretSeed: string, generated: string[]): Client {
  // buildTenant refuses an app_type outside APP_TYPES (as Auth0's API does); it still builds the rest to list every problem.
  const appType = (entry.app_type ?? 'regular_web') as AppType;
  const kind = clientKind(appType);
  const method = entry.token_endpoint_auth_method ?? (kind === 'spa' || kind === 'native' ? 'none' : 'client_secret_post');
  let clientId = entry.client_id;
  if (!clientId) {
    clientId = deriveClientId(entry.name);
    generated.push(`client "${entry.name}": client_id ${clientId}`);
  }
  let clientSecret = entry.client_secret;
  if (method !== 'none' && !clientSecret) {
    clientSecret = createHmac('sha256', secretSeed).update(`client-secret:${clientId}`).digest('base64url');
    generated.push(`client "${entry.name}": client_secret ${clientSecret}`);
  }
  const rt = entry.refresh_token ?? {};
  return {
    name: entry.name,
    clientId,
    clientSecret: method === 'none' ? undefined : clientSecret,
    appType,
    metadata: entry.client_metadata ?? {},
    callbacks: entry.callbacks ?? [],
    allowedLogoutUrls: entry.allowed_logout_urls ?? [],
    webOrigins: entry.web_origins ?? [],
    allowedOrigins: entry.allowed_origins ?? [],
    crossOriginAuthentication: entry.cross_origin_authentication ?? entry.cross_origin_auth ?? false,
    crossOriginLoc: entry.cross_origin_loc,
    grantTypes: entry.grant_types ?? defaultGrants[kind],
    tokenEndpointAuthMethod: method,
    idTokenLifetime: entry.jwt_configuration?.lifetime_in_seconds ?? 36000,
    refreshToken: {
      rotationType: rt.rotation_type ?? 'non-rotating',
      expirationType: rt.expiration_type ?? 'non-expiring',
      leeway: rt.leeway ?? 0,
      tokenLifetime: rt.infinite_token_lifetime ? Number.POSITIVE_INFINITY : (rt.token_lifetime ?? 2592000),
      idleTokenLifetime: rt.infinite_idle_token_lifetime ? Number.POSITIVE_INFINITY : (rt.idle_token_lifetime ?? 1296000),
    },
  };
}

const socialNames: Record<string, string> = {
  'google-oauth2': 'Google',
  github: 'GitHub',
  apple: 'Apple',
  facebook: 'Facebook',
  windowslive: 'Microsoft',
  linkedin: 'LinkedIn',
  twitter: 'Twitter',
};

/** A passwordless connection's own email or SMS template, parsed once so a syntax error stops start-up. */
function messageTemplates(entry: ConnectionEntry, path: string, problems: string[]): MessageTemplates | undefined {
  const options = entry.options ?? {};
  let templates: MessageTemplates | undefined;
  if (entry.strategy === 'email' && options.email && (options.email.body || options.email.subject || options.email.from)) templates = { email: options.email };
  if (entry.strategy === 'sms' && options.template) templates = { sms: { text: options.template, syntax: options.syntax ?? 'md_with_macros', ...(options.from ? { from: options.from } : {}) } };
  if (templates) problems.push(...checkTemplates(templates, path));
  return templates;
}

export function buildConnection(
  entry: ConnectionEntry,
  path: string,
  clientEntries: ClientEntry[],
  clients: Client[],
  problems: string[],
): Connection {
  const kind = entry.strategy === 'email' || entry.strategy === 'sms' ? 'passwordless' : entry.strategy === 'auth0' ? 'database' : 'social';
  const enabledClients = new Set<string>();
  if (entry.enabled_clients === undefined) {
    // A hand-written file that names no clients means "every client", the convenient reading for a mock.
    for (const c of clients) enabledClients.add(c.clientId);
  } else {
    entry.enabled_clients.forEach((ref, j) => {
      const i = clientEntries.findIndex((c) => c.name === ref || c.client_id === ref);
      const client = clients[i];
      if (!client) problems.push(`${path}.enabled_clients[${j}]: no client named "${ref}"`);
      else enabledClients.add(client.clientId);
    });
  }
  return {
    name: entry.name,
    strategy: entry.strategy,
    kind,
    enabledClients,
    otp: { length: entry.options?.totp?.length ?? 6, timeStepSeconds: entry.options?.totp?.time_step ?? 180 },
    disableSignup: entry.options?.disable_signup ?? false,
    bruteForceProtection: entry.options?.brute_force_protection ?? true,
    messageTemplates: messageTemplates(entry, path, problems),
    displayName: entry.display_name ?? socialNames[entry.strategy] ?? entry.name,
  };
}
