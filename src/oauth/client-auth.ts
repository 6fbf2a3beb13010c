import { hash, timingSafeEqual } from 'node:crypto';
import { invalidClient, invalidRequest, type OAuthError } from '../errors.js';
import { findClient, type Client, type Tenant } from '../tenant/model.js';

/**
 * Client authentication at the token endpoints: `none` for public clients, `client_secret_post`
 * (secret in the body) and `client_secret_basic` (HTTP Basic). Like Auth0, a confidential client may
 * use either secret method whatever its registered one, which is what SDK defaults rely on.
 */
export interface AuthenticatedClient {
  client: Client;
  method: 'none' | 'client_secret_post' | 'client_secret_basic';
}

export function authenticateClient(
  tenant: Tenant,
  authorization: string | undefined,
  body: Record<string, unknown>,
): AuthenticatedClient {
  const bodyClientId = stringField(body, 'client_id');
  const bodySecret = stringField(body, 'client_secret');

  if (authorization && /^basic /i.test(authorization)) {
    const [id, secret] = parseBasic(authorization.slice(6).trim());
    if (bodyClientId && bodyClientId !== id) throw invalidRequest('client_id in the body does not match the Authorization header');
    return { client: checkSecret(tenant, id, secret), method: 'client_secret_basic' };
  }
  if (!bodyClientId) throw invalidRequest.missing('client_id');
  if (bodySecret !== undefined) return { client: checkSecret(tenant, bodyClientId, bodySecret), method: 'client_secret_post' };

  const client = findClient(tenant, bodyClientId);
  if (!client) throw invalidClient.unknown(bodyClientId);
  if (client.clientSecret) throw invalidClient('Client authentication is required');
  return { client, method: 'none' };
}

function checkSecret(tenant: Tenant, clientId: string, secret: string): Client {
  const client = findClient(tenant, clientId);
  if (!client) throw invalidClient.unknown(clientId);
  if (!client.clientSecret || !safeEqual(secret, client.clientSecret)) {
    throw invalidClient('Client authentication failed', { headers: { 'WWW-Authenticate': 'Basic realm="understudy"' } });
  }
  return client;
}

const malformedBasic = (): OAuthError => invalidClient('Malformed Basic authorization header');

/** RFC 6749 §2.3.1: both halves are form-urlencoded before base64. */
function parseBasic(encoded: string): [string, string] {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw malformedBasic();
  try {
    return [decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '))];
  } catch {
    throw malformedBasic();
  }
}

const sha256 = (text: string): Buffer => hash('sha256', text, 'buffer');

/** Compares SHA-256 digests, always 32 bytes: the time taken says nothing about the secret, its length included. */
function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

export function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidRequest(`Parameter ${name} must be a string`);
  return value;
}
