import type { Clock } from '../clock.js';

/**
 * Deterministic codes for tests: a recipient matching a rule (exact, or with `*` wildcards such as
 * `*@e2e.test` or `+15550000*`) always gets the rule's code. Still single use, still expiring, still
 * counted attempts: only the randomness is gone. Rules come from the tenant file and from the dev API.
 */
export interface FixedCodeRule {
  match: string;
  code: string;
  /** ISO time after which the rule no longer applies. */
  until?: string | undefined;
}

export interface FixedCodes {
  codeFor(recipient: string): Promise<string | undefined>;
  add(rule: FixedCodeRule): Promise<void>;
  list(): Promise<FixedCodeRule[]>;
  /** Back to the rules of the tenant file. */
  reset(): Promise<void>;
  clear(): Promise<void>;
}

export const FIXED_CODE = /^[0-9]{4,12}$/;

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
  type Compiled = { rule: FixedCodeRule; pattern: RegExp };
  const compile = (rule: FixedCodeRule): Compiled => ({ rule, pattern: globToRegExp(rule.match.trim().toLowerCase()) });
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
        const { rule, pattern } = all[i]!;
        if (rule.until && Date.parse(rule.until) <= now) continue;
        if (pattern.test(key)) return rule.code;
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

function globToRegExp(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
