import type { Tickets } from '../sealed-tickets.js';
import type { OrganizationsService } from '../../organizations/organizations-service.js';
import type { Clock } from '../../clock.js';
import type { AuthorizationCodeStore, OrganizationStore, RefreshTokenStore, UserStore } from '../../store/types.js';
import type { Tenant } from '../../tenant/model.js';
import type { OtpService } from '../../otp/otp-service.js';
import type { UserService } from '../../users/user-service.js';
import type { AuthenticatedClient } from '../client-auth.js';
import type { RefreshTokenService } from '../refresh-tokens.js';
import type { TokenIssuer } from '../tokens.js';
import type { TriggerFlows } from '../../actions/trigger-flows.js';
import type { LoginFinisher } from '../finish-login.js';
import type { RequestFacts } from '../../actions/action-events.js';
import type { BruteForceGuard } from '../../users/brute-force.js';
import type { MfaApi } from '../mfa-api.js';

/**
 * The API a response's access token is for, kept on the response for the token log line. A symbol
 * key: no serialiser writes it, and the log need not parse the token back to read its `aud`.
 */
export const ISSUED_FOR: unique symbol = Symbol('issued for');

/** The token endpoint's answer (RFC 6749 §5.1), serialised as is. */
export interface TokenResponse {
  [ISSUED_FOR]?: string | undefined;
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  /** The mfa-recovery-code grant's replacement for the code it used up. */
  recovery_code?: string;
}

export interface GrantContext {
  issuer: string;
  tenant: Tenant;
  store: AuthorizationCodeStore & RefreshTokenStore & UserStore & Pick<OrganizationStore, 'getOrganization'>;
  clock: Clock;
  tokens: TokenIssuer;
  refreshTokens: RefreshTokenService;
  otp: OtpService;
  users: UserService;
  /** The tenant's Actions: post-login for user grants, credentials-exchange for client_credentials. */
  flows: TriggerFlows;
  /** Every user grant ends its login here before minting (post-login Actions). */
  finishLogin: LoginFinisher;
  /** The password grants count wrong passwords here, as the password screens do. */
  bruteForce: BruteForceGuard;
  /** mfa_required and the MFA grants (oauth/mfa-api.ts). */
  mfaApi: MfaApi;
  /** The auth_session of a one-time code on a database connection (POST /otp/challenge), sealed and single-use. */
  otpSessions: Tickets;
  /** client_credentials' `organization`. */
  organizations: Pick<OrganizationsService, 'resolve'>;
}

/** One grant type; the registry in ./index.ts maps `grant_type` values to these. */
export type GrantHandler = (params: Record<string, unknown>, caller: AuthenticatedClient, ctx: GrantContext, request: RequestFacts) => Promise<TokenResponse>;
