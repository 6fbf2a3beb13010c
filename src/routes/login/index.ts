import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../http/app-deps.js';
import { createLoginReplies } from '../../http/login-reply.js';
import { identifierRoutes } from './identifier.js';
import { challengeRoutes } from './challenge.js';
import { mfaRoutes } from './mfa.js';
import { passwordRoutes } from './password.js';
import { passkeyRoutes } from './passkeys.js';
import { socialRoutes } from './social.js';
import { organizationRoutes } from './organizations.js';

/**
 * The Universal Login screens (paths and guards: src/login/screens.ts), one route file per screen
 * group. The `state` on their URLs is the login transaction, bound to the browser's `did` cookie.
 */
export async function loginScreenRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const replies = createLoginReplies(deps);
  for (const routes of [identifierRoutes, challengeRoutes, passwordRoutes, passkeyRoutes, socialRoutes, mfaRoutes, organizationRoutes]) routes(app, deps, replies);
}
