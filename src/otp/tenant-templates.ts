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
 * that one delivery. The email body escapes what it outputs, since a user's address ends up in it.
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
}

export interface RenderedTemplates {
  from?: string;
  subject?: string;
  html?: string;
  text?: string;
}

const requireHere = createRequire(import.meta.url);
let engines: { plain: Liquid; html: Liquid } | undefined;
function liquid(): { plain: Liquid; html: Liquid } {
  if (!engines) {
    const { Liquid: Engine } = requireHere('liquidjs') as typeof import('liquidjs');
    // strictFilters: a misspelt filter is a syntax error at start-up, not a silent empty string.
    engines = { plain: new Engine({ strictFilters: true }), html: new Engine({ strictFilters: true, outputEscape: 'escape' }) };
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

/** The syntax problems of a connection's templates, named by key path (empty when they parse). */
export function checkTemplates(templates: MessageTemplates, path: string): string[] {
  try {
    parse(templates);
    return [];
  } catch (err) {
    const where = templates.sms ? `${path}.options.template` : `${path}.options.email`;
    return [`${where}: the Liquid template does not parse: ${(err as Error).message.split('\n')[0]}`];
  }
}

export function renderTemplates(templates: MessageTemplates, vars: TemplateVariables): RenderedTemplates {
  const compiled = parse(templates);
  const { plain, html } = liquid();
  const out: RenderedTemplates = {};
  if (compiled.from) out.from = plain.renderSync(compiled.from, vars) as string;
  if (compiled.subject) out.subject = plain.renderSync(compiled.subject, vars) as string;
  if (compiled.body) out.html = html.renderSync(compiled.body, vars) as string;
  if (templates.sms) {
    out.text = compiled.sms ? (plain.renderSync(compiled.sms, vars) as string) : templates.sms.text.split('@@password@@').join(vars.code ?? vars.link ?? '');
  }
  return out;
}
