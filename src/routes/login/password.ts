import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../http/app-deps.js';
import { PAGE, PAGE_FORM, type LoginReplies } from '../../http/login-reply.js';
import { screenPath } from '../../login/screens.js';

/**
 * Database logins: the password step after login-id (/u/login/password), the Identifier + Password
 * profile's one login page (/u/login: `username` and `password`, or a social `connection`), and
 * sign-up (/u/signup, /u/signup/password).
 */
export function passwordRoutes(app: FastifyInstance, { login }: AppDeps, replies: LoginReplies): void {
  app.get(screenPath('password'), PAGE, (request, reply) => replies.show(request, reply, 'password'));
  app.post(screenPath('password'), PAGE_FORM, async (request, reply) => {
    const form = replies.form(request);
    const outcome = await login.password(replies.visit(request), { password: form.password ?? '', emailCode: form.action === 'email-code' }, request.ip);
    return replies.send(reply, 'password', outcome);
  });

  app.get(screenPath('login'), PAGE, (request, reply) => replies.show(request, reply, 'login'));
  app.post(screenPath('login'), PAGE_FORM, async (request, reply) => {
    const { username, password, connection } = replies.form(request);
    const outcome = await login.login(replies.visit(request), { username, password, connection }, request.ip, replies.admit(request, reply));
    return replies.send(reply, 'login', outcome);
  });

  // Sign-up (Auth0's signup-id and signup-password prompts): `email` (and `username`), then `password`.
  app.get(screenPath('signup-id'), PAGE, (request, reply) => replies.show(request, reply, 'signup-id'));
  app.post(screenPath('signup-id'), PAGE_FORM, async (request, reply) => {
    const form = replies.form(request);
    return replies.send(reply, 'signup-id', await login.signupIdentify(replies.visit(request), { email: form.email ?? '', username: form.username ?? '' }));
  });
  // Identifier + Password: Auth0's one-page signup screen.
  app.get(screenPath('signup'), PAGE, (request, reply) => replies.show(request, reply, 'signup'));
  app.post(screenPath('signup'), PAGE_FORM, async (request, reply) => {
    const form = replies.form(request);
    return replies.send(reply, 'signup', await login.signupCombined(replies.visit(request), { email: form.email ?? '', username: form.username ?? '', password: form.password ?? '' }));
  });
  app.get(screenPath('signup-password'), PAGE, (request, reply) => replies.show(request, reply, 'signup-password'));
  app.post(screenPath('signup-password'), PAGE_FORM, async (request, reply) => {
    return replies.send(reply, 'signup-password', await login.signupPassword(replies.visit(request), replies.form(request).password ?? ''));
  });
}
