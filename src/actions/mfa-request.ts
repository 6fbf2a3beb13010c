import type { MfaFactor } from '../store/records.js';

/**
 * What a post-login Action asked of the second factor, from its `api` calls:
 * - `api.multifactor.enable(provider, { allowRememberBrowser })`: any factor the tenant enabled;
 * - `api.authentication.challengeWith(factor, { additionalFactors })` / `challengeWithAny(factors)`:
 *   one of these factors (Auth0 ignores the ones the tenant did not enable);
 * - `api.authentication.enrollWith(…)` / `enrollWithAny(…)`: a new enrolment in one of them.
 * Auth0 defers the challenge to the end of the flow, so the requests of every action are merged.
 */
export interface ActionMfaRequest {
  allowRememberBrowser: boolean;
  /** Undefined: any enabled factor (multifactor.enable). */
  factors?: MfaFactor[] | undefined;
  enrolOnly?: boolean | undefined;
}

/** Auth0's factor selector types (`{ type: 'phone' }`, `{ type: 'push' }`) as Guardian factor names. */
const SELECTOR_FACTORS: Record<string, MfaFactor> = {
  otp: 'otp',
  email: 'email',
  phone: 'sms',
  'push-notification': 'push-notification',
  push: 'push-notification',
  'recovery-code': 'recovery-code',
  'webauthn-platform': 'webauthn-platform',
  'webauthn-roaming': 'webauthn-roaming',
};

const factorOf = (selector: unknown): MfaFactor | undefined => {
  const type = typeof selector === 'string' ? selector : selector !== null && typeof selector === 'object' ? (selector as { type?: unknown }).type : undefined;
  return typeof type === 'string' ? SELECTOR_FACTORS[type] : undefined;
};

const factorsOf = (selectors: unknown[]): MfaFactor[] => [...new Set(selectors.map(factorOf).filter((f): f is MfaFactor => f !== undefined))];

/** The request an MFA call adds to what the flow asked so far, or undefined for a call that is not one. */
export function mfaRequestOf(method: string, args: unknown[], sofar: ActionMfaRequest | undefined): ActionMfaRequest | undefined {
  switch (method) {
    case 'multifactor.enable': {
      const options = args[1] !== null && typeof args[1] === 'object' ? (args[1] as { allowRememberBrowser?: unknown }) : {};
      return { ...sofar, allowRememberBrowser: options.allowRememberBrowser === true };
    }
    case 'authentication.challengeWith':
    case 'authentication.enrollWith': {
      const additional = args[1] !== null && typeof args[1] === 'object' ? (args[1] as { additionalFactors?: unknown }).additionalFactors : undefined;
      return merge(sofar, factorsOf([args[0], ...(Array.isArray(additional) ? additional : [])]), method === 'authentication.enrollWith');
    }
    case 'authentication.challengeWithAny':
    case 'authentication.enrollWithAny':
      return merge(sofar, factorsOf(Array.isArray(args[0]) ? args[0] : []), method === 'authentication.enrollWithAny');
    default:
      return undefined;
  }
}

function merge(sofar: ActionMfaRequest | undefined, factors: MfaFactor[], enrolOnly: boolean): ActionMfaRequest {
  return { allowRememberBrowser: sofar?.allowRememberBrowser ?? false, factors, ...(enrolOnly ? { enrolOnly } : {}) };
}
