import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { defaultTenant } from '../../src/config/default-tenant.js';

/**
 * Authentication API calls as SDKs make them: the same body sent as JSON (the docs' examples) or as
 * a form (what auth0-spa-js, node-auth0 and nextjs-auth0 send).
 */
export type BodyKind = 'json' | 'form';
export const BODY_KINDS: BodyKind[] = ['json', 'form'];

export function post(
  app: FastifyInstance,
  url: string,
  body: Record<string, unknown>,
  kind: BodyKind = 'json',
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  if (kind === 'json') {
    return app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  }
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) if (v !== undefined) form.set(k, String(v));
  return app.inject({ method: 'POST', url, payload: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

export const token = (app: FastifyInstance, body: Record<string, unknown>, kind: BodyKind = 'form'): Promise<LightMyRequestResponse> =>
  post(app, '/oauth/token', body, kind);

export const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';

/** The default tenant with extra clients (and anything else) merged in; default clients come first. */
export function tenantWith(extra: { clients?: unknown[]; connections?: unknown[]; resourceServers?: unknown[]; tenant?: Record<string, unknown> }): unknown {
  return {
    ...defaultTenant,
    tenant: { ...defaultTenant.tenant, ...extra.tenant },
    clients: [...(defaultTenant.clients ?? []), ...(extra.clients ?? [])],
    connections: extra.connections ?? defaultTenant.connections,
    ...(extra.resourceServers ? { resourceServers: extra.resourceServers } : {}),
  };
}

/** Expects an Authentication API error: the status and exactly `{error, error_description}`. */
export function errorOf(response: LightMyRequestResponse): { status: number; body: unknown } {
  return { status: response.statusCode, body: response.json() };
}
