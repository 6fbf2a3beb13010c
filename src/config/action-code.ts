import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { replaceKeywords, type KeywordMappings } from './keywords.js';

/**
 * An export's actions name their code by path (`code: ./actions/<name>/code.js`): relative to the
 * export's root for a directory export, to the YAML file's folder for tenant.yaml, as the Deploy CLI
 * writes them. Each file is read in here, keywords replaced as the Deploy CLI does, and its path kept
 * in `code_file` for stack traces and messages. Code written inline in the file is left as it is.
 */
export function loadActionCode(doc: unknown, baseDir: string, keywords: KeywordMappings | undefined): void {
  const actions = (doc as { actions?: unknown } | null)?.actions;
  if (!Array.isArray(actions)) return;
  actions.forEach((action: { code?: unknown; code_file?: unknown } | null, i) => {
    if (!action || typeof action.code !== 'string' || !looksLikePath(action.code)) return;
    const file = isAbsolute(action.code.trim()) ? action.code.trim() : resolve(baseDir, action.code.trim());
    try {
      action.code = replaceKeywords(readFileSync(file, 'utf8'), keywords);
      action.code_file = file;
    } catch (err) {
      throw new ConfigError(file, [`actions[${i}].code: cannot read the action's code ${String(action.code)}: ${(err as Error).message}`]);
    }
  });
}

/** A one-line value ending in .js/.cjs/.mjs is a path; anything else is code. */
function looksLikePath(code: string): boolean {
  return !code.includes('\n') && /\.[cm]?js\s*$/i.test(code);
}
