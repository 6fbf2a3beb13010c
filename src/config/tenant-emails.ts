import { ACCOUNT_EMAILS, type AccountEmailName, type EmailTemplate, type TenantEmails } from '../tenant/model.js';
import { checkTemplates } from '../otp/tenant-templates.js';
import { isWebUrl } from '../tenant/web-url.js';
import type { TenantFile } from './tenant-schema.js';

/**
 * The account emails from a tenant's `emailTemplates` (Deploy CLI: emails/<template>.json, whose
 * bodies config/export-directory.ts has read in) and `emailProvider.default_from_address`.
 *
 * Whether each is sent follows Auth0: verify_email goes out on sign-up unless the template is turned
 * off, welcome_email only when it is turned on; reset_email and mfa_oob_code are always sent, and a
 * turned-off template sends Auth0's default words instead of the tenant's. Links last
 * `urlLifetimeInSeconds` (Auth0's default: 5 days). A body in a syntax other than Liquid, or that does
 * not parse, is a start-up problem named by its key.
 */
const DEFAULT_LIFETIME_SECONDS = 432_000;
const SENT_WHEN_ABSENT: Record<AccountEmailName, boolean> = { verify_email: true, reset_email: true, welcome_email: false, mfa_oob_code: true, user_invitation: true };
const SWITCHABLE: ReadonlySet<AccountEmailName> = new Set(['verify_email', 'welcome_email']);

type Entry = NonNullable<TenantFile['emailTemplates']>[number];

export function tenantEmails(file: Pick<TenantFile, 'emailTemplates' | 'emailProvider'>, found: { problems: string[]; warnings: string[] }): TenantEmails {
  const entries = file.emailTemplates ?? [];
  const templates = Object.fromEntries(
    ACCOUNT_EMAILS.map((name) => {
      const index = entries.findIndex((t) => t.template === name);
      return [name, emailTemplate(name, index < 0 ? undefined : entries[index], `emailTemplates[${index}]`, found)];
    }),
  ) as Record<AccountEmailName, EmailTemplate>;
  const defaultFrom = file.emailProvider?.default_from_address?.trim() || undefined;
  return { defaultFrom, templates };
}

function emailTemplate(name: AccountEmailName, entry: Entry | undefined, path: string, found: { problems: string[]; warnings: string[] }): EmailTemplate {
  const turnedOn = entry ? entry.enabled !== false : SENT_WHEN_ABSENT[name];
  const own = entry && turnedOn ? ownTexts(entry, path, found.problems) : undefined;
  return {
    enabled: SWITCHABLE.has(name) ? turnedOn : true,
    lifetimeSeconds: entry?.urlLifetimeInSeconds ?? DEFAULT_LIFETIME_SECONDS,
    resultUrl: resultUrl(entry?.resultUrl, path, found.warnings),
    // Auth0's default is true (docs/research/auth0-email-templates.md).
    includeEmailInRedirect: entry?.includeEmailInRedirect !== false,
    own,
  };
}

function ownTexts(entry: Entry, path: string, problems: string[]): EmailTemplate['own'] {
  if (entry.syntax !== undefined && entry.syntax !== 'liquid') {
    problems.push(`${path}.syntax: must be "liquid", got "${entry.syntax}": Auth0's email templates are Liquid`);
    return undefined;
  }
  const email = {
    ...(entry.from?.trim() ? { from: entry.from } : {}),
    ...(entry.subject?.trim() ? { subject: entry.subject } : {}),
    ...(entry.body?.trim() ? { body: entry.body } : {}),
  };
  if (!Object.keys(email).length) return undefined;
  const own = { email };
  const found = checkTemplates(own, path);
  problems.push(...found);
  return found.length ? undefined : own;
}

/** A result URL the link's screen can redirect to: absolute http(s), or none (the screen says the outcome itself). */
function resultUrl(value: string | undefined, path: string, warnings: string[]): string | undefined {
  if (!value?.trim()) return undefined;
  if (!isWebUrl(value.trim())) {
    warnings.push(`${path}.resultUrl: "${value}" is not an absolute http(s) URL, so the link's screen shows the outcome instead of redirecting`);
    return undefined;
  }
  return value.trim();
}

