import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../http/app-deps.js';
import { PAGE, PAGE_FORM, type LoginReplies } from '../../http/login-reply.js';
import { screenPath } from '../../login/screens.js';

/**
 * The organizations prompt's screens: organization-selection (`organizationName`, before the login)
 * and organization-picker (`organization`, one of the proven user's, after it), as Auth0's forms post them.
 */
export function organizationRoutes(scope: FastifyInstance, { login }: AppDeps, replies: LoginReplies): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.get(screenPath('organization-selection'), PAGE, (request, reply) => replies.show(request, reply, 'organization-selection'));
  app.post(screenPath('organization-selection'), PAGE_FORM, async (request, reply) =>
    replies.send(reply, 'organization-selection', await login.selectOrganization(replies.visit(request), replies.form(request).organizationName ?? '')),
  );
  app.get(screenPath('organization-picker'), PAGE, (request, reply) => replies.show(request, reply, 'organization-picker'));
  app.post(screenPath('organization-picker'), PAGE_FORM, async (request, reply) =>
    replies.send(reply, 'organization-picker', await login.pickOrganization(replies.visit(request), replies.form(request).organization ?? '')),
  );
}
