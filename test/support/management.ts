import { expect } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { token } from './api.js';

/** The Management API client of an export the tests write, with its client grant for the Management API. */
export const ADMIN_CLIENT = { name: 'Harbor Admin', client_id: 'harbor-admin', client_secret: 'harbor-admin-secret', app_type: 'non_interactive' };
export const adminGrant = (scopes: string[]): Record<string, unknown> => ({ client_id: ADMIN_CLIENT.name, audience: 'https://harbor.eu.auth0.com/api/v2/', scope: scopes });

/** A client_credentials token for `<issuer>api/v2/`, as node-auth0's ManagementClient gets one. */
export async function machineToken(app: FastifyInstance, issuer: string, client = ADMIN_CLIENT): Promise<string> {
  const response = await token(app, { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, audience: `${issuer}api/v2/` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().access_token as string;
}
