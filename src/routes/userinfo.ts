import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../http/app-deps.js';
import { bearerToken, userinfo, userinfoSubject } from '../oauth/userinfo.js';
import { ipKey } from '../http/rate-limits.js';
import { bodyOf } from '../http/json-body.js';
import { AnyObject, fieldsOf } from '../http/route-schemas.js';

/** GET|POST /userinfo (CORS comes from the enclosing scope). */
export async function userinfoRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Auth0 counts /userinfo per user; an unverifiable token is counted per IP instead.
  const userinfoLimit = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!deps.limits.active('userinfo')) return;
    const subject = await userinfoSubject(deps, accessTokenOf(request));
    await deps.limits.enforce(request, reply, 'userinfo', [subject ? `user:${subject}` : ipKey(request)]);
  };
  const accessTokenOf = (request: FastifyRequest): string | undefined => {
    const fromBody = bodyOf(request).access_token;
    return bearerToken(request.headers.authorization) ?? (typeof fromBody === 'string' ? fromBody : undefined);
  };
  const handleUserinfo = async (request: FastifyRequest) => userinfo(deps, accessTokenOf(request));
  // The claims vary by scope and tenant: the reply is an object whose keys are sent as built.
  const schema = { response: { 200: AnyObject } };
  app.get('/userinfo', { preHandler: userinfoLimit, schema }, async (request, reply) => reply.header('Cache-Control', 'no-store').send(await handleUserinfo(request)));
  app.post('/userinfo', { preHandler: userinfoLimit, schema: { ...schema, body: fieldsOf(['access_token']) } }, async (request, reply) => reply.header('Cache-Control', 'no-store').send(await handleUserinfo(request)));
}
