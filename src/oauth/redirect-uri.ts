/**
 * Callback and logout URLs match exactly, except that a registered URL may use Auth0's subdomain
 * wildcard (`https://*.example.com/callback`), which matches one label and nothing else.
 */
export function isAllowedUrl(candidate: string, allowed: string[]): boolean {
  return allowed.some((pattern) => (pattern.includes('*') ? matchesWildcard(candidate, pattern) : pattern === candidate));
}

/**
 * The candidate must be the registered text with the `*` replaced by one DNS label (letters, digits,
 * hyphens), character for character: no other host, port, userinfo, path, query or fragment, no
 * percent-encoding or case variant. Compared as text, so no URL parser's forgiveness (`\`, `%2E`,
 * `user@`) can turn a look-alike into a match. Only a star right after `scheme://` is a wildcard.
 */
function matchesWildcard(candidate: string, pattern: string): boolean {
  const star = pattern.indexOf('*');
  const scheme = pattern.indexOf('://');
  if (scheme < 0 || star !== scheme + 3 || pattern[star + 1] !== '.' || pattern.indexOf('*', star + 1) >= 0) return false;
  const before = pattern.slice(0, star);
  const after = pattern.slice(star + 1);
  if (!candidate.startsWith(before) || !candidate.endsWith(after)) return false;
  const label = candidate.slice(before.length, candidate.length - after.length);
  return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label);
}

export function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** `scheme://host[:port]` of a registered URL, wildcards kept, so `https://*.example.com/cb` gives `https://*.example.com`. */
const originPart = (url: string): string | undefined => /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+/i.exec(url)?.[0];

/**
 * The origins a client's pages may call from: Allowed Origins (CORS), Allowed Web Origins and the
 * callbacks' origins, as Auth0 counts them, a `https://*.example.com` wildcard matching one label.
 */
export function isClientOrigin(client: { allowedOrigins: string[]; webOrigins: string[]; callbacks: string[] }, origin: string): boolean {
  const patterns = [...client.allowedOrigins, ...client.webOrigins, ...client.callbacks].flatMap((url) => originPart(url) ?? []);
  return isAllowedUrl(origin, patterns);
}
