import type { DatabaseEmails } from '../tenant/model.js';
import type { TenantFile } from './tenant-schema.js';

/**
 * The database emails' settings from a tenant's `emailTemplates` (Deploy CLI: emails/<template>.json),
 * whose types the schema checked: whether verify_email is sent (Auth0 sends it on sign-up unless the
 * template is turned off), whether welcome_email is (only when turned on), and each link's
 * `urlLifetimeInSeconds` and `resultUrl`. Auth0's default link lifetime is 5 days.
 */
const DEFAULT_LIFETIME_SECONDS = 432_000;

type Template = NonNullable<TenantFile['emailTemplates']>[number];

export function databaseEmails(templates: TenantFile['emailTemplates']): DatabaseEmails {
  const find = (name: string): Template | undefined => templates?.find((t) => t.template === name);
  const link = (entry: Template | undefined) => ({ lifetimeSeconds: entry?.urlLifetimeInSeconds ?? DEFAULT_LIFETIME_SECONDS, resultUrl: entry?.resultUrl || undefined });
  const verify = find('verify_email');
  return { verifyEmail: { ...link(verify), enabled: verify?.enabled !== false }, resetEmail: link(find('reset_email')), welcomeEmail: { enabled: find('welcome_email')?.enabled === true } };
}
