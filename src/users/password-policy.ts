import { createRequire } from 'node:module';
import type { PasswordPolicySettings } from '../tenant/model.js';

/**
 * A database connection's password policy, checked by `password-sheriff`, the library Auth0's own
 * policies are written with: the strength levels (none, low, fair, good, excellent), the minimum
 * length `password_complexity_options.min_length` sets instead of the level's, and
 * `password_no_personal_info` (no part of the user's email, name or username). The refusal carries
 * what Auth0's API answers: the rules, each marked verified or not, and the policy as text.
 */

interface SheriffRule { message: string; format?: unknown[]; code: string; verified: boolean; items?: SheriffRule[] }
interface SheriffPolicy {
  missing(password: string): { rules: SheriffRule[]; verified: boolean };
  toString(): string;
}
interface Sheriff {
  (name: string): SheriffPolicy;
  PasswordPolicy: new (rules: Record<string, unknown>) => SheriffPolicy;
  charsets: Record<'upperCase' | 'lowerCase' | 'numbers' | 'specialCharacters', unknown>;
}

const requireHere = createRequire(import.meta.url);
// Loaded with the first password set here (sign-up, a reset), not at start-up.
let sheriff: Sheriff | undefined;

export type PasswordCheck =
  | { ok: true }
  | { ok: false; kind: 'strength'; rules: { rules: SheriffRule[]; verified: boolean }; policy: string }
  | { ok: false; kind: 'personal_info' }
  | { ok: false; kind: 'dictionary' };

/** The level's rules, as password-sheriff writes them, with the connection's own minimum length. */
function policyOf(settings: PasswordPolicySettings): SheriffPolicy {
  sheriff ??= requireHere('password-sheriff') as Sheriff;
  if (settings.minLength === undefined) return sheriff(settings.strength);
  const { lowerCase, upperCase, numbers, specialCharacters } = sheriff.charsets;
  const rules: Record<string, unknown> = { length: { minLength: settings.minLength } };
  if (settings.strength === 'fair') rules.contains = { expressions: [lowerCase, upperCase, numbers] };
  if (settings.strength === 'good' || settings.strength === 'excellent') rules.containsAtLeast = { atLeast: 3, expressions: [lowerCase, upperCase, numbers, specialCharacters] };
  if (settings.strength === 'excellent') rules.identicalChars = { max: 2 };
  return new sheriff.PasswordPolicy(rules);
}

/** The policy as Auth0 shows it ("* At least 8 characters in length…"), for screens' hints. */
export const policyText = (settings: PasswordPolicySettings): string => policyOf(settings).toString();

export function checkPassword(settings: PasswordPolicySettings, password: string, personal: { email?: string | undefined; username?: string | undefined; name?: string | undefined }): PasswordCheck {
  const policy = policyOf(settings);
  const missing = policy.missing(password);
  if (!missing.verified) return { ok: false, kind: 'strength', rules: missing, policy: policy.toString() };
  if (settings.noPersonalInfo && containsPersonalInfo(password, personal)) return { ok: false, kind: 'personal_info' };
  if (settings.dictionary && isTooCommon(password, settings.dictionary.words)) return { ok: false, kind: 'dictionary' };
  return { ok: true };
}

/**
 * password_dictionary: the password, compared without case, is one of the 10,000 most common
 * passwords or one of the tenant's own words. Auth0's list is SecLists' 10k-most-common; Understudy
 * takes the first 10,000 of the ranked common-password list of @zxcvbn-ts/language-common, drawn from
 * the same leaked-password corpora, so the two agree on the passwords people actually choose.
 */
const COMMON_PASSWORDS = 10_000;
let common: ReadonlySet<string> | undefined;
function isTooCommon(password: string, own: readonly string[]): boolean {
  common ??= new Set(
    ((requireHere('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]> }).dictionary['passwords-common'] ?? []).slice(0, COMMON_PASSWORDS).map((p) => p.toLowerCase()),
  );
  const lower = password.toLowerCase();
  return common.has(lower) || own.some((word) => word.toLowerCase() === lower);
}

/** The email's local part, the username and each word of the name of 3 characters or more, found anywhere in the password. */
function containsPersonalInfo(password: string, personal: { email?: string | undefined; username?: string | undefined; name?: string | undefined }): boolean {
  const lower = password.toLowerCase();
  const parts = [personal.email?.split('@')[0], personal.username, ...(personal.name ?? '').split(/\s+/)]
    .filter((p): p is string => typeof p === 'string' && p.length >= 3)
    .map((p) => p.toLowerCase());
  return parts.some((p) => lower.includes(p));
}

/** The policy as screens list it under "Your password must contain:": password-sheriff's lines, capitalised, items nested. */
export const policyLines = (settings: PasswordPolicySettings): { text: string; nested: boolean }[] =>
  policyText(settings)
    .split('\n')
    .map((line) => ({ nested: line.startsWith(' '), text: line.replace(/^\s*\*\s*/, '') }))
    .map((line) => ({ ...line, text: line.text.charAt(0).toUpperCase() + line.text.slice(1) }));
