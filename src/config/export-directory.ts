import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from './config-error.js';
import { replaceKeywords, type KeywordMappings } from './keywords.js';
import { resolveInside } from './export-files.js';

/** How one JSON file of the export is parsed: tenant-file.ts's parseTenantText, keywords and all. */
export type ParseFile = (text: string, path: string, format: 'json', keywords: KeywordMappings | undefined) => unknown;

/**
 * A Deploy CLI directory export (`a0deploy export --format directory`), read into the same document a
 * `tenant.yaml` export gives, so one model serves both formats: each folder holds one JSON file per
 * entry of the YAML key it stands for. The layout is the Deploy CLI's (auth0-deploy-cli,
 * src/context/directory/handlers/*.ts and src/tools/constants.ts).
 */
const LISTS: Record<string, string> = {
  clients: 'clients',
  connections: 'connections',
  'resource-servers': 'resourceServers',
  roles: 'roles',
  actions: 'actions',
  grants: 'clientGrants',
  rules: 'rules',
  hooks: 'hooks',
  pages: 'pages',
  organizations: 'organizations',
  'log-streams': 'logStreams',
  'custom-domains': 'customDomains',
  themes: 'themes',
  forms: 'forms',
  flows: 'flows',
  'rules-configs': 'rulesConfigs',
};
/** Folders with a shape of their own, read below. */
const SPECIAL = ['database-connections', 'triggers', 'emails', 'prompts', 'branding', 'guardian', 'attack-protection'];
const KNOWN_FOLDERS = [...Object.keys(LISTS), ...SPECIAL];

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const subfolders = (dir: string): string[] => readdirSync(dir).filter((name) => isDirectory(join(dir, name)));
const jsonFiles = (dir: string): string[] => (isDirectory(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f)) : []);

/** `--config <folder>/tenant.json` of a directory export would read the tenant settings alone: refused, pointing at the folder. */
export function refuseDirectoryPart(path: string): void {
  if (basename(path) !== 'tenant.json') return;
  const siblings = existsSync(dirname(path)) ? subfolders(dirname(path)).filter((name) => KNOWN_FOLDERS.includes(name)) : [];
  if (siblings.length) {
    throw new ConfigError(path, [
      `this tenant.json is part of a Deploy CLI directory export (${siblings.map((s) => `${s}/`).join(', ')} beside it): pass the folder instead, --config ${dirname(path)}`,
    ]);
  }
}

export function readExportDirectory(dir: string, keywords: KeywordMappings | undefined, parseTenantText: ParseFile): Record<string, unknown> {
  const present = subfolders(dir);
  const tenantFile = join(dir, 'tenant.json');
  if (!existsSync(tenantFile) && !present.some((name) => KNOWN_FOLDERS.includes(name))) {
    throw new ConfigError(dir, [
      `not a Deploy CLI directory export: it has no tenant.json and none of ${KNOWN_FOLDERS.map((f) => `${f}/`).join(', ')}. Pass a tenant.yaml, or the folder \`a0deploy export --format directory\` wrote`,
    ]);
  }
  const read = (file: string): unknown => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
    }
    return parseTenantText(text, file, 'json', keywords);
  };
  const doc: Record<string, unknown> = {};
  if (existsSync(tenantFile)) doc.tenant = read(tenantFile);
  for (const [folder, key] of Object.entries(LISTS)) {
    const files = jsonFiles(join(dir, folder));
    if (files.length) doc[key] = files.map(read);
  }
  // database-connections/<name>/database.json, one folder per database connection.
  const databases = join(dir, 'database-connections');
  if (isDirectory(databases)) {
    doc.databases = subfolders(databases).sort().flatMap((name) => (existsSync(join(databases, name, 'database.json')) ? [read(join(databases, name, 'database.json'))] : []));
  }
  const triggers = jsonFiles(join(dir, 'triggers'))[0];
  if (triggers) doc.triggers = read(triggers);
  const emails = jsonFiles(join(dir, 'emails'));
  const provider = emails.find((f) => basename(f) === 'provider.json');
  if (provider) doc.emailProvider = read(provider);
  const templates = emails.filter((f) => f !== provider);
  if (templates.length) doc.emailTemplates = templates.map(read);
  const prompts = join(dir, 'prompts');
  if (isDirectory(prompts)) {
    const settings = existsSync(join(prompts, 'prompts.json')) ? read(join(prompts, 'prompts.json')) : {};
    const customText = existsSync(join(prompts, 'custom-text.json')) ? read(join(prompts, 'custom-text.json')) : undefined;
    doc.prompts = { ...(settings as Record<string, unknown>), ...(customText ? { customText } : {}) };
  }
  if (existsSync(join(dir, 'branding', 'branding.json'))) doc.branding = read(join(dir, 'branding', 'branding.json'));
  // branding/templates/<name>.json (+ .html): the Universal Login page template, reported as not applied.
  const pageTemplates = join(dir, 'branding', 'templates');
  if (isDirectory(pageTemplates)) {
    const names = [...new Set(readdirSync(pageTemplates).filter((f) => /\.(json|html?)$/i.test(f)).map((f) => f.replace(/\.(json|html?)$/i, '')))].sort();
    if (names.length) doc.branding = { ...(doc.branding as Record<string, unknown> | undefined), templates: names.map((template) => ({ template })) };
  }
  // guardian/: the Deploy CLI's files for the Guardian keys (src/context/directory/handlers/guardian*.ts).
  const guardian = join(dir, 'guardian');
  const factors = jsonFiles(join(guardian, 'factors'));
  if (factors.length) doc.guardianFactors = factors.map(read);
  const factorTemplates = jsonFiles(join(guardian, 'templates'));
  if (factorTemplates.length) doc.guardianFactorTemplates = factorTemplates.map(read);
  const providers = jsonFiles(join(guardian, 'providers'));
  if (providers.length) doc.guardianFactorProviders = providers.map(read);
  for (const [file, key] of [['policies.json', 'guardianPolicies'], ['phoneFactorMessageTypes.json', 'guardianPhoneFactorMessageTypes'], ['phoneFactorSelectedProvider.json', 'guardianPhoneFactorSelectedProvider']] as const) {
    if (existsSync(join(guardian, file))) doc[key] = read(join(guardian, file));
  }
  const attack = jsonFiles(join(dir, 'attack-protection'));
  if (attack.length) doc.attackProtection = Object.fromEntries(attack.map((f) => [basename(f, '.json'), read(f)]));
  // Folders Understudy does not know are reported like unknown keys of a YAML export, unless they are
  // plainly not the tenant's: hidden ones (.github, .vscode, .husky), node_modules (an action's
  // packages), and folders with no JSON file in them.
  for (const name of present) {
    if (KNOWN_FOLDERS.includes(name) || name.startsWith('.') || name === 'node_modules' || !jsonFiles(join(dir, name)).length) continue;
    doc[name] = { folder: `${name}/` };
  }
  return doc;
}

