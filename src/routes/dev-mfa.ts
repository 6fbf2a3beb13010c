import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import * as Type from 'typebox';
import { AnyObject, fieldsOf, paramsOf, queryWith } from '../http/route-schemas.js';
import { notFound } from '../errors.js';
import { pushStateOf } from '../mfa/push-notifications.js';
import type { DevMfaEnrolment } from '../testing/types.js';
import type { MfaEnrolment, User } from '../store/records.js';
import { TOTP_PERIOD_SECONDS, totpAt } from '../mfa/totp.js';
import { normalizeEmail } from '../users/normalize.js';

/**
 * Second factors for testers: `GET /_dev/api/mfa` lists every user's enrolments (`?user_id=` or
 * `?email=` narrows to one user) with what a test needs to pass them: an authenticator app's secret
 * and the code it shows now (on the dev clock), how long that code lasts, and the recovery code. SMS
 * and email codes are in the mailbox, marked `connection: "guardian"`.
 *
 * The push factor's device is played here: `POST /_dev/api/mfa/authenticators/{id}/scan` enrols a
 * push enrolment waiting for its QR code to be scanned, `…/approve` and `…/deny` answer the
 * notification waiting (`push.status: "pending"` in the list). 404 when there is nothing to scan or answer.
 * The shape is understudy/testing's DevMfaEnrolment, its one definition.
 */
export function enrolmentView(enrolment: MfaEnrolment, user: User | undefined, now: number): DevMfaEnrolment {
  const view: DevMfaEnrolment = {
    id: enrolment.id,
    user_id: enrolment.userId,
    email: enrolment.email ?? user?.email,
    factor: enrolment.factor,
    confirmed: enrolment.confirmed,
    created_at: enrolment.createdAt,
    last_auth_at: enrolment.lastAuthAt,
  };
  if (enrolment.secret) {
    Object.assign(view, { secret: enrolment.secret, current_code: totpAt(enrolment.secret, now), code_valid_for_seconds: TOTP_PERIOD_SECONDS - (Math.floor(now / 1000) % TOTP_PERIOD_SECONDS) });
  }
  if (enrolment.phoneNumber) view.phone_number = enrolment.phoneNumber;
  if (enrolment.recoveryCode) view.recovery_code = enrolment.recoveryCode;
  if (enrolment.name && enrolment.factor !== 'sms' && enrolment.factor !== 'email') view.name = enrolment.name;
  const push = pushStateOf(enrolment, now);
  if (enrolment.push && push !== 'none') view.push = { status: push, expires_at: new Date(enrolment.push.expiresAt).toISOString() };
  return view;
}

export async function devMfaRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { store, mfa, clock } = deps;

  app.get('/_dev/api/mfa', { schema: { querystring: queryWith(['user_id', 'email']), response: { 200: AnyObject } } }, async (request, reply) => {
    const { user_id: userId, email } = request.query;
    const wanted = typeof email === 'string' && email ? normalizeEmail(email) : undefined;
    const users = (await store.listUsers()).filter((u) => (typeof userId !== 'string' || !userId || u.user_id === userId) && (!wanted || u.email === wanted));
    const enrolments: DevMfaEnrolment[] = [];
    for (const user of users) for (const enrolment of await mfa.enrolments(user)) enrolments.push(enrolmentView(enrolment, user, clock.now()));
    return reply.header('Cache-Control', 'no-store').send({ enrolments });
  });

  const DEVICE_ACTIONS = {
    scan: (id: string, name: string | undefined) => mfa.scanPush(id, name),
    approve: (id: string) => mfa.answerPush(id, true),
    deny: (id: string) => mfa.answerPush(id, false),
  } as const;
  const NOTHING = { scan: 'No push enrolment of that id is waiting to be scanned.', approve: 'No notification of that authenticator is waiting.', deny: 'No notification of that authenticator is waiting.' } as const;
  for (const action of ['scan', 'approve', 'deny'] as const) {
    app.post(`/_dev/api/mfa/authenticators/:id/${action}`, { schema: { params: paramsOf('id'), body: Type.Optional(fieldsOf(['name'])), response: { 200: AnyObject, 404: AnyObject } } }, async (request, reply) => {
      const name = typeof request.body?.name === 'string' ? request.body.name : undefined;
      if (!(await DEVICE_ACTIONS[action](request.params.id, name))) throw notFound(NOTHING[action]);
      const enrolment = await store.findEnrolment(request.params.id);
      return reply.header('Cache-Control', 'no-store').send(enrolment ? enrolmentView(enrolment, await store.getUser(enrolment.userId), clock.now()) : {});
    });
  }
}
