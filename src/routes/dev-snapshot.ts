import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { AnyObject, queryWith } from '../http/route-schemas.js';
import type { PersistentKeys } from '../store/records.js';
import { accessDenied, invalidRequest } from '../errors.js';
import { exportSnapshot, type SnapshotPart } from '../dev/snapshot.js';

/**
 * GET /_dev/api/snapshot: the tenant's users (with passkeys and password hashes) as JSON, plus its
 * live sessions and its keys with `?include=sessions,keys`. Load it back with `--seed <file>`.
 *
 * The keys (the private signing key and the master secret) are served only to a request that carried
 * the dev token: with them, anything can sign tokens this server accepts. Without a token configured
 * (loopback, no Actions), `include=keys` is refused with how to set one.
 */
const PARTS: SnapshotPart[] = ['sessions', 'keys'];

export async function devSnapshotRoutes(scope: FastifyInstance, deps: AppDeps, keys: PersistentKeys, tokenRequired: boolean): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/_dev/api/snapshot', { schema: { querystring: queryWith(['include']), response: { 200: AnyObject } } }, async (request, reply) => {
    const raw = request.query.include;
    const include = typeof raw === 'string' ? raw.split(',').map((p) => p.trim()).filter(Boolean) : [];
    const unknown = include.filter((p) => !PARTS.includes(p as SnapshotPart));
    if (unknown.length) throw invalidRequest(`include takes ${PARTS.join(' and ')}, comma-separated; not ${unknown.join(', ')}`);
    if (include.includes('keys') && !tokenRequired) {
      throw accessDenied('include=keys needs the dev token: start Understudy with UNDERSTUDY_DEV_TOKEN=<16 or more characters> and send it as Authorization: Bearer <token>', { status: 403 });
    }
    const snapshot = await exportSnapshot(deps.store, include as SnapshotPart[], keys, deps.clock.now());
    return reply.header('Cache-Control', 'no-store').send(snapshot);
  });
}
