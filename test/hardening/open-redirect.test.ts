import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../support/app.js';
import { isAllowedUrl } from '../../src/oauth/redirect-uri.js';

/**
 * Open redirect: /authorize's redirect_uri and the logout endpoints' returnTo /
 * post_logout_redirect_uri go only to a registered value, compared exactly, or to one label in place
 * of a registered `*.` (Auth0's subdomain wildcard). Every look-alike is refused on a page with no
 * Location header, so the browser never leaves Understudy.
 */
const CLIENT = 'redirect-test';
const CALLBACK = 'https://app.example.com/callback';
const WILDCARD_CALLBACK = 'https://*.example.com/cb';
const LOGOUT = 'https://app.example.com/logged-out';
const WILDCARD_LOGOUT = 'https://*.example.com/bye';
const TENANT_LOGOUT = 'https://www.example.org/goodbye';

const tenant = {
  tenant: { friendly_name: 'Redirects', allowed_logout_urls: [TENANT_LOGOUT] },
  clients: [
    {
      name: 'Redirect Test',
      client_id: CLIENT,
      app_type: 'spa',
      callbacks: [CALLBACK, WILDCARD_CALLBACK],
      allowed_logout_urls: [LOGOUT, WILDCARD_LOGOUT],
      web_origins: ['https://app.example.com'],
    },
  ],
  connections: [{ name: 'email', strategy: 'email' }],
};

/** Look-alikes of an exact registered URL `https://app.example.com/<path>`. */
function lookalikes(path: string): string[] {
  const exact = `https://app.example.com/${path}`;
  return [
    // prefix and suffix
    `https://app.example.com/${path.slice(0, -1)}`,
    `${exact}x`,
    `${exact}/extra`,
    `${exact}/`,
    `${exact}?next=https://evil.com`,
    `${exact}#fragment`,
    `${exact}.evil.com`,
    `https://app.example.com.evil.com/${path}`,
    `https://evilapp.example.com/${path}`,
    `https://evil.com/https://app.example.com/${path}`,
    `https://evil.com/?${exact}`,
    // case
    `https://APP.example.com/${path}`,
    `HTTPS://app.example.com/${path}`,
    `https://app.example.com/${path.toUpperCase()}`,
    // userinfo
    `https://app.example.com@evil.com/${path}`,
    `https://evil.com@app.example.com/${path}`,
    `https://app.example.com:pass@evil.com/${path}`,
    // percent-encoding and other spellings of the same or another place
    `https://app.example.com/%${path.charCodeAt(0).toString(16)}${path.slice(1)}`,
    `https://app%2Eexample.com/${path}`,
    `https://app.example.com%2F@evil.com/${path}`,
    `https://app.example.com%40evil.com/${path}`,
    `${exact}%2F..%2F..%2Fevil`,
    `https://app.example.com/./${path}`,
    `https://app.example.com/x/../${path}`,
    `https://app.example.com:443/${path}`,
    `https://app.example.com:8443/${path}`,
    `https://app.example.com./${path}`,
    `https://xn--pp-qla.example.com/${path}`,
    `https://аpp.example.com/${path}`,
    ` ${exact}`,
    `${exact} `,
    `${exact}%20`,
    `${exact}\t`,
    `${exact}%00`,
    // other schemes
    `http://app.example.com/${path}`,
    `wss://app.example.com/${path}`,
    `javascript:alert(1)//app.example.com/${path}`,
    `javascript://app.example.com/${path}%0Aalert(1)`,
    `data:text/html,<script>alert(1)</script>`,
    // scheme-relative and broken slashes
    `//app.example.com/${path}`,
    `//evil.com/${path}`,
    `https:/app.example.com/${path}`,
    `https:app.example.com/${path}`,
    `https:\\\\evil.com/${path}`,
    `https://evil.com\\@app.example.com/${path}`,
    `/${path}`,
  ];
}

/** Look-alikes of `https://*.example.com/<path>`: only one DNS label may stand for the star. */
function wildcardLookalikes(path: string): string[] {
  return [
    `https://evil.com/.example.com/${path}`,
    `https://evil.com?.example.com/${path}`,
    `https://evil.com#.example.com/${path}`,
    `https://evil.com\\.example.com/${path}`,
    `https://a.b.example.com/${path}`,
    `https://example.com/${path}`,
    `https://.example.com/${path}`,
    `https://*.example.com/${path}`,
    `https://a.example.com.evil.com/${path}`,
    `https://aexample.com/${path}`,
    `https://a.example.com/${path}/`,
    `https://a.example.com/${path}x`,
    `https://a.example.com/${path}?x=1`,
    `https://a.example.com/${path}#x`,
    `https://a.example.com:443/${path}`,
    `https://a.example.com:8443/${path}`,
    `https://user@a.example.com/${path}`,
    `https://evil.com@a.example.com/${path}`,
    `https://a.example.com@evil.com/${path}`,
    `https://a%2Eb.example.com/${path}`,
    `https://a%2eexample.com/${path}`,
    `https://evil.com%2F.example.com/${path}`,
    `https://A.EXAMPLE.COM/${path}`,
    `http://a.example.com/${path}`,
    `//a.example.com/${path}`,
    `https://a_b.example.com/${path}`,
    `https://a .example.com/${path}`,
  ];
}

