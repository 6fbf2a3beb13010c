/**
 * Callback and logout URLs match exactly, except that a registered URL may use Auth0's subdomain
 * wildcard (`https://*.example.com/callback`), which matches one label and nothing else.
 */
export function isAllowedUrl(candidate: string, allowed: string[]): boolean {
  return allowed.some((pattern) => (pattern.includes('*') ? matchesWildcard(candidate, pattern) : pattern === candidate));
}

function matchesWildcard(candidate: string, pattern: string): boolean {
  let url: URL;
  let registered: URL;
  try {
    url = new URL(candidate);
    registered = new URL(pattern.replace('*.', 'wildcard-label.'));
  } catch {
    return false;
  }
  const suffix = registered.hostname.slice('wildcard-label'.length);
  const label = url.hostname.slice(0, -suffix.length);
  return (
    pattern.indexOf('*') === pattern.indexOf('://') + 3 &&
    url.protocol === registered.protocol &&
    url.port === registered.port &&
    url.hostname.endsWith(suffix) &&
    /^[a-z0-9-]+$/i.test(label) &&
    url.pathname === registered.pathname &&
    url.search === registered.search
  );
}

export function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
