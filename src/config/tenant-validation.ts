import { Value } from 'typebox/value';
import { Settings } from 'typebox/system';
import type { TObject, TSchema } from 'typebox';
import { TenantFileSchema, type TenantFile } from './tenant-schema.js';
import { CONNECTION_OPTIONS_SCHEMAS } from './connection-options-schema.js';
import { formatPath } from './config-error.js';
import { strategyGroup } from '../tenant/strategies.js';
import { UNSET } from './unset.js';

/**
 * The TypeBox side of reading a tenant file: every schema error, worded with the value found, and
 * the file without unknown keys. Kept apart from tenant-file.ts so start-up loads TypeBox only when the
 * compiled check (scripts/emit-tenant-check.mjs) cannot vouch for the file.
 *
 * Schema problems do not stop the checks that follow: each bad value is taken out of the document (a
 * missing required name stands in as UNSET), so buildTenant's semantic checks run on the rest and one
 * run lists every problem. A semantic message about a stand-in is noise and is dropped.
 */
export interface SchemaCheck {
  problems: string[];
  ignoredKeys: string[];
  file: TenantFile;
}

type Errors = ReturnType<typeof Value.Errors>;
type SchemaError = Errors[number];

/**
 * TypeBox stops collecting after `maxErrors` (default 8), and every unknown key costs two errors, so an
 * export full of unknown keys would hide the real problems behind them. The tenant file is trusted local
 * input: collect everything, then put the global setting back.
 */
function allErrors(schema: TSchema, value: unknown): Errors {
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: Number.MAX_SAFE_INTEGER });
  try {
    return Value.Errors(schema, value);
  } finally {
    Settings.Set({ maxErrors: previous });
  }
}

export function checkTenantDocument(raw: unknown): SchemaCheck {
  const doc = structuredClone(raw) as Record<string, unknown>;
  const problems: string[] = [];
  const ignoredKeys: string[] = [];
  mend(doc, (value) => allErrors(TenantFileSchema, value), '', problems, ignoredKeys);
  for (const list of ['connections', 'databases'] as const) {
    const entries = doc[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry: Record<string, unknown>, i) => {
      const options = entry?.options as Record<string, unknown> | undefined;
      if (!options) return;
      // Each connection's options against its strategy's keys: unread keys are listed, read keys checked.
      const schema = optionsSchemaOf(list === 'databases' ? 'auth0' : entry.strategy);
      if (!mend(options, (value) => allErrors(schema, value), `/${list}/${i}/options`, problems, ignoredKeys)) delete entry.options;
      else entry.options = Value.Clean(schema, options);
    });
  }
  return { problems, ignoredKeys, file: Value.Clean(TenantFileSchema, doc) as TenantFile };
}

/**
 * Reports the schema's findings in `doc` (a document, or a part of one at `base`) and takes each bad
 * value out. Each round takes out what the previous one found; a value taken out can leave its entry
 * without a required key, which the next round fills in. Only the first round's findings are the
 * file's own. Whatever four rounds cannot mend is dropped whole (a top-level key), so the checks that
 * follow never see a bad value; false when that left nothing.
 */
function mend(doc: Record<string, unknown>, errorsOf: (value: unknown) => Errors, base: string, problems: string[], ignoredKeys: string[]): boolean {
  for (let round = 0; round < 4; round++) {
    const found = findings(errorsOf(doc), base, doc, round === 0 ? ignoredKeys : undefined);
    if (round === 0) problems.push(...found.map((f) => f.message));
    if (!found.length) return true;
    for (const finding of found) repair(doc, { ...finding, pointer: finding.pointer.slice(base.length) });
    compact(doc);
  }
  for (const error of errorsOf(doc)) {
    if (error.keyword === 'additionalProperties' || error.keyword === 'boolean') continue;
    const top = error.instancePath.split('/')[1];
    if (top === undefined) return false;
    delete doc[top];
  }
  return true;
}

export function optionsSchemaOf(strategy: unknown): TObject {
  return CONNECTION_OPTIONS_SCHEMAS[strategyGroup(typeof strategy === 'string' ? strategy : '')];
}

interface Finding {
  pointer: string;
  message: string;
  /** Keys an object lacks; undefined when the value at `pointer` is itself wrong. */
  missing?: string[];
}

/** One finding per bad value (TypeBox reports a union's every branch: they are folded into one). */
function findings(errors: Errors, base: string, root: unknown, ignoredKeys: string[] | undefined): Finding[] {
  const byPointer = new Map<string, SchemaError[]>();
  for (const error of errors) {
    if (error.keyword === 'boolean') continue;
    if (error.keyword === 'additionalProperties') {
      const names = (error.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      for (const name of names) ignoredKeys?.push(formatPath(`${base}${error.instancePath}/${name}`));
      continue;
    }
    const list = byPointer.get(error.instancePath) ?? [];
    list.push(error);
    byPointer.set(error.instancePath, list);
  }
  const out: Finding[] = [];
  for (const [pointer, errs] of byPointer) {
    const required = errs.find((e) => e.keyword === 'required');
    const path = formatPath(`${base}${pointer}`);
    if (required) {
      const missing = (required.params as { requiredProperties?: string[] }).requiredProperties ?? [];
      out.push({ pointer: `${base}${pointer}`, missing, message: `${path}: ${missing.map((m) => `"${m}"`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} required` });
      continue;
    }
    out.push({ pointer: `${base}${pointer}`, message: `${path}: ${describe(errs)}, got ${shown(valueAt(root, pointer))}` });
  }
  return out;
}

/** TypeBox's message, or for a choice of constants the constants themselves. */
function describe(errors: SchemaError[]): string {
  const allowed = errors.filter((e) => e.keyword === 'const').map((e) => JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
  if (allowed.length > 1) return `must be one of ${allowed.join(', ')}`;
  if (allowed.length === 1) return `must be ${allowed[0]}`;
  const specific = errors.find((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf') ?? errors[0]!;
  return specific.message;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, pointer: string): unknown {
  let at = root;
  for (const part of pointer.split('/').slice(1)) at = (at as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return at;
}

/** Marks a list entry taken out; compact() drops them once a round's repairs are done, so indexes hold meanwhile. */
const REMOVED = Symbol('removed');

/**
 * Takes a bad value out of the document: a missing key gets UNSET; a bad entry of a list of objects
 * becomes {} (its required keys then get UNSET), and of any other list is removed.
 */
function repair(root: Record<string, unknown>, finding: Finding): void {
  const parts = finding.pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (finding.missing) {
    const target = valueAt(root, finding.pointer);
    if (target && typeof target === 'object') for (const key of finding.missing) (target as Record<string, unknown>)[key] = UNSET;
    return;
  }
  const key = parts.pop();
  if (key === undefined) return;
  const parent = valueAt(root, parts.length ? `/${parts.join('/')}` : '') as Record<string, unknown> | unknown[] | undefined;
  if (Array.isArray(parent)) {
    const index = Number(key);
    const listOfObjects = parent.some((item, j) => j !== index && item !== null && typeof item === 'object' && !Array.isArray(item));
    parent[index] = listOfObjects ? {} : REMOVED;
  } else if (parent && typeof parent === 'object') delete parent[key];
}

function compact(value: unknown): void {
  if (Array.isArray(value)) {
    for (let i = value.length - 1; i >= 0; i--) if (value[i] === REMOVED) value.splice(i, 1);
    value.forEach(compact);
  } else if (value !== null && typeof value === 'object') Object.values(value).forEach(compact);
}
