import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../http/app-deps.js';
import { PAGE, PAGE_FORM, type LoginReplies } from '../../http/login-reply.js';
import { CHALLENGE, screenPath } from '../../login/screens.js';

/** The passwordless challenges, one per channel, with Auth0's form: `code`, or `action=resend` for a new one. */
export function challengeRoutes(app: FastifyInstance, { login }: AppDeps, replies: LoginReplies): void {
  for (const screen of Object.values(CHALLENGE)) {
    app.get(screenPath(screen), PAGE, (request, reply) => replies.show(request, reply, screen));
    app.post(screenPath(screen), PAGE_FORM, async (request, reply) => {
      const form = replies.form(request);
      const outcome = await login.challenge(screen, replies.visit(request), { resend: form.action === 'resend', code: form.code ?? '' }, replies.admit(request, reply));
      return replies.send(reply, screen, outcome);
    });
  }
}
