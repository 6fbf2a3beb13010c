import type { ClientEntry, ConnectionEntry } from './tenant-schema.js';
import type { ConnectionOptions } from './connection-options-schema.js';
import { checkTemplates } from '../otp/tenant-templates.js';
import { strategyGroup } from '../tenant/strategies.js';
import type { Client, Connection, MessageTemplates } from '../tenant/model.js';

/**
 * The tenant file's connections (and an export's `databases`) as Understudy runs them. A reference
 * the export cannot satisfy is a warning, and the rest loads: a client in `enabled_clients` that the
 * export lacks is left out, and a second connection with a name already taken is not loaded. Logins
 * through everything else still run.
 */
const socialNames: Record<string, string> = {
  'google-oauth2': 'Google',
  github: 'GitHub',
  apple: 'Apple',
  facebook: 'Facebook',
  windowslive: 'Microsoft',
  linkedin: 'LinkedIn',
  twitter: 'Twitter',
  'google-apps': 'Google Workspace',
  waad: 'Microsoft Entra ID',
  samlp: 'SAML',
  okta: 'Okta',
  adfs: 'ADFS',
};

/** Auth0's username rules when a database connection sets none (options.validation.username). */
const USERNAME_LENGTH = { min: 1, max: 15 };

export function buildConnections(
  lists: { connections?: ConnectionEntry[] | undefined; databases?: ConnectionEntry[] | undefined },
  clientEntries: ClientEntry[],
  clients: Client[],
  found: { problems: string[]; warnings: string[] },
): Connection[] {
  const entries = [
    ...(lists.connections ?? []).map((entry, i) => ({ entry, path: `connections[${i}]` })),
    ...(lists.databases ?? []).map((entry, i) => ({ entry: { ...entry, strategy: 'auth0' }, path: `databases[${i}]` })),
  ];
  const byName = new Map<string, string>();
  const out: Connection[] = [];
  for (const { entry, path } of entries) {
    const first = byName.get(entry.name);
    if (first) {
      found.warnings.push(`${path}.name: "${entry.name}" is also the name of ${first}, which is loaded; this ${entry.strategy} connection is left out (Auth0 keeps connection names unique)`);
      continue;
    }
    byName.set(entry.name, path);
    out.push(buildConnection(entry, path, clientEntries, clients, found));
  }
  return out;
}

function buildConnection(entry: ConnectionEntry, path: string, clientEntries: ClientEntry[], clients: Client[], found: { problems: string[]; warnings: string[] }): Connection {
  const group = strategyGroup(entry.strategy);
  // Checked against the strategy's own keys by the schema step (config/tenant-validation.ts).
  const options = (entry.options ?? {}) as ConnectionOptions;
  const enabledClients = new Set<string>();
  if (entry.enabled_clients === undefined) {
    // A hand-written file that names no clients means "every client", the convenient reading for a mock.
    for (const c of clients) enabledClients.add(c.clientId);
  } else {
    const missing: string[] = [];
    for (const ref of entry.enabled_clients) {
      const client = clients[clientEntries.findIndex((c) => c.name === ref || c.client_id === ref)];
      if (client) enabledClients.add(client.clientId);
      else missing.push(`"${ref}"`);
    }
    if (missing.length) {
      found.warnings.push(`${path}.enabled_clients: no client named ${missing.join(', ')} in the export, so the connection "${entry.name}" is enabled for the others only`);
    }
  }
  const templates = messageTemplates(entry.strategy, options);
  if (templates) found.problems.push(...checkTemplates(templates, templates.sms ? `${path}.options.template` : `${path}.options.email`));
  const length = options.validation?.username ?? {};
  return {
    name: entry.name,
    strategy: entry.strategy,
    kind: group === 'email' || group === 'sms' ? 'passwordless' : group === 'database' ? 'database' : 'social',
    enabledClients,
    otp: { length: options.totp?.length ?? 6, timeStepSeconds: options.totp?.time_step ?? 180 },
    disableSignup: options.disable_signup ?? false,
    bruteForceProtection: options.brute_force_protection ?? true,
    authenticationMethods: {
      password: options.authentication_methods?.password?.enabled ?? true,
      emailOtp: options.authentication_methods?.email_otp?.enabled === true,
      phoneOtp: options.authentication_methods?.phone_otp?.enabled === true,
    },
    // Auth0's default is "none" (at least one character) when a connection names no policy.
    passwordPolicy: {
      strength: options.passwordPolicy ?? 'none',
      minLength: options.password_complexity_options?.min_length,
      noPersonalInfo: options.password_no_personal_info?.enable === true,
      dictionary: options.password_dictionary?.enable === true ? { words: options.password_dictionary.dictionary ?? [] } : undefined,
      // Auth0's default history size is 5.
      historySize: options.password_history?.enable === true ? options.password_history.size ?? 5 : 0,
    },
    messageTemplates: templates,
    displayName: entry.display_name ?? socialNames[entry.strategy] ?? entry.name,
    username: { required: group === 'database' && options.requires_username === true, minLength: length.min ?? USERNAME_LENGTH.min, maxLength: length.max ?? USERNAME_LENGTH.max },
    enterprise:
      group === 'enterprise'
        ? { domains: [...new Set([options.tenant_domain, ...(options.domain_aliases ?? [])].filter((d): d is string => !!d).map((d) => d.toLowerCase()))], showAsButton: entry.show_as_button ?? true }
        : undefined,
  };
}

/** A passwordless connection's own email or SMS template, parsed once so a syntax error stops start-up. */
function messageTemplates(strategy: string, options: ConnectionOptions): MessageTemplates | undefined {
  if (strategy === 'email' && options.email && (options.email.body || options.email.subject || options.email.from)) return { email: options.email };
  if (strategy === 'sms' && options.template) return { sms: { text: options.template, syntax: options.syntax ?? 'md_with_macros', ...(options.from ? { from: options.from } : {}) } };
  return undefined;
}
