import type { MfaFactor } from '../store/records.js';
import type { TenantMfa } from '../tenant/model.js';
import { GUARDIAN_FACTORS } from '../tenant/mfa-factors.js';
import type { TenantFile } from './tenant-schema.js';

/** Auth0's SMS factor messages when the tenant has no guardianFactorTemplates (the Deploy CLI's example defaults). */
export const DEFAULT_SMS_TEMPLATES = {
  enrollment: '{{code}} is your verification code for {{tenant.friendly_name}}. Please enter this code to verify your enrollment.',
  verification: '{{code}} is your verification code for {{tenant.friendly_name}}',
};

/** The tenant's Guardian settings from guardianFactors, guardianPolicies and guardianFactorTemplates. */
export function buildMfa(file: Pick<TenantFile, 'guardianFactors' | 'guardianPolicies' | 'guardianFactorTemplates'>): TenantMfa {
  const enabled = new Set((file.guardianFactors ?? []).filter((f) => f.enabled).map((f) => f.name as MfaFactor));
  const sms = file.guardianFactorTemplates?.find((t) => t.name === 'sms');
  return {
    factors: GUARDIAN_FACTORS.filter((name) => enabled.has(name)),
    policy: file.guardianPolicies?.policies[0],
    smsTemplates: {
      enrollment: sms?.enrollment_message ?? DEFAULT_SMS_TEMPLATES.enrollment,
      verification: sms?.verification_message ?? DEFAULT_SMS_TEMPLATES.verification,
    },
  };
}
