import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../http/app-deps.js';
import type { User } from '../../store/records.js';
import { authenticationMethodNotFound, userNotFound } from '../../management/management-error.js';
import { offsetList } from '../../management/paging.js';
import { authenticationMethodJson, enrolmentIdOfMethod, firstGuardianEnrolment, passkeyMethodJson, usersEnrollmentJson } from '../../management/mfa-shapes.js';
import { AnyObject, ListOrPage, ObjectList, paramsOf, queryWith } from '../../http/route-schemas.js';
import { ACCESS } from './access.js';

/**
 * How a user signs in beyond the password, per user (docs/research/auth0-mfa.md §4.2): their
 * authentication methods (MFA enrolments and passkeys), their Guardian enrollment, removing every
 * authenticator, a new recovery code, and forgetting the browsers they asked to be remembered on.
 */
const Id = paramsOf('id');
const IdAndMethod = paramsOf('id', 'method');

export async function userAuthenticatorRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { store, mfa, clock } = deps;
  const userOr404 = async (id: string): Promise<User> => (await store.getUser(id)) ?? Promise.reject(userNotFound());

  /** The user's confirmed MFA enrolments and passkeys, as Auth0's authentication methods, oldest first. */
  async function methodsOf(user: User): Promise<Record<string, unknown>[]> {
    const enrolments = (await store.listEnrolments(user.user_id)).flatMap((e): Record<string, unknown>[] => {
      const method = authenticationMethodJson(e);
      return method ? [method] : [];
    });
    const passkeys = (await store.listPasskeys(user.user_id)).map((p) => passkeyMethodJson(p, user, deps.passkeys.rpId));
    // A stable sort by creation: an enrolment and a passkey made at the same instant keep this order.
    return [...enrolments, ...passkeys].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
  }

  app.get('/api/v2/users/:id/authentication-methods', { config: { access: ACCESS.readAuthenticationMethods }, schema: { params: Id, querystring: queryWith(['page', 'per_page', 'include_totals']), response: { 200: ListOrPage } } }, async (request) => {
    const methods = await methodsOf(await userOr404(request.params.id));
    const page = offsetList(request.query, 'authenticators', methods);
    // With totals, an empty list has no `total` (GOREC: {"authenticators":[],"start":0,"limit":50}).
    if (!Array.isArray(page) && methods.length === 0) delete page.total;
    return page;
  });

  app.get('/api/v2/users/:id/authentication-methods/:method', { config: { access: ACCESS.readAuthenticationMethods }, schema: { params: IdAndMethod, response: { 200: AnyObject } } }, async (request) => {
    const method = (await methodsOf(await userOr404(request.params.id))).find((m) => m.id === request.params.method);
    if (!method) throw authenticationMethodNotFound();
    return method;
  });

  // A passkey (`passkey|<credential id>`) or an MFA enrolment by its method id (`phone|dev_X`) or its
  // MFA API id (`sms|dev_X`, which names unconfirmed ones too, as Auth0 Support's cleanup of unconfirmed
  // enrolments uses it: community.auth0.com/t/95815). The verified email's authenticator is not stored,
  // so it cannot be deleted, as in Auth0.
  app.delete('/api/v2/users/:id/authentication-methods/:method', { config: { access: ACCESS.deleteAuthenticationMethods }, schema: { params: IdAndMethod } }, async (request, reply) => {
    const { id, method } = request.params;
    const user = await userOr404(id);
    if (method.startsWith('passkey|')) {
      const passkey = await store.findPasskey(method.slice('passkey|'.length));
      if (!passkey || passkey.userId !== user.user_id) throw authenticationMethodNotFound();
      await store.deletePasskey(passkey.id);
    } else if (!(await mfa.remove(user, enrolmentIdOfMethod(method)))) {
      throw authenticationMethodNotFound();
    }
    return reply.status(204).send();
  });

  // At most one: the first confirmed Guardian enrollment, else a pending one (management/mfa-shapes.ts).
  app.get('/api/v2/users/:id/enrollments', { config: { access: ACCESS.readUser, accessTarget: 'id' }, schema: { params: Id, response: { 200: ObjectList } } }, async (request) => {
    const user = await userOr404(request.params.id);
    const first = firstGuardianEnrolment(await store.listEnrolments(user.user_id));
    return first ? [usersEnrollmentJson(first)] : [];
  });

  // "Remove all authenticators registered to a given user ID, such as OTP, email, phone, and
  // push-notification": every stored enrolment, the recovery code too; passkeys are a first factor and
  // stay. 204: Auth0's status is not recorded, 204 is the recommendation.
  app.delete('/api/v2/users/:id/authenticators', { config: { access: ACCESS.deleteGuardianEnrollments }, schema: { params: Id } }, async (request, reply) => {
    const user = await userOr404(request.params.id);
    for (const enrolment of await store.listEnrolments(user.user_id)) await store.deleteEnrolment(enrolment.id);
    return reply.status(204).send();
  });

  // 200 {recovery_code}: the user's code replaced, or made when they have none; Auth0 answered for a
  // user with no enrolment (GOREC). Whether it needs the recovery-code factor on is not recorded: it
  // does not here (recommendation), and the code counts once the factor is on.
  app.post('/api/v2/users/:id/recovery-code-regeneration', { config: { access: ACCESS.updateUsers }, schema: { params: Id, response: { 200: AnyObject } } }, async (request) => {
    return { recovery_code: await mfa.regenerateRecoveryCode(await userOr404(request.params.id)) };
  });

  // Every `auth0-mf` cookie issued to the user before now stops skipping the challenge
  // (mfa/remembered-browsers.ts). 204: Auth0's status is not recorded, 204 is the recommendation.
  app.post('/api/v2/users/:id/multifactor/actions/invalidate-remember-browser', { config: { access: ACCESS.updateUsers }, schema: { params: Id } }, async (request, reply) => {
    const user = await userOr404(request.params.id);
    await store.revokeRememberedBrowsers(user.user_id, clock.now());
    return reply.status(204).send();
  });
}
