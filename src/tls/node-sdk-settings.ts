import { isIP } from 'node:net';

/**
 * The settings HTTPS mode prints for Node SDKs that take the tenant as a bare domain and build
 * `https://${domain}/` themselves (nextjs-auth0, node-auth0): the exact AUTH0_DOMAIN for this issuer
 * and the NODE_EXTRA_CA_CERTS that trusts the local CA. nextjs-auth0 4.17+ refuses a domain with a
 * port, `localhost` (and `*.localhost`, `localhost.*`), `.local` and IP addresses
 * (src/utils/normalize.ts, validateDomainHostname), so for such an issuer the lines say what to change.
 */
export function nodeSdkSettingLines(issuer: string, caPath: string | undefined): string[] {
  const url = new URL(issuer);
  // A bare host when the issuer is the origin's root; nextjs-auth0 also takes a full URL with a path.
  const domain = url.pathname === '/' ? url.host : issuer;
  const env = `AUTH0_DOMAIN=${domain}${caPath ? ` NODE_EXTRA_CA_CERTS=${caPath}` : ''}`;
  const refusal = nextjsAuth0Refusal(url);
  const note = refusal
    ? `(node-auth0; nextjs-auth0 4.17+ refuses ${refusal}: set ISSUER_BASE_URL=https://understudy.test/ and PORT=443, see "nextjs-auth0 4.x" in docs/https.md)`
    : `(nextjs-auth0 4.x, node-auth0; where ${url.hostname} does not resolve to this server: NODE_OPTIONS='--require understudy/resolve' for Node, chromiumArgs from understudy/testing for Chromium)`;
  return [`  Node SDKs     ${env}`, `                ${note}`];
}

/** What nextjs-auth0's domain check would refuse in this issuer (each reason), or undefined when it accepts it. */
export function nextjsAuth0Refusal(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const reasons = [
    ...(url.port ? [`a port (:${url.port})`] : []),
    ...(isIP(host) ? ['IP addresses'] : []),
    ...(host === 'localhost' || host.startsWith('localhost.') || host.endsWith('.localhost') ? ['localhost names'] : []),
    ...(host.endsWith('.local') ? ['.local names'] : []),
  ];
  return reasons.length ? reasons.join(' and ') : undefined;
}
