import { createHash, createHmac } from 'node:crypto';
import type { ClientEntry } from './tenant-schema.js';
import { keywordMarkers } from './keywords.js';
import { APP_TYPES, clientKind, PASSWORDLESS_OTP_GRANT, type AppType, type Client, type ClientKind } from '../tenant/model.js';

/**
 * The tenant file's clients as Understudy runs them, every default filled in. What cannot work (a
 * relative callback, an app type Auth0 does not have, two clients with one id) is a problem; what
 * Understudy runs differently from Auth0 (HS256 ID tokens, a public client's leftover secret) is a
 * warning that says what it means and what to do.
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

export function buildClients(entries: ClientEntry[], secretSeed: string, found: { problems: string[]; warnings: string[]; generated: string[] }): Client[] {
  const { problems } = found;
  entries.forEach((entry, i) => {
    if (entry.app_type !== undefined && !APP_TYPES.includes(entry.app_type as AppType)) {
      problems.push(`clients[${i}].app_type: "${entry.app_type}" is not an Auth0 app type; allowed: ${APP_TYPES.join(', ')}`);
    }
    for (const key of ['callbacks', 'allowed_logout_urls', 'web_origins'] as const) {
      (entry[key] ?? []).forEach((url, j) => {
        // A URL with an unmapped keyword is reported once, as the keyword.
        if (!isAbsoluteUrl(url) && keywordMarkers(url).length === 0) problems.push(`clients[${i}].${key}[${j}]: must be an absolute URL, got "${url}"`);
      });
    }
    if (entry.cross_origin_loc !== undefined && !isAbsoluteUrl(entry.cross_origin_loc) && keywordMarkers(entry.cross_origin_loc).length === 0) {
      problems.push(`clients[${i}].cross_origin_loc: must be an absolute URL, got "${entry.cross_origin_loc}"`);
    }
  });
  const clients = entries.map((entry, i) => buildClient(entry, i, secretSeed, found));
  // A derived id repeats only when the name does, which is reported once, as the name.
  const repeatedName = (i: number): boolean => !entries[i]!.client_id && entries.findIndex((e) => e.name === entries[i]!.name) < i;
  checkUnique(clients.map((c, i) => (repeatedName(i) ? `\u0000${i}` : c.clientId)), (i) => `clients[${i}].client_id`, problems);
  checkUnique(entries.map((c) => c.name), (i) => `clients[${i}].name`, problems);
  return clients;
}

function buildClient(entry: ClientEntry, i: number, secretSeed: string, found: { warnings: string[]; generated: string[] }): Client {
  // buildClients refuses an app_type outside APP_TYPES (as Auth0's API does); the rest is still built to list every problem.
  const appType = (entry.app_type ?? 'regular_web') as AppType;
  const kind = clientKind(appType);
  const method = entry.token_endpoint_auth_method ?? (kind === 'spa' || kind === 'native' ? 'none' : 'client_secret_post');
  let clientId = entry.client_id;
  if (!clientId) {
    clientId = deriveClientId(entry.name);
    found.generated.push(`client "${entry.name}": client_id ${clientId}`);
  }
  if (method === 'none' && entry.client_secret) {
    // Auth0 gives every client a secret, and older exports carry a public client's.
    found.warnings.push(`clients[${i}].client_secret: "${entry.name}" is a public client (token_endpoint_auth_method none), so its secret is not used: the client authenticates with PKCE alone, as in Auth0`);
  }
  const alg = entry.jwt_configuration?.alg;
  if (alg !== undefined && alg !== 'RS256') {
    found.warnings.push(
      `clients[${i}].jwt_configuration.alg: "${alg}" is not emulated; "${entry.name}" gets RS256 ID tokens, signed with the key at /.well-known/jwks.json. ` +
        'An app that checks ID tokens with its client secret refuses them: let it read the JWKS (every Auth0 SDK does with RS256), or set alg: RS256 in an overlay',
    );
  }
  let clientSecret = entry.client_secret;
  if (method !== 'none' && !clientSecret) {
    clientSecret = createHmac('sha256', secretSeed).update(`client-secret:${clientId}`).digest('base64url');
    found.generated.push(`client "${entry.name}": client_secret ${clientSecret}`);
  }
  const rt = entry.refresh_token ?? {};
  return {
    name: entry.name,
    clientId,
    clientSecret: method === 'none' ? undefined : clientSecret,
    appType,
    metadata: entry.client_metadata ?? {},
    organizationUsage: entry.organization_usage ?? 'deny',
    initiateLoginUri: entry.initiate_login_uri,
    organizationRequireBehavior: entry.organization_require_behavior ?? 'no_prompt',
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
      policies: (rt.policies ?? []).map((policy) => ({ audience: policy.audience, scope: [...policy.scope] })),
    },
  };
}

export function checkUnique(values: string[], pathOf: (i: number) => string, problems: string[]): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) problems.push(`${pathOf(i)}: "${v}" is used twice`);
    seen.add(v);
  });
}
