import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../http/app-deps.js';
import { PAGE, PAGE_FORM, type LoginReplies } from '../../http/login-reply.js';
import { screenPath } from '../../login/screens.js';

/**
 * login-id (/u/login/identifier) with Auth0's form: `username`, or a social button's `connection`,
 * or the `passkey` assertion ACUL's passkeyLogin posts.
 */
export function identifierRoutes(app: FastifyInstance, { login }: AppDeps, replies: LoginReplies): void {
  const path = screenPath('identifier');
  app.get(path, PAGE, (request, reply) => replies.show(request, reply, 'identifier'));
  app.post(path, PAGE_FORM, async (request, reply) => {
    const { username, connection, passkey } = replies.form(request);
    const outcome = await login.identifier(replies.visit(request), { username, connection, passkey }, replies.admit(request, reply));
    return replies.send(reply, 'identifier', outcome);
  });
}
