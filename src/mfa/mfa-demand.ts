import type { MfaFactor } from '../store/records.js';
import type { TenantMfa } from '../tenant/model.js';
import { EMULATED_FACTORS } from '../tenant/mfa-factors.js';
import type { ActionMfaRequest } from '../actions/mfa-request.js';

/** The `acr_values` an application sends to ask for a second factor (OpenID PAPE), and the `acr` it then gets. */
export const MULTI_FACTOR_ACR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

/** A login's need for a second factor, as Auth0 decides it at the end of the login. */
export interface MfaDemand {
  /** The factors the login may use: enabled on the tenant, emulated here, and any an Action named. */
  factors: MfaFactor[];
  /** Whether "Remember this device for 30 days" is offered, and a remembered browser skips the challenge. */
  allowRememberBrowser: boolean;
  /** Only a new enrolment satisfies it (enrollWith…). */
  enrolOnly: boolean;
  /** acr_values asked for multi-factor: the ID token says so (`acr`). */
  acrRequested: boolean;
}

/**
 * Whether this login needs a second factor, and which: an Action's request wins over the tenant's
 * policy (Auth0: "overrides api.multifactor.enable and the tenant policy"); acr_values asking for
 * multi-factor needs one whatever the policy, and then a remembered browser does not count
 * (docs/research/auth0-mfa.md §5, §6). Undefined when none is needed, or when only the policy or
 * acr_values asks and the tenant enabled no factor to ask for. An Action's request that leaves no
 * usable factor comes back with none, and fails the login as Auth0's does.
 */
export function mfaDemand(mfa: TenantMfa, input: { acrValues?: string | undefined; action?: ActionMfaRequest | undefined }): MfaDemand | undefined {
  const acrRequested = (input.acrValues ?? '').split(' ').includes(MULTI_FACTOR_ACR);
  const policy = mfa.policy === 'all-applications';
  if (!input.action && !acrRequested && !policy) return undefined;
  const usable = mfa.factors.filter((factor) => EMULATED_FACTORS.includes(factor));
  const factors = input.action?.factors ? usable.filter((factor) => input.action!.factors!.includes(factor)) : usable;
  if (!factors.length && !input.action) return undefined;
  return {
    factors,
    allowRememberBrowser: !acrRequested && (input.action ? input.action.allowRememberBrowser : true),
    enrolOnly: input.action?.enrolOnly === true,
    acrRequested,
  };
}
