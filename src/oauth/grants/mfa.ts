import { invalidRequest } from '../../errors.js';
import { stringField } from '../client-auth.js';
import type { GrantHandler } from './types.js';
import { userTokenResponse } from './user-tokens.js';
import type { MfaApi, MfaTicket } from '../mfa-api.js';

/**
 * The MFA API's grants: the mfa_token of a grant that owed a second factor, and the factor (an
 * authenticator app's code, the code an oob challenge sent, or a recovery code), for the tokens that
 * grant would have given: its scope, audience and the post-login Actions' changes. Auth0 puts no amr
 * on tokens the MFA API issues (docs/research/auth0-mfa.md §1.6).
 */
export const MFA_OTP_GRANT = 'http://auth0.com/oauth/grant-type/mfa-otp';
export const MFA_OOB_GRANT = 'http://auth0.com/oauth/grant-type/mfa-oob';
export const MFA_RECOVERY_CODE_GRANT = 'http://auth0.com/oauth/grant-type/mfa-recovery-code';

type Verification = (params: Record<string, unknown>, ticket: MfaTicket, api: MfaApi) => Promise<string | void>;

const mfaGrant = (verify: Verification): GrantHandler => async (params, caller, ctx) => {
  const ticket = await ctx.mfaApi.open(stringField(params, 'mfa_token'), caller.client);
  const recoveryCode = await verify(params, ticket, ctx.mfaApi);
  const mfaAt = Math.floor(ctx.clock.now() / 1000);
  const response = await userTokenResponse(ctx, { client: caller.client, user: ticket.user, scope: ticket.scope, audience: ticket.audience, sessionId: undefined, refreshToken: 'issue', changes: ticket.changes, mfaAt });
  return recoveryCode ? { ...response, recovery_code: recoveryCode } : response;
};

const required = (params: Record<string, unknown>, name: string): string => {
  const value = stringField(params, name);
  if (!value) throw invalidRequest.missing(name);
  return value;
};

export const mfaOtpGrant = mfaGrant((params, ticket, api) => api.verifyOtp(ticket, required(params, 'otp')));
export const mfaOobGrant = mfaGrant((params, ticket, api) => api.verifyOob(ticket, required(params, 'oob_code'), stringField(params, 'binding_code')));
export const mfaRecoveryCodeGrant = mfaGrant((params, ticket, api) => api.verifyRecoveryCode(ticket, required(params, 'recovery_code')));
