import { readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
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

/**
 * Reads a tenant file, YAML or JSON by extension (YAML parses JSON too, so unknown extensions still
 * work), or a Deploy CLI directory export (config/export-directory.ts), with Deploy CLI keywords
 * replaced first (config/keywords.ts).
 */
export function readTenantFile(path: string, keywords?: KeywordMappings): unknown {
  if (isDirectory(path)) {
    const doc = readExportDirectory(path, keywords, parseTenantText);
    loadActionCode(doc, path, keywords);
    return doc;
  }
  refuseDirectoryPart(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  const doc = parseTenantText(text, path, extname(path).toLowerCase() === '.json' ? 'json' : 'yaml', keywords);
  // The Deploy CLI keeps a YAML export's email bodies in connections/ beside tenant.yaml; a hand-written
  // file may keep them beside itself.
  loadReferencedFiles(doc, [join(dirname(path), 'connections'), dirname(path)], keywords);
  loadActionCode(doc, dirname(path), keywords);
  return doc;
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
    const hint = left.map(({ marker, line }) => `${marker} (line ${line}) has no mapping: ${KEYWORD_HELP}`);
    throw new ConfigError(path, [`cannot parse the file: ${(err as Error).message}`, ...hint]);
  }
  // What the parser swallowed: a marker that is in the text but in no parsed value (a YAML comment).
  const inValues = new Set(markersInValues(parsed).map((m) => m.marker));
  const swallowed = left.filter(({ marker }) => !inValues.has(marker));
  if (swallowed.length) {
    throw new ConfigError(path, swallowed.map(({ marker, line }) => `${marker} (line ${line}) has no mapping, and unquoted it reads as a YAML comment: ${KEYWORD_HELP}`));
  }
  return parsed;
}

