import { emailVerificationRoutes } from './email-verification.js';
import { resetPasswordRoutes } from './reset-password.js';
import { databaseConnectionRoutes } from './dbconnections.js';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../http/app-deps.js';
import type { PersistentKeys } from '../store/records.js';
import { registerApiCors } from '../http/cors.js';
import { mfaApiRoutes } from './mfa-api.js';
import { devMfaRoutes } from './dev-mfa.js';
import { guardDevPlane } from '../http/dev-guard.js';
import { requireDevToken } from '../http/dev-token.js';
import { authorizeRoutes } from './authorize.js';
import { resumeRoutes } from './resume.js';
import { loginScreenRoutes } from './login/index.js';
import { tokenRoutes } from './token.js';
import { userinfoRoutes } from './userinfo.js';
import { magicLinkRoutes, passwordlessStartRoutes } from './passwordless.js';
import { crossOriginAuthenticateRoutes, crossOriginPageRoutes, passwordlessVerifyRoutes } from './cross-origin.js';
import { logoutRoutes } from './logout.js';
import { managementRoutes } from './management/index.js';
import { wellKnownRoutes } from './well-known.js';
import { healthRoutes } from './health.js';
import { devMailboxRoutes } from './dev-mailbox.js';
import { devPasskeyRoutes } from './dev-passkeys.js';
import { devOrganizationRoutes } from './dev-organizations.js';
import { devControlRoutes } from './dev-control.js';
import { devSnapshotRoutes } from './dev-snapshot.js';
import { devCaRoutes } from './dev-ca.js';

/**
 * Every route group, each in its scope: the Authentication API at the root (its browser-called
 * endpoints sharing one CORS policy), the Management API with its own error handler and access hook,
 * and the dev plane behind its guard and token.
 */
export async function registerRoutes(
  app: FastifyInstance,
  deps: AppDeps,
  options: { keys: PersistentKeys; devToken: string | undefined; devHosts: readonly string[]; caPem: string | undefined },
): Promise<void> {
  const { tenant, issuer } = deps;
  await app.register(async (scope) => wellKnownRoutes(scope, deps));
  await app.register(async (scope) => healthRoutes(scope, deps));
  await app.register(async (scope) => authorizeRoutes(scope, deps));
  await app.register(async (scope) => resumeRoutes(scope, deps));
  await app.register(async (scope) => loginScreenRoutes(scope, deps));
  await app.register(async (scope) => magicLinkRoutes(scope, deps));
  await app.register(async (scope) => resetPasswordRoutes(scope, deps));
  await app.register(async (scope) => emailVerificationRoutes(scope, deps));
  await app.register(async (scope) => logoutRoutes(scope, deps));
  // The endpoints browsers call with fetch share one CORS policy; embedded login's /co/authenticate is called with credentials.
  await app.register(async (scope) => {
    await registerApiCors(scope, tenant);
    await tokenRoutes(scope, deps);
    await userinfoRoutes(scope, deps);
    await passwordlessStartRoutes(scope, deps);
    await passwordlessVerifyRoutes(scope, deps);
    await crossOriginAuthenticateRoutes(scope, deps);
    await mfaApiRoutes(scope, deps);
    await databaseConnectionRoutes(scope, deps);
  });
  await app.register(async (scope) => crossOriginPageRoutes(scope, deps));
  // The Management API answers errors in its own shape, by its scope's error handler.
  await app.register(async (scope) => managementRoutes(scope, deps));
  if (deps.devRoutes) {
    const devPlane = { issuer, devHosts: options.devHosts };
    await app.register(async (scope) => {
      guardDevPlane(scope, devPlane);
      requireDevToken(scope, options.devToken);
      await devMailboxRoutes(scope, deps);
      await devPasskeyRoutes(scope, deps);
      await devOrganizationRoutes(scope, deps);
      await devMfaRoutes(scope, deps);
    });
    await app.register(async (scope) => {
      guardDevPlane(scope, devPlane);
      requireDevToken(scope, options.devToken);
      await devControlRoutes(scope, deps);
      await devSnapshotRoutes(scope, deps, options.keys, options.devToken !== undefined);
    });
  }
  const caPem = options.caPem;
  if (deps.devRoutes && caPem) await app.register(async (scope) => devCaRoutes(scope, caPem));
}
