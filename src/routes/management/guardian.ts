import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import * as Type from 'typebox';
import type { AppDeps } from '../../http/app-deps.js';
import type { MfaEnrolment, MfaFactor } from '../../store/records.js';
import type { TenantMfa } from '../../tenant/model.js';
import { GUARDIAN_FACTORS } from '../../tenant/mfa-factors.js';
import { enrollmentNotFound, invalidPathParameter, invalidPayload } from '../../management/management-error.js';
import { guardianEnrollmentIds, guardianEnrollmentJson, isGuardianEnrolment } from '../../management/mfa-shapes.js';
import { AnyObject, ObjectList, paramsOf } from '../../http/route-schemas.js';
import { ACCESS } from './access.js';

/**
 * Guardian's tenant settings and enrollments, as Auth0's /api/v2/guardian endpoints
 * (docs/research/auth0-mfa.md §4.2). The factors and the policy change the running tenant in place
 * (`tenant.mfa`), so the next login, the MFA API and the Actions see them at once; like the tenant
 * file they came from, they last until the process restarts.
 */
const POLICIES = ['all-applications', 'confidence-score'] as const;
type Policy = (typeof POLICIES)[number];

/** The JSON type name Auth0's validator reports (`Expected type boolean but found type string`). */
const jsonType = (value: unknown): string =>
  value === null || value === undefined ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;

export async function guardianRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { tenant, store } = deps;
  // Read and written through `tenant` on every call: the settings are the running tenant's, never a copy.
  const mfa = (): TenantMfa => tenant.mfa;

  // All eight of Guardian's factors in Auth0's order, each `trial_expired: false` (GOREC MultiFactor/List.yaml).
  // Factors Understudy does not emulate (push, duo, WebAuthn) are listed and can be switched like the others; a login never asks for them.
  app.get('/api/v2/guardian/factors', { config: { access: ACCESS.readGuardianFactors }, schema: { response: { 200: ObjectList } } }, async () =>
    GUARDIAN_FACTORS.map((name) => ({ name, enabled: mfa().factors.includes(name), trial_expired: false })));

  app.put('/api/v2/guardian/factors/:name', { config: { access: ACCESS.updateGuardianFactors }, schema: { params: paramsOf('name'), body: Type.Unknown(), response: { 200: AnyObject } } }, async (request) => {
    const name = request.params.name as MfaFactor;
    // Auth0's answer for a name outside GuardianFactorNameEnum is not recorded: its validator's 400 for
    // a path parameter is the recommendation (not confirmed).
    if (!GUARDIAN_FACTORS.includes(name)) throw invalidPathParameter(`No enum match for: ${request.params.name}`, 'name');
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidPayload(`Expected type object but found type ${jsonType(body)}`);
    const enabled = (body as Record<string, unknown>).enabled;
    if (enabled === undefined) throw invalidPayload('Missing required property: enabled');
    if (typeof enabled !== 'boolean') throw invalidPayload(`Expected type boolean but found type ${jsonType(enabled)}`, 'enabled');
    // In place, in Auth0's order: every reader of tenant.mfa.factors sees the change on its next call.
    const current = mfa().factors;
    mfa().factors = GUARDIAN_FACTORS.filter((factor) => (factor === name ? enabled : current.includes(factor)));
    return { enabled };
  });

  // A bare array, not {policies} (GOREC MultiFactor/Policy.yaml): [] (never), ['all-applications'] or ['confidence-score'].
  app.get('/api/v2/guardian/policies', { config: { access: ACCESS.readMfaPolicies }, schema: { response: { 200: Type.Array(Type.String()) } } }, async () =>
    (mfa().policy ? [mfa().policy!] : []));

  app.put('/api/v2/guardian/policies', { config: { access: ACCESS.updateMfaPolicies }, schema: { body: Type.Unknown(), response: { 200: Type.Array(Type.String()) } } }, async (request) => {
    const body = request.body;
    if (!Array.isArray(body)) throw invalidPayload(`Expected type array but found type ${jsonType(body)}`);
    for (const value of body) if (typeof value !== 'string' || !(POLICIES as readonly string[]).includes(value)) throw invalidPayload(`No enum match for: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
    // A tenant has one policy (the dashboard's Never / Always / Adaptive). Whether Auth0 refuses two is
    // not recorded; refusing them is the recommendation (not confirmed), so nothing is half-applied.
    if (body.length > 1) throw invalidPayload(`Array is too long (${body.length}), maximum 1`);
    // 'confidence-score' (Adaptive MFA) is kept and reported back; logins do not act on it (mfa-demand.ts).
    mfa().policy = body[0] as Policy | undefined;
    return body as string[];
  });

  /** The Guardian enrollment an id names (`dev_…` or the whole `totp|dev_…`), or Auth0's 404. */
  async function enrollmentOr404(id: string): Promise<MfaEnrolment> {
    for (const candidate of guardianEnrollmentIds(id)) {
      const enrolment = await store.findEnrolment(candidate);
      if (enrolment && isGuardianEnrolment(enrolment)) return enrolment;
    }
    throw enrollmentNotFound();
  }

  app.get('/api/v2/guardian/enrollments/:id', { config: { access: ACCESS.readGuardianEnrollments }, schema: { params: paramsOf('id'), response: { 200: AnyObject } } }, async (request) =>
    guardianEnrollmentJson(await enrollmentOr404(request.params.id)));

  // 204 on success: Auth0's status is not recorded (the SDKs expect no body); 204 is the recommendation.
  app.delete('/api/v2/guardian/enrollments/:id', { config: { access: ACCESS.deleteGuardianEnrollments }, schema: { params: paramsOf('id') } }, async (request, reply) => {
    const enrolment = await enrollmentOr404(request.params.id);
    await store.deleteEnrolment(enrolment.id);
    return reply.status(204).send();
  });
}
