import type { ResponseMode } from './authorize-request.js';

/**
 * What /authorize finally answers, independent of how it travels: the parameters for the client and
 * the response mode that carries them (302 with query or fragment, an auto-posting form, or a
 * postMessage page for auth0-spa-js's iframe and popup).
 */
export interface AuthorizationResult {
  redirectUri: string;
  responseMode: ResponseMode;
  params: Record<string, string>;
}

export function errorResult(
  target: { redirectUri: string; responseMode: ResponseMode; state?: string | undefined },
  error: string,
  description: string,
): AuthorizationResult {
  const params: Record<string, string> = { error, error_description: description };
  if (target.state !== undefined) params.state = target.state;
  return { redirectUri: target.redirectUri, responseMode: target.responseMode, params };
}

/** Appends to the query (keeping what the registered callback already has) or replaces the fragment. */
export function redirectLocation(result: AuthorizationResult): string {
  const url = new URL(result.redirectUri);
  if (result.responseMode === 'fragment') {
    url.hash = new URLSearchParams(result.params).toString();
  } else {
    for (const [key, value] of Object.entries(result.params)) url.searchParams.append(key, value);
  }
  return url.toString();
}
