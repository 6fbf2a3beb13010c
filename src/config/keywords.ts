import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';

/**
 * Deploy CLI keyword replacement, as `a0deploy import` does it (auth0-deploy-cli, src/tools/utils.ts
 * `keywordReplace`): in the raw text of the tenant file, before it is parsed, `@@KEY@@` (or `"@@KEY@@"`,
 * quotes included) becomes `JSON.stringify(value)` and `##KEY##` becomes the value as it is. Only keys
 * with a mapping are replaced: anything else stays as written, since `@@password@@` in an SMS template
 * is Auth0's own macro, not a keyword.
 *
 * Mappings come from a Deploy CLI config.json (its AUTH0_KEYWORD_REPLACE_MAPPINGS), given with
 * --keywords <file> / UNDERSTUDY_KEYWORDS, or from the AUTH0_KEYWORD_REPLACE_MAPPINGS environment
 * variable (JSON), which wins over the file as the Deploy CLI's environment wins over its config.json.
 */
export type KeywordMappings = Record<string, unknown>;

export const KEYWORD_HELP =
  'map it in AUTH0_KEYWORD_REPLACE_MAPPINGS: in a Deploy CLI config.json given with --keywords <file> (or UNDERSTUDY_KEYWORDS), or as JSON in the AUTH0_KEYWORD_REPLACE_MAPPINGS environment variable';

export function loadKeywordMappings(file: string | undefined, fromEnv: string | undefined): KeywordMappings | undefined {
  if (fromEnv?.trim()) return mappingsOf(parseJson(fromEnv, 'the AUTH0_KEYWORD_REPLACE_MAPPINGS environment variable'), 'AUTH0_KEYWORD_REPLACE_MAPPINGS', 'the environment');
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the keyword file: ${(err as Error).message}`]);
  }
  const config = parseJson(text, file);
  if (config === null || typeof config !== 'object' || Array.isArray(config) || !('AUTH0_KEYWORD_REPLACE_MAPPINGS' in config)) {
    throw new ConfigError(file, ['AUTH0_KEYWORD_REPLACE_MAPPINGS: missing; a Deploy CLI config.json keeps its keywords under this key, e.g. {"AUTH0_KEYWORD_REPLACE_MAPPINGS": {"CALLBACK_URL": "http://localhost:3000/callback"}}']);
  }
  return mappingsOf((config as Record<string, unknown>).AUTH0_KEYWORD_REPLACE_MAPPINGS, 'AUTH0_KEYWORD_REPLACE_MAPPINGS', file);
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(source, [`not JSON: ${(err as Error).message}`]);
  }
}

function mappingsOf(value: unknown, key: string, source: string): KeywordMappings {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(source, [`${key}: must be an object of keyword → value`]);
  return value as KeywordMappings;
}

export function replaceKeywords(text: string, mappings: KeywordMappings | undefined): string {
  if (!mappings) return text;
  let out = text;
  for (const [key, value] of Object.entries(mappings)) {
    const json = JSON.stringify(value) ?? 'null';
    out = out.split(`"@@${key}@@"`).join(json).split(`@@${key}@@`).join(json);
  }
  for (const [key, value] of Object.entries(mappings)) out = out.split(`##${key}##`).join(String(value));
  return out;
}

/** Deploy CLI keyword markers (`@@KEY@@`, `##KEY##`) in a text, with the line of each first appearance. */
export function keywordMarkers(text: string): { marker: string; line: number }[] {
  const found = new Map<string, number>();
  for (const match of text.matchAll(/@@[A-Za-z0-9_]+@@|##[A-Za-z0-9_]+##/g)) {
    if (!found.has(match[0])) found.set(match[0], text.slice(0, match.index).split('\n').length);
  }
  return [...found].map(([marker, line]) => ({ marker, line }));
}

/** The key paths of a parsed document whose string values carry a keyword marker. */
export function markersInValues(value: unknown, path = ''): { marker: string; path: string }[] {
  if (typeof value === 'string') return keywordMarkers(value).map(({ marker }) => ({ marker, path }));
  if (Array.isArray(value)) return value.flatMap((item, i) => markersInValues(item, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => markersInValues(item, path ? `${path}.${key}` : key));
  }
  return [];
}
