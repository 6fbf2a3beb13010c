import { invalidRequest } from '../errors.js';
import { findClient, type Client, type Tenant } from '../tenant/model.js';
import { isAllowedUrl } from '../oauth/redirect-uri.js';
import type { TokenKeys } from '../oauth/keys.js';

/**
 * Where a logout may send the browser. Only to a URL in the client's Allowed Logout URLs (or the
 * tenant's, without a client); with a client and no URL, to its first one; otherwise Understudy's
 * own "logged out" page. A URL that is not allowed is refused on a page, never followed.
 */
export interface LogoutOutcome {
  location: string | undefined;
}

export function resolveV2Logout(tenant: Tenant, params: { returnTo?: string | undefined; client_id?: string | undefined }): LogoutOutcome {
  const client = clientOf(tenant, params.client_id);
  return { location: target(tenant, client, params.returnTo, 'returnTo') };
}

export async function resolveOidcLogout(
  deps: { tenant: Tenant; keys: TokenKeys; issuer: string },
  params: { id_token_hint?: string | undefined; client_id?: string | undefined; post_logout_redirect_uri?: string | undefined; logout_hint?: string | undefined; state?: string | undefined },
): Promise<LogoutOutcome> {
  let client = clientOf(deps.tenant, params.client_id);
  // The hint names the client and is checked for consistency; the session that ends is always the
  // calling browser's (its cookie), as in Auth0, never the one the hint's sid names. Otherwise an ID
  // token from another browser (they are not secret: apps log them, put them in URLs) would end that
  // browser's session.
  if (params.id_token_hint) {
    let hint: Record<string, unknown>;
    try {
      hint = await deps.keys.verifyIgnoringExpiry(params.id_token_hint, deps.issuer);
    } catch {
      throw invalidRequest('The id_token_hint is not an ID token issued by this tenant');
    }
    const audience = Array.isArray(hint.aud) ? hint.aud[0] : hint.aud;
    const hinted = clientOf(deps.tenant, typeof audience === 'string' ? audience : undefined);
    if (client && hinted && client.clientId !== hinted.clientId) throw invalidRequest('The client_id does not match the id_token_hint');
    if (params.logout_hint && params.logout_hint !== hint.sid) throw invalidRequest('The logout_hint does not match the id_token_hint');
    client ??= hinted;
  }
  if (params.post_logout_redirect_uri && !client) {
    throw invalidRequest('post_logout_redirect_uri needs a client_id or an id_token_hint');
  }
  let location = target(deps.tenant, client, params.post_logout_redirect_uri, 'post_logout_redirect_uri');
  if (location && params.state !== undefined) {
    const url = new URL(location);
    url.searchParams.set('state', params.state);
    location = url.toString();
  }
  return { location };
}

function clientOf(tenant: Tenant, clientId: string | undefined): Client | undefined {
  if (!clientId) return undefined;
  const client = findClient(tenant, clientId);
  if (!client) throw invalidRequest.unknownClient(clientId);
  return client;
}

function target(tenant: Tenant, client: Client | undefined, requested: string | undefined, name: string): string | undefined {
  const allowed = client ? client.allowedLogoutUrls : tenant.allowedLogoutUrls;
  if (!requested) return client ? allowed[0] : undefined;
  if (!isAllowedUrl(requested, allowed)) {
    const where = client ? `the application "${client.name}"` : 'the tenant';
    throw invalidRequest(`The "${name}" parameter "${requested}" is not defined as a valid URL in "Allowed Logout URLs" of ${where}.`);
  }
  return requested;
}
