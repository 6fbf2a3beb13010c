import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../http/app-deps.js';
import { PAGE, PAGE_FORM, type LoginReplies } from '../../http/login-reply.js';
import { screenPath } from '../../login/screens.js';

/**
 * Identifier First + Biometrics: the passkey challenge after the identifier (a `passkey` assertion)
 * and passkey-enrollment after a password login (the new `passkey`, or
 * `action=abort-passkey-enrollment` to go on without one).
 */
export function passkeyRoutes(app: FastifyInstance, { login }: AppDeps, replies: LoginReplies): void {
  app.get(screenPath('passkey'), PAGE, (request, reply) => replies.show(request, reply, 'passkey'));
  app.post(screenPath('passkey'), PAGE_FORM, async (request, reply) => {
    const outcome = await login.passkey(replies.visit(request), { passkey: replies.form(request).passkey });
    return replies.send(reply, 'passkey', outcome);
  });

  app.get(screenPath('passkey-enrollment'), PAGE, (request, reply) => replies.show(request, reply, 'passkey-enrollment'));
  app.post(screenPath('passkey-enrollment'), PAGE_FORM, async (request, reply) => {
    const form = replies.form(request);
    const passkey = form.action === 'abort-passkey-enrollment' ? undefined : (form.passkey ?? '');
    return replies.send(reply, 'passkey-enrollment', await login.enrolPasskey(replies.visit(request), { passkey }));
  });
}
