import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { AnyObject, queryWith } from '../http/route-schemas.js';
import type { MfaEnrolment, User } from '../store/records.js';
import { TOTP_PERIOD_SECONDS, totpAt } from '../mfa/totp.js';
import { normalizeEmail } from '../users/normalize.js';

/**
 * Second factors for testers: `GET /_dev/api/mfa` lists every user's enrolments (`?user_id=` or
 * `?email=` narrows to one user) with what a test needs to pass them: an authenticator app's secret
 * and the code it shows now (on the dev clock), how long that code lasts, and the recovery code. SMS
 * and email codes are in the mailbox, marked `connection: "guardian"`.
 */
export interface MfaEnrolmentView {
  id: string;
  user_id: string;
  email: string | undefined;
  factor: MfaEnrolment['factor'];
  confirmed: boolean;
  created_at: string;
  last_auth_at: string | undefined;
  secret?: string;
  current_code?: string;
  code_valid_for_seconds?: number;
  phone_number?: string;
  recovery_code?: string;
}

export function enrolmentView(enrolment: MfaEnrolment, user: User | undefined, now: number): MfaEnrolmentView {
  const view: MfaEnrolmentView = {
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
  return view;
}

export async function devMfaRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { store, mfa, clock } = deps;

  app.get('/_dev/api/mfa', { schema: { querystring: queryWith(['user_id', 'email']), response: { 200: AnyObject } } }, async (request, reply) => {
    const { user_id: userId, email } = request.query;
    const wanted = typeof email === 'string' && email ? normalizeEmail(email) : undefined;
    const users = (await store.listUsers()).filter((u) => (typeof userId !== 'string' || !userId || u.user_id === userId) && (!wanted || u.email === wanted));
    const enrolments: MfaEnrolmentView[] = [];
    for (const user of users) for (const enrolment of await mfa.enrolments(user)) enrolments.push(enrolmentView(enrolment, user, clock.now()));
    return reply.header('Cache-Control', 'no-store').send({ enrolments });
  });
}
