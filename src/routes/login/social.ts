import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../http/app-deps.js';
import { PAGE, type LoginReplies } from '../../http/login-reply.js';
import { screenPath } from '../../login/screens.js';

type Query = { connection?: string };

/**
 * The mock social provider's consent page (/u/login/social?connection=…): the `email` and `name` of
 * the profile it returns, as the user typed them.
 */
export function socialRoutes(app: FastifyInstance, { login }: AppDeps, replies: LoginReplies): void {
  app.get(screenPath('social'), PAGE, (request, reply) => replies.show(request, reply, 'social', { connection: (request.query as Query).connection ?? '' }));
  app.post(screenPath('social'), PAGE, async (request, reply) => {
    const form = replies.form(request);
    const connection = form.connection ?? (request.query as Query).connection ?? '';
    const outcome = await login.social(replies.visit(request), { connection, email: form.email, name: form.name }, replies.admit(request, reply));
    return replies.send(reply, 'social', outcome, { connection });
  });
}
