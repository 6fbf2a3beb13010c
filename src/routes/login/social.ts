import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../http/app-deps.js';
import { PAGE, PAGE_FORM, type LoginReplies } from '../../http/login-reply.js';
import { screenPath } from '../../login/screens.js';

/**
 * The mock social provider's consent page (/u/login/social?connection=…): the `email` and `name` of
 * the profile it returns, as the user typed them.
 */
export function socialRoutes(scope: FastifyInstance, { login }: AppDeps, replies: LoginReplies): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const connectionOf = (query: { connection?: string | string[] | undefined }): string => (typeof query.connection === 'string' ? query.connection : '');
  app.get(screenPath('social'), PAGE, (request, reply) => replies.show(request, reply, 'social', { connection: connectionOf(request.query) }));
  app.post(screenPath('social'), PAGE_FORM, async (request, reply) => {
    const form = replies.form(request);
    const connection = form.connection ?? connectionOf(request.query);
    const outcome = await login.social(replies.visit(request), { connection, email: form.email, name: form.name }, replies.admit(request, reply));
    return replies.send(reply, 'social', outcome, { connection });
  });
}
