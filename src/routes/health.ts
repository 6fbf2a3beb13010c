import type { FastifyInstance } from 'fastify';
import * as Type from 'typebox';
import type { AppDeps } from '../http/app-deps.js';
import { temporarilyUnavailable } from '../errors.js';
import { sendApiError } from '../http/error-responses.js';

const Status = Type.Object({ status: Type.String() });

/** The probes an orchestrator polls: /healthz (alive) and /readyz (able to serve). */
export async function healthRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Liveness: the process answers. Readiness: the store answers too (its ping, e.g. Redis's PING; else
  // a lookup that finds nothing). While closing, Fastify answers 503 to new requests, so a draining
  // instance also reads as not ready.
  app.get('/healthz', { schema: { response: { 200: Status } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { response: { 200: Status } } }, async (request, reply) => {
    try {
      if (deps.store.ping) await deps.store.ping();
      else await deps.store.getSession('readyz-probe');
      return reply.header('Cache-Control', 'no-store').send({ status: 'ready' });
    } catch (err) {
      request.log.warn({ err }, 'readiness probe: the store did not answer');
      return sendApiError(reply, temporarilyUnavailable('The store is not reachable'), { status: 'unavailable' });
    }
  });
}
