import { describe, expect, it } from 'vitest';
import { nextjsAuth0Refusal, nodeSdkSettingLines } from '../../src/tls/node-sdk-settings.js';

/**
 * The AUTH0_DOMAIN / NODE_EXTRA_CA_CERTS lines HTTPS mode prints, and the issuers nextjs-auth0 4.17+
 * refuses (its validateDomainHostname: a port, localhost names, .local names, IP addresses).
 */
describe('the Node SDK settings printed in HTTPS mode', () => {
  it('for a host name on 443: the bare AUTH0_DOMAIN and the CA, and how to resolve the name', () => {
    const [env, note] = nodeSdkSettingLines('https://understudy.test/', '/data/tls/ca.pem');
    expect(env).toBe('  Node SDKs     AUTH0_DOMAIN=understudy.test NODE_EXTRA_CA_CERTS=/data/tls/ca.pem');
    expect(note).toContain('nextjs-auth0 4.x');
    expect(note).toContain("NODE_OPTIONS='--require understudy/resolve'");
  });

  it('for an issuer nextjs-auth0 refuses: still the domain node-auth0 takes, and what to change for nextjs-auth0', () => {
    const [env, note] = nodeSdkSettingLines('https://localhost:4000/', '/data/tls/ca.pem');
    expect(env).toBe('  Node SDKs     AUTH0_DOMAIN=localhost:4000 NODE_EXTRA_CA_CERTS=/data/tls/ca.pem');
    expect(note).toContain('nextjs-auth0 4.17+ refuses a port (:4000) and localhost names');
    expect(note).toContain('ISSUER_BASE_URL=https://understudy.test/ and PORT=443');
  });

  it('leaves out NODE_EXTRA_CA_CERTS with a certificate of the user\'s own, and keeps a path as a URL', () => {
    expect(nodeSdkSettingLines('https://auth.example.test/', undefined)[0]).toBe('  Node SDKs     AUTH0_DOMAIN=auth.example.test');
    expect(nodeSdkSettingLines('https://auth.example.test/tenant/', undefined)[0]).toBe('  Node SDKs     AUTH0_DOMAIN=https://auth.example.test/tenant/');
  });

  it.each([
    ['https://understudy.test/', undefined],
    ['https://understudy/', undefined],
    ['https://understudy.test:8443/', 'a port (:8443)'],
    ['https://localhost/', 'localhost names'],
    ['https://auth.localhost/', 'localhost names'],
    ['https://printer.local/', '.local names'],
    ['https://127.0.0.1/', 'IP addresses'],
    ['https://[::1]/', 'IP addresses'],
  ])('%s: %s', (issuer, refusal) => {
    expect(nextjsAuth0Refusal(new URL(issuer))).toBe(refusal);
  });
});
