import { invalidRequest, unauthorizedClient, unsupportedGrantType } from '../../errors.js';
import { authenticateClient, stringField } from '../client-auth.js';
import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { passwordlessOtpGrant } from './passwordless-otp.js';
import { PASSWORD_GRANT, PASSWORD_REALM_GRANT, passwordGrant, passwordRealmGrant } from './password.js';
import { refreshTokenGrant } from './refresh-token.js';
import { MFA_OOB_GRANT, MFA_OTP_GRANT, MFA_RECOVERY_CODE_GRANT, mfaOobGrant, mfaOtpGrant, mfaRecoveryCodeGrant } from './mfa.js';
import { PASSWORDLESS_OTP_GRANT } from '../../tenant/model.js';
import { ISSUED_FOR, type GrantContext, type GrantHandler, type TokenResponse } from './types.js';
import type { RequestFacts } from '../../actions/action-events.js';

/** POST /oauth/token: authenticate the client, then hand over to the handler of its grant_type. */
const grants: Record<string, GrantHandler> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  [PASSWORDLESS_OTP_GRANT]: passwordlessOtpGrant,
  [PASSWORD_GRANT]: passwordGrant,
  [PASSWORD_REALM_GRANT]: passwordRealmGrant,
  [MFA_OTP_GRANT]: mfaOtpGrant,
  [MFA_OOB_GRANT]: mfaOobGrant,
  [MFA_RECOVERY_CODE_GRANT]: mfaRecoveryCodeGrant,
};

/** What a successful exchange issued, for the log: never a token or secret. */
export interface IssuedGrant {
  grantType: string;
  clientId: string;
  /** The access token's API; undefined for a token good only for /userinfo. */
  audience: string | undefined;
}

/**
 * `admit` runs once the client is authenticated, before any grant work: the tenant-wide request
 * limit counts there, so requests that name no real client cannot use up every client's share.
 * `issued` hears of each exchange that succeeded.
 */
export async function exchangeToken(
  ctx: GrantContext,
  exchange: {
    authorization: string | undefined;
    body: Record<string, unknown>;
    request: RequestFacts;
    admit?: () => Promise<void>;
    /** Hears of each exchange that succeeded. */
    issued?: (grant: IssuedGrant) => void;
  },
): Promise<TokenResponse> {
  const { authorization, body, admit } = exchange;
  const grantType = stringField(body, 'grant_type');
  if (!grantType) throw invalidRequest.missing('grant_type');
  const caller = authenticateClient(ctx.tenant, authorization, body);
  if (admit) await admit();
  const handler = Object.hasOwn(grants, grantType) ? grants[grantType] : undefined;
  if (!handler) throw unsupportedGrantType(grantType);
  if (!caller.client.grantTypes.includes(grantType)) throw unauthorizedClient.grantNotAllowed(grantType);
  const response = await handler(body, caller, ctx, exchange.request);
  exchange.issued?.({ grantType, clientId: caller.client.clientId, audience: response[ISSUED_FOR] });
  return response;
}
