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
  codeFor(recipient: string): string | undefined;
  add(rule: FixedCodeRule): void;
  list(): FixedCodeRule[];
  /** Back to the rules of the tenant file. */
  reset(): void;
  clear(): void;
}

export const FIXED_CODE = /^[0-9]{4,12}$/;

export function createFixedCodes(configured: FixedCodeRule[], clock: Clock): FixedCodes {
  let rules: { rule: FixedCodeRule; pattern: RegExp }[] = [];
  const compile = (rule: FixedCodeRule) => ({ rule, pattern: globToRegExp(rule.match.trim().toLowerCase()) });
  const reset = (): void => {
    rules = configured.map(compile);
  };
  reset();

  return {
    codeFor(recipient) {
      const now = clock.now();
      const key = recipient.toLowerCase();
      // Newest rule first, so a rule added at run time overrides the file's.
      for (let i = rules.length - 1; i >= 0; i--) {
        const { rule, pattern } = rules[i]!;
        if (rule.until && Date.parse(rule.until) <= now) continue;
        if (pattern.test(key)) return rule.code;
      }
      return undefined;
    },
    add(rule) {
      rules.push(compile(rule));
    },
    list: () => rules.map(({ rule }) => ({ ...rule })),
    reset,
    clear() {
      rules = [];
    },
  };
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
