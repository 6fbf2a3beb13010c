import { ACTION_TRIGGERS } from './action-model.js';
import { ENTERPRISE_STRATEGIES } from './strategies.js';
import { NOT_EMULATED_FACTORS } from './mfa-factors.js';
import { ACCOUNT_EMAILS } from './model.js';

/**
 * What of the tenant Understudy does not emulate, by feature, each with what it means for a login:
 * the start-up log, GET /_dev/api/tenant-report and the dev mailbox page all show this one list.
 * Keys with no effect on logins (`is_first_party`, `oidc_conformant`, …) are not features; they are
 * counted apart and listed only at LOG_LEVEL=debug.
 */
export interface ReportedFeature {
  feature: string;
  /** How many of them the tenant has (enabled ones where that applies). */
  count: number;
  consequence: string;
  /** The tenant-file keys the feature lives in, so they are not counted again as trivia. */
  keys: string[];
}

export interface TenantReport {
  features: ReportedFeature[];
  /** Other keys Understudy does not read. */
  otherKeys: string[];
}

type Doc = Record<string, unknown>;
const list = (value: unknown): Doc[] => (Array.isArray(value) ? value.filter((v): v is Doc => v !== null && typeof v === 'object') : []);
const obj = (value: unknown): Doc => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Doc) : {});
const enabled = (entry: Doc): boolean => entry.enabled !== false;

interface Rule {
  feature: string;
  keys: string[];
  count: (doc: Doc) => number;
  consequence: string;
}

const RULES: Rule[] = [
  {
    feature: 'Actions on other triggers',
    keys: [],
    count: (d) => Object.entries(obj(d.triggers)).filter(([trigger]) => !(ACTION_TRIGGERS as readonly string[]).includes(trigger)).reduce((n, [, bound]) => n + list(bound).length, 0),
    consequence: `not run: Understudy runs the actions bound to ${ACTION_TRIGGERS.join(', ')}`,
  },
  { feature: 'Rules', keys: ['rules', 'rulesConfigs'], count: (d) => list(d.rules).filter(enabled).length, consequence: 'Auth0 retired Rules: not run' },
  { feature: 'Hooks', keys: ['hooks'], count: (d) => list(d.hooks).filter(enabled).length, consequence: 'Auth0 retired Hooks: not run' },
  // Roles and permissions are emulated (src/rbac/); only the RFC 9068 token format is not.
  { feature: 'RFC 9068 access tokens', keys: [], count: (d) => list(d.resourceServers).filter((r) => typeof r.token_dialect === 'string' && r.token_dialect.startsWith('rfc9068')).length, consequence: 'issued in Auth0\'s access_token format (typ JWT, azp), with the permissions claim for rfc9068_profile_authz' },
  {
    feature: 'Enterprise connections',
    keys: [],
    count: (d) => list(d.connections).filter((c) => typeof c.strategy === 'string' && ENTERPRISE_STRATEGIES.has(c.strategy)).length,
    consequence: 'shown as a mock of the identity provider: no SAML, WS-Fed or OIDC exchange; an email at one of their domain_aliases goes to it (home-realm discovery)',
  },
  {
    feature: 'MFA factors not emulated',
    keys: [],
    count: (d) => list(d.guardianFactors).filter((f) => f.enabled === true && (NOT_EMULATED_FACTORS as readonly unknown[]).includes(f.name)).length,
    consequence: `not offered (${NOT_EMULATED_FACTORS.join(', ')}): a login asks for the tenant's other factors, and fails when the user has no other`,
  },
  {
    feature: 'Adaptive MFA (guardianPolicies: confidence-score)',
    keys: [],
    count: (d) => { const policies = obj(d.guardianPolicies).policies; return Array.isArray(policies) && policies.includes('confidence-score') ? 1 : 0; },
    consequence: 'not emulated: every login counts as high confidence, so the policy asks none for a second factor (Actions and acr_values still can)',
  },
  {
    feature: 'Guardian providers and phone settings',
    keys: ['guardianFactorProviders', 'guardianPhoneFactorSelectedProvider', 'guardianPhoneFactorMessageTypes'],
    count: (d) => list(d.guardianFactorProviders).length + (d.guardianPhoneFactorSelectedProvider ? 1 : 0) + (d.guardianPhoneFactorMessageTypes ? 1 : 0),
    consequence: 'not used: SMS codes go to the dev mailbox, push approvals to the dev page; voice calls are sent as SMS',
  },
  { feature: 'Custom database scripts', keys: [], count: (d) => list(d.databases).concat(list(d.connections)).filter((c) => obj(c.options).enabledDatabaseCustomization === true || Object.keys(obj(obj(c.options).customScripts)).length > 0).length, consequence: 'run as a plain database: users and passwords are the tenant file\'s' },
  {
    feature: 'Email templates Understudy does not send',
    keys: ['emailTemplates', 'emailProvider'],
    count: (d) => list(d.emailTemplates).filter((t) => enabled(t) && !(ACCOUNT_EMAILS as readonly unknown[]).includes(t.template)).length,
    consequence: `not sent (blocked_account, stolen_credentials, enrollment_email, the *_by_code variants and the rest); ${ACCOUNT_EMAILS.join(', ')} go to the dev mailbox in the tenant's Liquid`,
  },
  { feature: 'Custom login page (pages)', keys: ['pages'], count: (d) => list(d.pages).filter((p) => p.enabled !== false).length, consequence: 'not served: the Universal Login screens are Understudy\'s' },
  { feature: 'Themes and branding templates', keys: ['themes', 'branding.templates'], count: (d) => list(d.themes).length + list(obj(d.branding).templates).length, consequence: 'not applied' },
  { feature: 'Attack protection settings', keys: ['attackProtection'], count: (d) => Object.keys(obj(d.attackProtection)).length, consequence: 'Understudy applies Auth0\'s default brute-force protection and its own rate limits; bot detection, breached-password detection and suspicious-IP throttling are not emulated' },
  { feature: 'Log streams', keys: ['logStreams'], count: (d) => list(d.logStreams).length, consequence: 'not emulated: nothing is streamed' },
  { feature: 'Custom domains', keys: ['customDomains'], count: (d) => list(d.customDomains).length, consequence: 'not emulated: the issuer is ISSUER_BASE_URL' },
];

export function tenantReport(raw: unknown, ignoredKeys: readonly string[]): TenantReport {
  const doc = obj(raw);
  const features = RULES.map((rule) => ({ feature: rule.feature, count: rule.count(doc), consequence: rule.consequence, keys: rule.keys })).filter((f) => f.count > 0);
  const featureKeys = RULES.flatMap((rule) => rule.keys);
  const belongsToFeature = (key: string): boolean =>
    featureKeys.some((k) => key === k || key.startsWith(`${k}.`) || key.startsWith(`${k}[`)) || /^(connections|databases)\[\d+\]\.options\.(customScripts|enabledDatabaseCustomization)\b/.test(key);
  return { features, otherKeys: ignoredKeys.filter((key) => !belongsToFeature(key)) };
}

/** One line per feature, for the start-up log. */
export function reportLines(report: TenantReport): string[] {
  return report.features.map((f) => `${f.feature} (${f.count}): ${f.consequence}`);
}
