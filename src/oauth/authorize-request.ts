import { accessDenied, invalidRequest, unauthorizedClient, unsupportedResponseType, type ErrorRedirect } from '../errors.js';
import type { AuthorizationRequestRecord } from '../store/records.js';
import { findClient, findResourceServer, requestedAudience, type Client, type Tenant } from '../tenant/model.js';
import { isAllowedUrl, originOf } from './redirect-uri.js';
import { isWellFormedChallenge, type PkceMethod } from './pkce.js';

/**
 * GET /authorize, checked in the order that decides how an error may be answered: until the client
 * and its redirect_uri are known good, errors are rendered on Understudy's own error page (never a
 * redirect: that would make an open redirector); after that they go back to the client.
 */
export type ResponseMode = ErrorRedirect['responseMode'];

export interface AuthorizeRequest {
  client: Client;
  redirectUri: string;
  responseType: string;
  responseTypes: Set<string>;
  responseMode: ResponseMode;
  scope: string;
  audience: string | undefined;
  state: string | undefined;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: PkceMethod | undefined;
  connection: string | undefined;
  prompt: string | undefined;
  maxAge: number | undefined;
  loginHint: string | undefined;
  screenHint: string | undefined;
  uiLocales: string | undefined;
  /** acr_values, as sent: `…/multi-factor` asks for a second factor (src/mfa/mfa-demand.ts). */
  acrValues: string | undefined;
  /** `organization` as sent (an `org_` id, or a name where the tenant allows names); the login resolves it. */
  organization: string | undefined;
  /** An organization invitation's ticket (`invitation`), accepted when the login ends. */
  invitation: string | undefined;
}

const RESPONSE_TYPES = new Set(['code', 'token', 'id_token', 'code id_token', 'code token', 'id_token token', 'code id_token token']);
const RESPONSE_MODES: ResponseMode[] = ['query', 'fragment', 'form_post', 'web_message'];
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

type Query = Record<string, unknown>;

/** A single string parameter; a repeated one is ambiguous and refused (RFC 6749 §3.1). */
function param(query: Query, name: string, redirect?: ErrorRedirect): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw invalidRequest(`Parameter ${name} must be given once`, redirect ? { redirect } : {});
  }
  return value === '' ? undefined : value;
}

/**
 * The longest value any /authorize parameter may have. Auth0 publishes no figure (it answers an
 * over-long URL with 414); every parameter is kept with the login for up to 30 minutes, so a bound
 * keeps what one request can make the server hold small. Refused before the client is trusted, on the
 * error page: the value may be the very state that would go back to the client.
 */
export const MAX_AUTHORIZE_PARAM_LENGTH = 2048;

