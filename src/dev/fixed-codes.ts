import type { Clock } from '../clock.js';
import type { FixedCodeRule } from '../store/dev-records.js';

export type { FixedCodeRule };

/**
 * Deterministic codes for tests: a recipient matching a rule (exact, or with `*` wildcards such as
 * `*@e2e.test` or `+15550000*`) always gets the rule's code. Still single use, still expiring, still
 * counted attempts: only the randomness is gone. Rules come from the tenant file and from the dev API.
 */

export interface FixedCodes {
  codeFor(recipient: string): Promise<string | undefined>;
  add(rule: FixedCodeRule): Promise<void>;
  list(): Promise<FixedCodeRule[]>;
  /** Back to the rules of the tenant file. */
  reset(): Promise<void>;
  clear(): Promise<void>;
}

export const FIXED_CODE = /^[0-9]{4,12}$/;
/** Longer than any email address (254) or phone number: a longer `match` is refused, naming the rule. */
export const MAX_MATCH_LENGTH = 256;

/** Where replicas keep the rules added at run time (the store's SharedState). */
export interface SharedFixedCodes {
  fixedCodeRules(): Promise<{ cleared: boolean; added: FixedCodeRule[] }>;
  addFixedCodeRule(rule: FixedCodeRule): Promise<void>;
  resetFixedCodeRules(cleared: boolean): Promise<void>;
}

/**
 * `shared` (replicas on one Redis) keeps the run-time rules where every replica reads them, so a rule
 * added through one replica applies to codes any replica issues.
 */
export function createFixedCodes(configured: FixedCodeRule[], clock: Clock, shared?: SharedFixedCodes): FixedCodes {
  type Compiled = { rule: FixedCodeRule; matches: (recipient: string) => boolean };
  const compile = (rule: FixedCodeRule): Compiled => ({ rule, matches: globMatcher(rule.match.trim().toLowerCase()) });
  const fromFile = configured.map(compile);
  // In one process: the current rules. With shared state, they are read from there each time.
  let rules: Compiled[] = [...fromFile];
  const current = async (): Promise<Compiled[]> => {
    if (!shared) return rules;
    const { cleared, added } = await shared.fixedCodeRules();
    return [...(cleared ? [] : fromFile), ...added.map(compile)];
  };

  return {
    async codeFor(recipient) {
      const now = clock.now();
      const key = recipient.toLowerCase();
      const all = await current();
      // Newest rule first, so a rule added at run time overrides the file's.
      for (let i = all.length - 1; i >= 0; i--) {
        const { rule, matches } = all[i]!;
        if (rule.until && Date.parse(rule.until) <= now) continue;
        if (matches(key)) return rule.code;
      }
      return undefined;
    },
    async add(rule) {
      if (shared) await shared.addFixedCodeRule({ ...rule });
      else rules.push(compile(rule));
    },
    list: async () => (await current()).map(({ rule }) => ({ ...rule })),
    async reset() {
      if (shared) await shared.resetFixedCodeRules(false);
      else rules = [...fromFile];
    },
    async clear() {
      if (shared) await shared.resetFixedCodeRules(true);
      else rules = [];
    },
  };
}

/**
 * A `*` glob as a matcher that never backtracks: the text must start with the part before the first
 * `*`, end with the part after the last one, and hold the parts between in order, each found at its
 * leftmost place after the one before (leftmost is always right for `*`-only globs). Work grows with
 * the text times the pattern, never exponentially, however many stars a rule has; each regular
 * expression `.*` of the same glob would backtrack on every code issued.
 */
export function globMatcher(glob: string): (text: string) => boolean {
  const parts = glob.split('*');
  if (parts.length === 1) return (text) => text === glob;
  const head = parts[0]!;
  const tail = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((part) => part !== '');
  return (text) => {
    if (text.length < head.length + tail.length || !text.startsWith(head) || !text.endsWith(tail)) return false;
    const end = text.length - tail.length;
    let at = head.length;
    for (const part of middle) {
      const found = text.indexOf(part, at);
      if (found === -1 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}
