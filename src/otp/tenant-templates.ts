import { createRequire } from 'node:module';
import type { Liquid, Template } from 'liquidjs';
import type { MessageTemplates } from '../tenant/model.js';

/**
 * The tenant's own passwordless messages: the email's `from`, `subject` and `body` from a connection's
 * `options.email` (`syntax: liquid`), and the SMS text from its `options.template`, in Auth0's two
 * syntaxes: `liquid`, or `md_with_macros`, where `@@password@@` stands for the code (node-auth0's
 * ConnectionTemplateSms: "Use @@password@@ as a placeholder for the verification code").
 *
 * Rendered with liquidjs (the engine Auth0's own template docs point to) and these variables:
 * `code`, `link`, `send` (`code` or `link`), `application.name`, `connection.name`,
 * `request_language`, `operation` and `user.email` / `user.phone_number`. Each template is parsed once:
 * a syntax error stops start-up (checkTemplates, from buildTenant); a failure while rendering fails
 * that one delivery. The email body escapes what it outputs, since a user's address ends up in it
 * (Auth0 leaves that to the template's `| escape`, which therefore changes nothing here).
 * liquidjs loads only when some connection has a template of its own.
 */
export interface TemplateVariables {
  code: string | null;
  link: string | null;
  send: 'code' | 'link';
  application: { name: string; client_id: string | null };
  connection: { name: string };
  request_language: string;
  operation: string | null;
  user: { email?: string; phone_number?: string };
  /** Guardian's SMS templates name the tenant (`{{tenant.friendly_name}}`). */
  tenant?: { friendly_name: string };
}

export interface RenderedTemplates {
  from?: string;
  subject?: string;
  html?: string;
  text?: string;
}

const requireHere = createRequire(import.meta.url);

/**
 * The templates are an export's, someone else's material: they get no file system (`{% include %}`,
 * `{% render %}` and `{% layout %}` find nothing, as in Auth0's email templates, which cannot
 * include files) and bounded work. A render past RENDER_LIMIT_MS or allocating past MEMORY_LIMIT
 * fails that one delivery; a template longer than PARSE_LIMIT stops start-up.
 */
export const RENDER_LIMIT_MS = 250;
export const MEMORY_LIMIT = 16 * 1024 * 1024;
export const PARSE_LIMIT = 1_000_000;
const NO_FILES = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string): Promise<string> => {
    throw new Error(`templates cannot read files (${file})`);
  },
  readFileSync: (file: string): string => {
    throw new Error(`templates cannot read files (${file})`);
  },
  resolve: (_root: string, file: string): string => file,
  contains: async () => false,
  containsSync: () => false,
  sep: '/',
  dirname: (file: string): string => file,
};
const INCLUDES = /\{%-?\s*(?:liquid[\s\S]*?\b)?(include|render|layout)\b/;

let engines: { plain: Liquid; html: Liquid } | undefined;
function liquid(): { plain: Liquid; html: Liquid } {
  if (!engines) {
    const { Liquid: Engine } = requireHere('liquidjs') as typeof import('liquidjs');
    // strictFilters: a misspelt filter is a syntax error at start-up, not a silent empty string.
    const options = { strictFilters: true, fs: NO_FILES, root: [], partials: [], layouts: [], renderLimit: RENDER_LIMIT_MS, memoryLimit: MEMORY_LIMIT, parseLimit: PARSE_LIMIT };
    const html = new Engine({ ...options, outputEscape: 'escape' });
    // Auth0 escapes nothing itself, so its docs tell templates to add `| escape`; here every output is
    // escaped once already, and `escape` (and `escape_once`) must not escape it a second time.
    html.registerFilter('escape', (value: unknown) => value);
    html.registerFilter('escape_once', (value: unknown) => value);
    engines = { plain: new Engine(options), html };
  }
  return engines;
}

const parsed = new WeakMap<MessageTemplates, { from?: Template[]; subject?: Template[]; body?: Template[]; sms?: Template[] }>();

function parse(templates: MessageTemplates) {
  let found = parsed.get(templates);
  if (!found) {
    const { plain, html } = liquid();
    found = {
      ...(templates.email?.from ? { from: plain.parse(templates.email.from) } : {}),
      ...(templates.email?.subject ? { subject: plain.parse(templates.email.subject) } : {}),
      ...(templates.email?.body ? { body: html.parse(templates.email.body) } : {}),
      ...(templates.sms && templates.sms.syntax === 'liquid' ? { sms: plain.parse(templates.sms.text) } : {}),
    };
    parsed.set(templates, found);
  }
  return found;
}

/** The syntax problems of templates, named by `where`, their key path (empty when they parse). */
export function checkTemplates(templates: MessageTemplates, where: string): string[] {
  const sources = [templates.email?.from, templates.email?.subject, templates.email?.body, templates.sms?.syntax === 'liquid' ? templates.sms.text : undefined];
  const including = sources.map((source) => (source ? INCLUDES.exec(source)?.[1] : undefined)).find(Boolean);
  if (including) return [`${where}: the template uses {% ${including} %}, which reads a file: Auth0's templates cannot include files, and Understudy's read none; put the text in the template`];
  try {
    parse(templates);
    return [];
  } catch (err) {
    return [`${where}: the Liquid template does not parse: ${(err as Error).message.split('\n')[0]}`];
  }
}

/** Renders the templates with `vars`: a passwordless message's TemplateVariables, or an account email's (otp/email-templates.ts). */
export function renderTemplates(templates: MessageTemplates, vars: TemplateVariables | Record<string, unknown>): RenderedTemplates {
  const compiled = parse(templates);
  const { plain, html } = liquid();
  const out: RenderedTemplates = {};
  if (compiled.from) out.from = plain.renderSync(compiled.from, vars) as string;
  if (compiled.subject) out.subject = plain.renderSync(compiled.subject, vars) as string;
  if (compiled.body) out.html = html.renderSync(compiled.body, vars) as string;
  if (templates.sms) {
    out.text = compiled.sms ? (plain.renderSync(compiled.sms, vars) as string) : templates.sms.text.split('@@password@@').join(String(vars.code ?? vars.link ?? ''));
  }
  return out;
}
