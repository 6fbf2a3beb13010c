import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import type { PersistentKeys } from '../config/data-dir.js';
import { invalidRequest } from '../errors.js';
import { exportSnapshot, type SnapshotPart } from '../store/snapshot.js';

/**
 * GET /_dev/api/snapshot: the tenant's users (with passkeys and password hashes) as JSON, plus its
 * live sessions and its keys with `?include=sessions,keys`. Load it back with `--seed <file>`.
 */
const PARTS: SnapshotPart[] = ['sessions', 'keys'];

export async function devSnapshotRoutes(app: FastifyInstance, deps: AppDeps, keys: PersistentKeys): Promise<void> {
  app.get('/_dev/api/snapshot', async (request, reply) => {
    const raw = (request.query as Record<string, unknown>).include;
    const include = typeof raw === 'string' ? raw.split(',').map((p) => p.trim()).filter(Boolean) : [];
    const unknown = include.filter((p) => !PARTS.includes(p as SnapshotPart));
    if (unknown.length) throw invalidRequest(`include takes ${PARTS.join(' and ')}, comma-separated; not ${unknown.join(', ')}`);
    const snapshot = await exportSnapshot(deps.store, include as SnapshotPart[], keys, deps.clock.now());
    return reply.header('Cache-Control', 'no-store').send(snapshot);
  });
}
