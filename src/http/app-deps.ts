import type { Tickets } from '../oauth/sealed-tickets.js';
import type { Eta } from 'eta';
import type { Logger } from 'pino';
import type { ShiftableClock } from '../clock.js';
import type { Random } from '../random.js';
import type { Store } from '../store/types.js';
import type { Tenant } from '../tenant/model.js';
import type { TokenKeys } from '../oauth/keys.js';
import type { TokenIssuer } from '../oauth/tokens.js';
import type { RefreshTokenService } from '../oauth/refresh-tokens.js';
import type { OtpService } from '../otp/otp-service.js';
import type { Outbox } from '../otp/outbox.js';
import type { UserService } from '../users/user-service.js';
import type { DatabaseSignup } from '../database/signup.js';
import type { PasswordReset } from '../database/password-reset.js';
import type { EmailVerification } from '../database/email-verification.js';
import type { RolesService } from '../rbac/roles-service.js';
import type { OrganizationsService } from '../organizations/organizations-service.js';
import type { SessionService } from '../login/sessions.js';
import type { AuthorizationService } from '../login/authorization-service.js';
import type { LoginService } from '../login/login-service.js';
import type { PasskeyService } from '../login/passkeys.js';
import type { CookieJar } from './cookies.js';
import type { FixedCodes } from '../dev/fixed-codes.js';
import type { DeliveryFaults } from '../dev/delivery-faults.js';
import type { Snapshot } from '../dev/snapshot.js';
import type { RateLimiter } from './rate-limits.js';
import type { BruteForceGuard } from '../users/brute-force.js';
import type { TenantReport } from '../tenant/report.js';
import type { TriggerFlows } from '../actions/trigger-flows.js';
import type { LoginFinisher } from '../oauth/finish-login.js';
import type { ActionLogBook } from '../actions/action-log.js';
import type { LoginTicketService } from '../passwordless/login-tickets.js';
import type { MfaService } from '../mfa/mfa-service.js';
import type { RememberedBrowsers } from '../mfa/remembered-browsers.js';
import type { MfaApi } from '../oauth/mfa-api.js';

/** Everything a route needs, built once by buildApp (the composition root) and handed to each route group. */
export interface AppDeps {
  issuer: string;
  devRoutes: boolean;
  tenant: Tenant;
  store: Store;
  clock: ShiftableClock;
  fixedCodes: FixedCodes;
  faults: DeliveryFaults;
  random: Random;
  keys: TokenKeys;
  tokens: TokenIssuer;
  refreshTokens: RefreshTokenService;
  otp: OtpService;
  outbox: Outbox;
  users: UserService;
  /** RBAC: users' roles and permissions (tokens, the Management API, Actions' event.authorization). */
  roles: RolesService;
  /** Organizations: /authorize's `organization`, membership, and the tenant file's organizations. */
  organizations: OrganizationsService;
  sessions: SessionService;
  authorization: AuthorizationService;
  /** Embedded login's login tickets, redeemed at /authorize and /co/verify. */
  loginTickets: LoginTicketService;
  login: LoginService;
  passkeys: PasskeyService;
  cookies: CookieJar;
  eta: Eta;
  log: Logger;
  /** The snapshot loaded at start (--seed), loaded again by /_dev/api/reset. */
  snapshot?: Snapshot | undefined;
  limits: RateLimiter;
  /** Blocks an identifier from an address after 10 wrong passwords (Auth0's brute-force protection). */
  bruteForce: BruteForceGuard;
  /** What of the tenant file is not emulated, by feature. */
  tenantReport: TenantReport;
  /** The tenant's Actions, run where Auth0 runs each trigger. */
  flows: TriggerFlows;
  /** Where every login ends before tokens are minted: post-login Actions (oauth/finish-login.ts). */
  finishLogin: LoginFinisher;
  /** The Actions' console lines and notices, for the mailbox page's Logs panel. */
  actionLogs: ActionLogBook;
  /** Sign-up on database connections (/dbconnections/signup). */
  databaseSignup: DatabaseSignup;
  /** "Forgot password?": reset emails and the reset-password screen's tickets. */
  passwordReset: PasswordReset;
  /** Database users' email verification links. */
  emailVerification: EmailVerification;
  /** Second factors: users' enrolments, codes and their limits (src/mfa/). */
  mfa: MfaService;
  /** The `auth0-mf` cookie that lets a browser skip the next challenge. */
  rememberedBrowsers: RememberedBrowsers;
  /** The MFA API: mfa_required, /mfa/*, the MFA grants (oauth/mfa-api.ts). */
  mfaApi: MfaApi;
  /** The auth_session of a one-time code on a database connection (POST /otp/challenge). */
  otpSessions: Tickets;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's services, for tests and tools that hold the app (routes receive them directly). */
    deps: AppDeps;
  }
  interface FastifyContextConfig {
    /** Errors on this route are shown on the error page instead of as JSON. */
    page?: boolean;
  }
}
