import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { AnyObject, fieldsOf } from '../http/route-schemas.js';
import { invalidRequest } from '../errors.js';
import { FIXED_CODE, MAX_MATCH_LENGTH } from '../dev/fixed-codes.js';
import { normalizeEmail, normalizePhoneNumber } from '../users/normalize.js';
import { importSnapshot } from '../dev/snapshot.js';

/**
 * The test-control plane: a clock tests can move, a reset between tests, fixed codes and simulated
 * delivery faults, all at run time and without a restart.
 */
const Json = { response: { 200: AnyObject } };
const Created = { response: { 201: AnyObject } };

export async function devControlRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { clock, store, users, tenant, fixedCodes, faults, outbox } = deps;
  const clockState = () => ({ now: new Date(clock.now()).toISOString(), offset_seconds: Math.round(clock.offsetMs() / 1000) });

  app.get('/_dev/api/clock', { schema: Json }, async () => clockState());
  app.post('/_dev/api/clock', { schema: { body: fieldsOf(['advance_seconds', 'set']), ...Json } }, async (request) => {
    const body = request.body;
    if (typeof body.advance_seconds === 'number' && Number.isFinite(body.advance_seconds)) {
      await clock.advance(body.advance_seconds * 1000);
    } else if (typeof body.set === 'string' && !Number.isNaN(Date.parse(body.set))) {
      await clock.set(Date.parse(body.set));
    } else {
      throw invalidRequest('Send {"advance_seconds": <number>} or {"set": "<ISO time>"}');
    }
    return clockState();
  });
  app.delete('/_dev/api/clock', { schema: Json }, async () => {
    await clock.reset();
    return clockState();
  });

  app.post('/_dev/api/reset', async (_request, reply) => {
    await store.reset();
    await users.seed(tenant);
    await deps.roles.seed(tenant);
    await deps.organizations.seed(tenant);
    if (deps.snapshot) await importSnapshot(store, deps.snapshot, tenant);
    await fixedCodes.reset();
    await faults.reset();
    await clock.reset();
    await outbox.clear();
    deps.limits.reset();
    deps.bruteForce.reset();
    return reply.status(204).send();
  });

  app.get('/_dev/api/fixed-codes', { schema: Json }, async () => ({ fixed_codes: await fixedCodes.list() }));
  app.post('/_dev/api/fixed-codes', { schema: { body: fieldsOf(['match', 'code', 'until']), ...Created } }, async (request, reply) => {
    const body = request.body;
    if (typeof body.match !== 'string' || !body.match.trim()) throw invalidRequest('match is required: an email, a phone number, or a pattern with * such as *@e2e.test');
    if (body.match.length > MAX_MATCH_LENGTH) throw invalidRequest(`match "${body.match.slice(0, 40)}…" is longer than ${MAX_MATCH_LENGTH} characters, more than any email address or phone number`);
    if (typeof body.code !== 'string' || !FIXED_CODE.test(body.code)) throw invalidRequest('code must be 4 to 12 digits');
    if (body.until !== undefined && (typeof body.until !== 'string' || Number.isNaN(Date.parse(body.until)))) {
      throw invalidRequest('until must be an ISO time');
    }
    await fixedCodes.add({ match: body.match, code: body.code, until: body.until as string | undefined });
    return reply.status(201).send({ fixed_codes: await fixedCodes.list() });
  });
  app.delete('/_dev/api/fixed-codes', async (_request, reply) => {
    await fixedCodes.clear();
    return reply.status(204).send();
  });

  app.get('/_dev/api/faults', { schema: Json }, async () => ({ faults: await faults.list() }));
  app.post('/_dev/api/faults', { schema: { body: fieldsOf(['to', 'channel', 'kind', 'delay_ms', 'times']), ...Created } }, async (request, reply) => {
    const body = request.body;
    const to = typeof body.to === 'string' ? normalizeEmail(body.to) || normalizePhoneNumber(body.to) : '';
    if (!to) throw invalidRequest('to must be an email address or an E.164 phone number');
    if (body.channel !== undefined && body.channel !== 'email' && body.channel !== 'sms') throw invalidRequest.notOneOf('channel', ['email', 'sms']);
    if (body.kind !== 'fail' && body.kind !== 'delay') throw invalidRequest.notOneOf('kind', ['fail', 'delay']);
    const delayMs = body.delay_ms === undefined ? 5000 : Number(body.delay_ms);
    const times = body.times === undefined ? 1 : Number(body.times);
    if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 60_000) throw invalidRequest('delay_ms must be 0 to 60000');
    if (!Number.isInteger(times) || times < 1) throw invalidRequest('times must be a positive integer');
    await faults.add({ to, channel: body.channel as 'email' | 'sms' | undefined, kind: body.kind, delayMs, remaining: times });
    return reply.status(201).send({ faults: await faults.list() });
  });
  app.delete('/_dev/api/faults', async (_request, reply) => {
    await faults.reset();
    return reply.status(204).send();
  });
}
