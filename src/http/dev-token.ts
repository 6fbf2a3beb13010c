import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unauthorized } from '../errors.js';
import { bearerToken } from '../oauth/userinfo.js';

/**
 * UNDERSTUDY_DEV_TOKEN: when set, the dev routes of a scope (the mailbox API, the test-control plane,
 * the mailbox page) answer only to `Authorization: Bearer <token>`; the mailbox page, opened in a
 * browser, also takes `?token=<token>` and passes it on to the API itself. 401 otherwise.
 */
export function requireDevToken(scope: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  const expected = digest(token);
  scope.addHook('onRequest', async (request) => {
    const given = bearerToken(request.headers.authorization) ?? pageToken(request);
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw unauthorized('The dev routes need the token set in UNDERSTUDY_DEV_TOKEN (Authorization: Bearer <token>).', {
        headers: { 'WWW-Authenticate': 'Bearer realm="understudy-dev"' },
      });
    }
  });
}

/** ?token= is taken on the mailbox page only: a page link cannot carry a header. */
function pageToken(request: FastifyRequest): string | undefined {
  if (request.method !== 'GET' || request.url.split('?')[0] !== '/_dev/mailbox') return undefined;
  const value = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof value === 'string' ? value : undefined;
}

// Equal-length digests, so the comparison takes the same time whatever was sent.
const digest = (value: string): Buffer => hash('sha256', value, 'buffer');
