import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import * as Type from 'typebox';
import type { AppDeps } from '../http/app-deps.js';
import { fieldsOf, paramsOf } from '../http/route-schemas.js';
import { authenticateClient, stringField } from '../oauth/client-auth.js';

/**
 * Auth0's MFA API, in the shapes the SDKs' MFA clients send (docs/research/auth0-mfa.md §1, §2):
 * GET /mfa/authenticators and POST /mfa/associate take the mfa_token as a Bearer token and JSON;
 * POST /mfa/challenge takes it in the body with the client; DELETE /mfa/authenticators/{id}. CORS is
 * the enclosing scope's (browser SDKs call these with fetch).
 */
const bearer = (request: FastifyRequest): string | undefined => /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? value.split(' ') : []);

const AssociateBody = Type.Object({
  authenticator_types: Type.Optional(Type.Unknown()),
  oob_channels: Type.Optional(Type.Unknown()),
  phone_number: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  client_id: Type.Optional(Type.String()),
  client_secret: Type.Optional(Type.String()),
});

export async function mfaApiRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { mfaApi, tenant } = deps;
  const noStore = { 'Cache-Control': 'no-store' };

  app.get('/mfa/authenticators', async (request, reply) => reply.headers(noStore).send(await mfaApi.authenticators(await mfaApi.open(bearer(request)))));

  app.post('/mfa/associate', { schema: { body: AssociateBody } }, async (request, reply) => {
    const ticket = await mfaApi.open(bearer(request));
    const body = request.body;
    const answer = await mfaApi.associate(ticket, { authenticatorTypes: strings(body.authenticator_types), oobChannels: strings(body.oob_channels), phoneNumber: body.phone_number, email: body.email });
    return reply.headers(noStore).send(answer);
  });

  app.post('/mfa/challenge', { schema: { body: fieldsOf(['mfa_token', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'challenge_type', 'authenticator_id']) } }, async (request, reply) => {
    const { client } = authenticateClient(tenant, request.headers.authorization, request.body);
    const ticket = await mfaApi.open(stringField(request.body, 'mfa_token'), client);
    const answer = await mfaApi.challenge(ticket, { challengeType: stringField(request.body, 'challenge_type') ?? 'otp oob', authenticatorId: stringField(request.body, 'authenticator_id') });
    return reply.headers(noStore).send(answer);
  });

  app.delete('/mfa/authenticators/:id', { schema: { params: paramsOf('id') } }, async (request, reply) => {
    await mfaApi.remove(await mfaApi.open(bearer(request)), request.params.id);
    return reply.status(204).send();
  });
}
