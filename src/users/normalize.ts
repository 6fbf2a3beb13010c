import { createRequire } from 'node:module';
import type { CountryCode } from 'libphonenumber-js/min';

// libphonenumber's metadata (about 90 modules) loads on the first phone number, not at start-up:
// most tenants never see one. Its CommonJS build can be loaded synchronously, where it is needed.
type PhoneLib = typeof import('libphonenumber-js/min');
let phoneLib: PhoneLib | undefined;
const requireHere = createRequire(import.meta.url);
const parsePhoneNumberFromString: PhoneLib['parsePhoneNumberFromString'] = (...args) =>
  (phoneLib ??= requireHere('libphonenumber-js/min') as PhoneLib).parsePhoneNumberFromString(...args);

/**
 * Identifier normalisation shared by the screens, /passwordless/start, the dev mailbox and the seed:
 * one user, one key, however it was typed.
 */

// Deliberately loose (Auth0 accepts anything shaped like local@domain.tld); the code proves ownership.
const EMAIL = /^[^\s@"<>()[\]\\,;:]+@[^\s@"<>()[\]\\,;:]+\.[^\s@"<>()[\]\\,;:]+$/;

/** Trimmed and lower-cased, or '' when it is not an email address. */
export function normalizeEmail(input: string): string {
  const email = input.trim().toLowerCase();
  return email.length <= 254 && EMAIL.test(email) ? email : '';
}

// Auth0's own rule for phone_number on /passwordless/start.
export const E164 = /^\+[0-9]{1,15}$/;

/**
 * E.164 (`+15551234567`) or '' when the input cannot be a phone number. "Possible" rather than
 * "valid" numbers are accepted so fictional test numbers (+1 555 …) work everywhere.
 */
export function normalizePhoneNumber(input: string, defaultCountry?: CountryCode): string {
  const trimmed = input.trim();
  if (!trimmed || /[^\d\s()+.-]/.test(trimmed)) return '';
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
  if (!parsed || !parsed.isPossible()) return '';
  const e164 = parsed.number;
  return E164.test(e164) ? e164 : '';
}

/** The recipient key for a passwordless connection's strategy. */
export function normalizeIdentifier(strategy: 'email' | 'sms', input: string, defaultCountry?: CountryCode): string {
  return strategy === 'email' ? normalizeEmail(input) : normalizePhoneNumber(input, defaultCountry);
}

/** Whether free text typed into an identifier field is a phone number rather than an email. */
export function looksLikePhone(input: string): boolean {
  return /^\s*\+?[\d\s().-]{4,}\s*$/.test(input);
}
