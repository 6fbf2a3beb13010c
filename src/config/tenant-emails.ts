import type { DatabaseEmails } from '../tenant/model.js';

/**
 * The database emails' settings from a tenant's `emailTemplates` (Deploy CLI: emails/<template>.json):
 * whether verify_email is sent (Auth0 sends it on sign-up unless the template is turned off), whether
 * welcome_email is (only when turned on), and each link's `urlLifetimeInSeconds` and `resultUrl`.
 * Auth0's default link lifetime is 5 days.
 */
const DEFAULT_LIFETIME_SECONDS = 432_000;

interface TemplateEntry {
  template?: unknown;
  enabled?: unknown;
  urlLifetimeInSeconds?: unknown;
  resultUrl?: unknown;
}

export function databaseEmails(templates: unknown): DatabaseEmails {
  const list = (Array.isArray(templates) ? templates : []) as TemplateEntry[];
  const find = (name: string): TemplateEntry | undefined => list.find((t) => t && typeof t === 'object' && t.template === name);
  const link = (entry: TemplateEntry | undefined) => ({
    lifetimeSeconds: typeof entry?.urlLifetimeInSeconds === 'number' && entry.urlLifetimeInSeconds > 0 ? entry.urlLifetimeInSeconds : DEFAULT_LIFETIME_SECONDS,
    resultUrl: typeof entry?.resultUrl === 'string' && entry.resultUrl ? entry.resultUrl : undefined,
  });
  const verify = find('verify_email');
  return { verifyEmail: { ...link(verify), enabled: verify?.enabled !== false }, resetEmail: link(find('reset_email')), welcomeEmail: { enabled: find('welcome_email')?.enabled === true } };
}
