import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceKeywords, type KeywordMappings } from './keywords.js';
import { resolveInside } from './export-files.js';

/**
 * An export's actions name their code by path (`code: ./actions/<name>/code.js`): relative to the
 * export's root for a directory export, to the YAML file's folder for tenant.yaml, as the Deploy CLI
 * writes them. Each file is read in here, keywords replaced as the Deploy CLI does, and its path kept
 * in `code_file` for stack traces and messages. Code written inline in the file is left as it is.
 *
 * Older Deploy CLI versions wrote the tenant's domain into the path
 * (`code: ./acme.eu.auth0.com/actions/<name>/code.js`) while the file sits at `actions/<name>/code.js`;
 * that file is read instead, with a notice. Every action's problem is listed, not only the first.
 */
export function loadActionCode(doc: unknown, baseDir: string, keywords: KeywordMappings | undefined, problems: string[], notices: string[]): void {
  const actions = (doc as { actions?: unknown } | null)?.actions;
  if (!Array.isArray(actions)) return;
  actions.forEach((action: { name?: unknown; code?: unknown; code_file?: unknown } | null, i) => {
    if (!action || typeof action.code !== 'string' || !looksLikePath(action.code)) return;
    const written = action.code.trim();
    const who = typeof action.name === 'string' ? `the action "${action.name}"` : 'the action';
    let found = resolveInside(baseDir, written);
    if ('missing' in found && typeof action.name === 'string') {
      const fallback = folderCandidates(action.name).map((folder) => resolveInside(baseDir, 'code.js', join('actions', folder))).find((ref) => 'file' in ref);
      if (fallback) {
        notices.push(`actions[${i}].code: ${who} names "${written}", which is not in the export; read ${fallback.file} instead (older Deploy CLI versions wrote the tenant's domain into the path)`);
        found = fallback;
      }
    }
    if ('refused' in found) {
      problems.push(`actions[${i}].code: ${who}: ${found.refused}`);
      return;
    }
    if ('missing' in found) {
      problems.push(`actions[${i}].code: ${who}'s code "${written}" is not in the export (no ${found.missing}, nor actions/<name>/code.js); export the tenant again or fix the path`);
      return;
    }
    try {
      action.code = replaceKeywords(readFileSync(found.file, 'utf8'), keywords);
      action.code_file = found.file;
    } catch (err) {
      problems.push(`actions[${i}].code: cannot read ${who}'s code ${found.file}: ${(err as Error).message}`);
    }
  });
}

/** A one-line value ending in .js/.cjs/.mjs is a path; anything else is code. */
function looksLikePath(code: string): boolean {
  return !code.includes('\n') && /\.[cm]?js\s*$/i.test(code);
}

/** The folder the Deploy CLI names after an action: its name, with the characters file names cannot hold replaced. */
function folderCandidates(name: string): string[] {
  return [...new Set([name, name.replace(/[/?<>\\:*|"]/g, '-'), name.replace(/[/?<>\\:*|"]/g, '')])];
}
