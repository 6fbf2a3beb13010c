import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { AnyObject, paramsOf, queryWith } from '../http/route-schemas.js';
import { notFound } from '../errors.js';
import type { Passkey, User } from '../store/records.js';

/**
 * Passkeys for testers (Identifier First + Biometrics): `GET /_dev/api/passkeys` lists them with their
 * user (`?user_id=` narrows to one user), `DELETE /_dev/api/passkeys/:id` forgets one, so the next login
 * of that user asks for the password (and offers enrolment) again. The dev mailbox page shows the list.
 */
export interface PasskeyView {
  id: string;
  user_id: string;
  email: string | undefined;
  connection: string | undefined;
  created_at: string;
  last_used_at: string | undefined;
  counter: number;
  transports: string[];
  device_type: Passkey['deviceType'];
  backed_up: boolean;
  aaguid: string;
}

export function passkeyView(passkey: Passkey, user: User | undefined): PasskeyView {
  return {
    id: passkey.id,
    user_id: passkey.userId,
    email: user?.email,
    connection: user?.connection,
    created_at: passkey.createdAt,
    last_used_at: passkey.lastUsedAt,
    counter: passkey.counter,
    transports: passkey.transports,
    device_type: passkey.deviceType,
    backed_up: passkey.backedUp,
    aaguid: passkey.aaguid,
  };
}

export async function devPasskeyRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = deps;

  app.get('/_dev/api/passkeys', { schema: { querystring: queryWith(['user_id']), response: { 200: AnyObject } } }, async (request, reply) => {
    const userId = (typeof request.query.user_id === 'string' ? request.query.user_id : undefined) || undefined;
    const passkeys = await store.listPasskeys(userId);
    const users = new Map<string, User | undefined>();
    for (const p of passkeys) if (!users.has(p.userId)) users.set(p.userId, await store.getUser(p.userId));
    return reply.header('Cache-Control', 'no-store').send({ passkeys: passkeys.map((p) => passkeyView(p, users.get(p.userId))) });
  });

  app.delete('/_dev/api/passkeys/:id', { schema: { params: paramsOf('id') } }, async (request, reply) => {
    const { id } = request.params;
    if (!(await store.deletePasskey(id))) throw notFound(`No passkey with id ${id}`);
    return reply.status(204).send();
  });
}