let app: FastifyInstance;
beforeAll(async () => {
  ({ app } = await buildTestApp({ tenant }));
});
afterAll(async () => app.close());

const authorize = (redirectUri: string) =>
  app.inject({
    method: 'GET',
    url: `/authorize?${new URLSearchParams({ client_id: CLIENT, response_type: 'code', redirect_uri: redirectUri, state: 's', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`,
    headers: { accept: 'text/html' },
  });

function expectRefusedOnPage(response: Awaited<ReturnType<typeof authorize>>): void {
  expect(response.statusCode, response.body.slice(0, 300)).toBe(400);
  expect(response.headers.location).toBeUndefined();
  expect(response.body).toContain('invalid_request');
}

describe('redirect_uri on /authorize', () => {
  it.each([CALLBACK, 'https://a.example.com/cb', 'https://tenant-1.example.com/cb'])('%s is registered (exactly or by the wildcard) and starts a login', async (uri) => {
    const response = await authorize(uri);
    expect(response.statusCode, response.body.slice(0, 300)).toBe(302);
    expect(String(response.headers.location)).toMatch(/^\/u\/login\//);
  });

  it.each(lookalikes('callback'))('refuses the look-alike %j of the registered callback', async (uri) => {
    expectRefusedOnPage(await authorize(uri));
  });

  it.each(wildcardLookalikes('cb'))('refuses %j, which https://*.example.com/cb does not match', async (uri) => {
    expectRefusedOnPage(await authorize(uri));
  });

  it('a refused redirect_uri is never sent back, not even with a prompt=none error or form_post', async () => {
    for (const mode of ['query', 'fragment', 'form_post', 'web_message']) {
      const response = await app.inject({
        method: 'GET',
        url: `/authorize?${new URLSearchParams({ client_id: CLIENT, response_type: 'code', redirect_uri: 'https://evil.com/callback', response_mode: mode, prompt: 'none', state: 's' })}`,
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).not.toContain('action="https://evil.com');
      expect(response.body).not.toContain('"https://evil.com"');
    }
  });
});

describe('returnTo on /v2/logout and post_logout_redirect_uri on /oidc/logout', () => {
  const v2 = (returnTo: string, clientId: string | null = CLIENT) =>
    app.inject({ method: 'GET', url: `/v2/logout?${new URLSearchParams({ ...(clientId ? { client_id: clientId } : {}), returnTo })}`, headers: { accept: 'text/html' } });
  const oidc = (uri: string) =>
    app.inject({ method: 'GET', url: `/oidc/logout?${new URLSearchParams({ client_id: CLIENT, post_logout_redirect_uri: uri })}`, headers: { accept: 'text/html' } });

  it.each([LOGOUT, 'https://a.example.com/bye'])('%s is registered and followed', async (uri) => {
    for (const response of [await v2(uri), await oidc(uri)]) {
      expect(response.statusCode).toBe(302);
      expect(String(response.headers.location)).toBe(uri);
    }
  });

  it('the tenant-level list applies without a client_id, exactly', async () => {
    const ok = await v2(TENANT_LOGOUT, null);
    expect(ok.statusCode).toBe(302);
    expect(ok.headers.location).toBe(TENANT_LOGOUT);
    for (const uri of [`${TENANT_LOGOUT}/`, 'https://www.example.org/goodbyex', 'https://www.example.org.evil.com/goodbye', '//www.example.org/goodbye']) {
      const refused = await v2(uri, null);
      expect(refused.statusCode).toBe(400);
      expect(refused.headers.location).toBeUndefined();
    }
  });

  it.each([...lookalikes('logged-out'), ...wildcardLookalikes('bye')])('refuses %j on both logout endpoints', async (uri) => {
    for (const response of [await v2(uri), await oidc(uri)]) {
      expect(response.statusCode, response.body.slice(0, 300)).toBe(400);
      expect(response.headers.location).toBeUndefined();
    }
  });
});

describe('isAllowedUrl', () => {
  it('matches a wildcard only at the start of the host, for one label, with nothing else changed', () => {
    expect(isAllowedUrl('https://a.example.com/cb', [WILDCARD_CALLBACK])).toBe(true);
    expect(isAllowedUrl('https://a-1.example.com/cb', [WILDCARD_CALLBACK])).toBe(true);
    for (const uri of wildcardLookalikes('cb')) expect(isAllowedUrl(uri, [WILDCARD_CALLBACK]), uri).toBe(false);
    // A star anywhere but the first label is no wildcard: only the literal value matches.
    expect(isAllowedUrl('https://app.a.com/cb', ['https://app.*.com/cb'])).toBe(false);
    expect(isAllowedUrl('https://app.example.com/a', ['https://app.example.com/*'])).toBe(false);
  });
});