export function parseAuthorizeRequest(query: Query, tenant: Tenant): AuthorizeRequest {
  for (const [name, value] of Object.entries(query)) {
    const longest = Array.isArray(value) ? Math.max(0, ...value.map((v) => String(v).length)) : String(value ?? '').length;
    if (name.length > 64 || longest > MAX_AUTHORIZE_PARAM_LENGTH) {
      throw invalidRequest(`Parameter ${name.slice(0, 64)} is longer than ${MAX_AUTHORIZE_PARAM_LENGTH} characters`);
    }
  }
  const clientId = param(query, 'client_id');
  if (!clientId) throw invalidRequest.missing('client_id');
  const client = findClient(tenant, clientId);
  if (!client) throw invalidRequest.unknownClient(clientId);

  const redirectUri = param(query, 'redirect_uri');
  if (!redirectUri) throw invalidRequest.missing('redirect_uri');
  if (!isAllowedUrl(redirectUri, client.callbacks)) {
    throw invalidRequest(
      `Callback URL mismatch. ${redirectUri} is not in the list of allowed callback URLs for the application "${client.name}".`,
    );
  }

  // From here on the client and the redirect_uri are trusted, so errors go back to the client.
  const state = param(query, 'state');
  const responseType = normalizeResponseType(param(query, 'response_type'));
  const rawMode = param(query, 'response_mode');
  // Tokens in the response default to the fragment; codes, and errors about the response type itself, to the query.
  const defaultMode: ResponseMode = responseType && responseType !== 'code' && RESPONSE_TYPES.has(responseType) ? 'fragment' : 'query';
  const responseMode = RESPONSE_MODES.includes(rawMode as ResponseMode) ? (rawMode as ResponseMode) : defaultMode;
  // As Auth0: web_message posts only to an origin in the client's Allowed Web Origins (matched as
  // registered, so `http://localhost:3000/` does not count); otherwise a 400 page and nothing is posted,
  // so auth0-spa-js's silent authentication times out exactly as it does against Auth0.
  if (responseMode === 'web_message' && !isAllowedUrl(originOf(redirectUri) ?? '', client.webOrigins)) {
    throw invalidRequest(`The specified redirect_uri '${redirectUri}' does not have a registered origin.`);
  }
  const redirect: ErrorRedirect = { redirectUri, responseMode, state };

  if (rawMode && !RESPONSE_MODES.includes(rawMode as ResponseMode)) {
    throw invalidRequest(`Unsupported response_mode: ${rawMode}`, { redirect });
  }
  if (!responseType) throw invalidRequest.missing('response_type', { redirect });
  if (!RESPONSE_TYPES.has(responseType)) throw unsupportedResponseType(`Unsupported response type: ${responseType}`, { redirect });
  const responseTypes = new Set(responseType.split(' '));
  if ((responseTypes.has('token') || responseTypes.has('id_token')) && responseMode === 'query') {
    throw invalidRequest(`response_mode=query is not allowed with response_type=${responseType}`, { redirect });
  }
  if (responseTypes.has('code') && !client.grantTypes.includes('authorization_code')) {
    throw unauthorizedClient.grantNotAllowed('authorization_code', { redirect });
  }
  if ((responseTypes.has('token') || responseTypes.has('id_token')) && !client.grantTypes.includes('implicit')) {
    throw unauthorizedClient.grantNotAllowed('implicit', { redirect });
  }

  const scope = normalizeScope(param(query, 'scope', redirect));
  const nonce = param(query, 'nonce', redirect);
  if (responseTypes.has('id_token') && !nonce) throw invalidRequest.missing('nonce', { redirect });

  const codeChallenge = param(query, 'code_challenge', redirect);
  const rawMethod = param(query, 'code_challenge_method', redirect);
  let codeChallengeMethod: PkceMethod | undefined;
  if (codeChallenge) {
    codeChallengeMethod = (rawMethod ?? 'plain') as PkceMethod;
    if (codeChallengeMethod !== 'S256' && codeChallengeMethod !== 'plain') {
      throw invalidRequest(`Unsupported code_challenge_method: ${rawMethod}. Use S256 or plain.`, { redirect });
    }
    if (!isWellFormedChallenge(codeChallenge, codeChallengeMethod)) {
      throw invalidRequest(`The code_challenge is malformed for code_challenge_method=${codeChallengeMethod}`, { redirect });
    }
  } else if (rawMethod) {
    throw invalidRequest('code_challenge_method was sent without code_challenge', { redirect });
  }

  const prompt = param(query, 'prompt', redirect);
  if (prompt) {
    const values = prompt.split(' ').filter(Boolean);
    if (values.some((v) => !PROMPTS.has(v)) || (values.includes('none') && values.length > 1)) {
      throw invalidRequest(`Unsupported prompt: ${prompt}`, { redirect });
    }
  }

  const rawMaxAge = param(query, 'max_age', redirect);
  let maxAge: number | undefined;
  if (rawMaxAge !== undefined) {
    maxAge = Number(rawMaxAge);
    if (!/^\d+$/.test(rawMaxAge) || !Number.isSafeInteger(maxAge)) throw invalidRequest('max_age must be a non-negative integer', { redirect });
  }

  const audience = requestedAudience(tenant, param(query, 'audience', redirect));
  if (audience && !findResourceServer(tenant, audience)) throw accessDenied.unknownAudience(audience, { redirect });

  // The client's organization_usage (docs/research/auth0-organizations.md §2.3).
  const organization = param(query, 'organization', redirect)?.trim() || undefined;
  const invitation = param(query, 'invitation', redirect)?.trim() || undefined;
  if (organization && client.organizationUsage === 'deny') throw invalidRequest('parameter organization is not allowed for this client', { redirect });
  // With a prompt (organization_require_behavior), the login asks for the organization instead.
  if (!organization && client.organizationUsage === 'require' && client.organizationRequireBehavior === 'no_prompt') {
    throw invalidRequest('parameter organization is required for this client', { redirect });
  }

  return {
    client,
    redirectUri,
    responseType,
    responseTypes,
    responseMode,
    scope,
    audience,
    state,
    nonce,
    codeChallenge,
    codeChallengeMethod,
    connection: param(query, 'connection', redirect),
    prompt,
    maxAge,
    loginHint: param(query, 'login_hint', redirect),
    screenHint: param(query, 'screen_hint', redirect),
    uiLocales: param(query, 'ui_locales', redirect),
    acrValues: param(query, 'acr_values', redirect),
    organization,
    invitation,
  };
}

/** `id_token code` and `code id_token` mean the same; keep one spelling. */
function normalizeResponseType(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const parts = value.split(' ').filter(Boolean);
  const order = ['code', 'id_token', 'token'];
  return parts.sort((a, b) => order.indexOf(a) - order.indexOf(b)).join(' ');
}

export function normalizeScope(scope: string | undefined): string {
  return [...new Set((scope ?? '').split(/\s+/).filter(Boolean))].join(' ');
}

export function scopeSet(scope: string): Set<string> {
  return new Set(scope.split(' ').filter(Boolean));
}

/** What a login keeps of an /authorize request until it is answered (a transaction, a login ticket's wait). */
export function requestRecord(request: AuthorizeRequest): AuthorizationRequestRecord {
  return {
    clientId: request.client.clientId,
    redirectUri: request.redirectUri,
    responseType: request.responseType,
    responseMode: request.responseMode,
    scope: request.scope,
    audience: request.audience,
    clientState: request.state,
    nonce: request.nonce,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    maxAge: request.maxAge,
    // What post-login Actions see of the request (event.transaction); prompt=none also means no browser to send anywhere.
    prompt: request.prompt,
    uiLocales: request.uiLocales,
    loginHint: request.loginHint,
    ...(request.acrValues ? { acrValues: request.acrValues } : {}),
  };
}