/**
 * Files an export refers to instead of carrying them inline: a passwordless email's
 * `options.email.body: ./email.html`, and an email template's `body: ./verify_email.html`. Each is
 * read from the first of its folders (relative to the export's `root`) that has it:
 * - a connection's body: for a tenant.yaml its connections/ folder, where the Deploy CLI writes them,
 *   then its own folder; for a directory export its connections/ folder;
 * - an email template's body: beside a tenant.yaml (the Deploy CLI writes `./emailTemplates/<name>.html`),
 *   or in a directory export's emails/ folder.
 *
 * A reference that leaves the export is refused (config/export-files.ts); a missing file is a notice,
 * and the email uses Understudy's default body.
 */
export interface ReferenceFolders {
  connections: readonly string[];
  emailTemplates: readonly string[];
}

export function loadReferencedFiles(doc: unknown, root: string, folders: ReferenceFolders, keywords: KeywordMappings | undefined, found: { problems: string[]; notices: string[] }): void {
  const readBody = (holder: { body?: unknown }, key: string, where: readonly string[]): void => {
    const body = holder.body;
    if (typeof body !== 'string' || body.includes('<') || !/\.(html?|liquid)$/i.test(body.trim())) return;
    const refs = where.map((folder) => resolveInside(root, body, folder));
    const refused = refs.find((ref): ref is { refused: string } => 'refused' in ref);
    if (refused) {
      found.problems.push(`${key}: ${refused.refused}`);
      return;
    }
    const file = refs.find((ref): ref is { file: string } => 'file' in ref);
    if (!file) {
      delete holder.body;
      found.notices.push(`${key}: the email template ${body.trim()} is not in the export (looked in ${where.map((f) => join(root, f)).join(', ')}); the email uses Understudy's default body`);
      return;
    }
    try {
      // Keywords are replaced in it as in the file that refers to it, as the Deploy CLI does.
      holder.body = replaceKeywords(readFileSync(file.file, 'utf8'), keywords);
    } catch (err) {
      found.problems.push(`${key}: cannot read the email template ${file.file}: ${(err as Error).message}`);
    }
  };
  const { connections, emailTemplates } = (doc ?? {}) as { connections?: unknown; emailTemplates?: unknown };
  if (Array.isArray(connections)) {
    connections.forEach((connection, i) => {
      const email = (connection as { options?: { email?: { body?: unknown } } } | null)?.options?.email;
      if (email && typeof email === 'object') readBody(email, `connections[${i}].options.email.body`, folders.connections);
    });
  }
  if (Array.isArray(emailTemplates)) {
    emailTemplates.forEach((template, i) => {
      if (template && typeof template === 'object') readBody(template as { body?: unknown }, `emailTemplates[${i}].body`, folders.emailTemplates);
    });
  }
}
