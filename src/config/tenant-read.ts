import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { ConfigError } from './config-error.js';
import { KEYWORD_HELP, keywordMarkers, markersInValues, replaceKeywords, type KeywordMappings } from './keywords.js';
import { isDirectory, loadReferencedFiles, readExportDirectory, refuseDirectoryPart } from './export-directory.js';
import { loadActionCode } from './action-code.js';

/**
 * Reading a tenant from disk, before it is checked (tenant-file.ts buildTenant): a YAML or JSON file
 * or a Deploy CLI directory export, keywords replaced, referenced files read in.
 */
// yaml loads only for a YAML file.
const requireHere = createRequire(import.meta.url);

/** A tenant read from disk: the document, the export's folder, and what reading its files found. */
export interface TenantSource {
  doc: unknown;
  /** The export's folder (a directory export's root, or the folder of tenant.yaml): its files and its actions' packages live there. */
  dir: string;
  /** Files it refers to that are refused or unreadable; listed with the tenant's other problems. */
  problems: string[];
  /** What was read differently from the path written (a missing email template, an older action path). */
  notices: string[];
}

/**
 * Reads a tenant file, YAML or JSON by extension (YAML parses JSON too, so unknown extensions still
 * work), or a Deploy CLI directory export (config/export-directory.ts), with Deploy CLI keywords
 * replaced first (config/keywords.ts), and the files it refers to read in. A file that cannot be
 * read or parsed stops here; problems with the files it refers to are returned, to be listed with
 * the rest.
 */
export function readTenantSource(path: string, keywords?: KeywordMappings): TenantSource {
  const found = { problems: [] as string[], notices: [] as string[] };
  if (isDirectory(path)) {
    const dir = resolve(path);
    const doc = readExportDirectory(path, keywords, parseTenantText);
    loadReferencedFiles(doc, dir, { connections: ['connections'], emailTemplates: ['emails'] }, keywords, found);
    loadActionCode(doc, dir, keywords, found.problems, found.notices);
    return { doc, dir, ...found };
  }
  refuseDirectoryPart(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  const dir = dirname(resolve(path));
  const doc = parseTenantText(text, path, extname(path).toLowerCase() === '.json' ? 'json' : 'yaml', keywords);
  // The Deploy CLI keeps a YAML export's passwordless email bodies in connections/ beside tenant.yaml
  // (a hand-written file may keep them beside itself), and its email templates' bodies as
  // ./emailTemplates/<name>.html, relative to itself.
  loadReferencedFiles(doc, dir, { connections: ['connections', '.'], emailTemplates: ['.'] }, keywords, found);
  loadActionCode(doc, dir, keywords, found.problems, found.notices);
  return { doc, dir, ...found };
}

/** readTenantSource's document alone; a problem with a file it refers to stops here. */
export function readTenantFile(path: string, keywords?: KeywordMappings): unknown {
  const source = readTenantSource(path, keywords);
  if (source.problems.length) throw new ConfigError(path, source.problems);
  return source.doc;
}

/**
 * Parses one file of a tenant (the tenant file, or a JSON file of a directory export) after keyword
 * replacement. A keyword left without a mapping stops start-up, naming it, where it is and how to
 * map it: in YAML an unquoted `##KEY##` is a comment and an unquoted `@@KEY@@` a syntax error, so it
 * would otherwise vanish or read as nonsense. A marker inside a string value is left for buildTenant,
 * which knows whether Understudy uses that value.
 */
export function parseTenantText(text: string, path: string, format: 'json' | 'yaml', keywords: KeywordMappings | undefined): unknown {
  const replaced = replaceKeywords(text, keywords);
  const left = keywordMarkers(replaced);
  let parsed: unknown;
  try {
    parsed = format === 'json' ? JSON.parse(replaced) : (requireHere('yaml') as typeof import('yaml')).parse(replaced);
  } catch (err) {
    // An unmapped keyword is the usual cause (an unquoted @@KEY@@ is not YAML): it comes first.
    const hint = left.map(({ marker, line }) => `${marker} (line ${line}) has no mapping: ${KEYWORD_HELP}`);
    throw new ConfigError(path, [...hint, `cannot parse the file${hint.length ? ' until they are mapped' : ''}: ${(err as Error).message}`]);
  }
  // What the parser swallowed: a marker that is in the text but in no parsed value (a YAML comment).
  const inValues = new Set(markersInValues(parsed).map((m) => m.marker));
  const swallowed = left.filter(({ marker }) => !inValues.has(marker));
  if (swallowed.length) {
    throw new ConfigError(path, swallowed.map(({ marker, line }) => `${marker} (line ${line}) has no mapping, and unquoted it reads as a YAML comment: ${KEYWORD_HELP}`));
  }
  return parsed;
}

