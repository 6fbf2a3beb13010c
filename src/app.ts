/*
 * The composition root: AppOptions, the Fastify server's settings, and buildApp, which builds every
 * service once and registers each route group in its scope (the Authentication API at the root, the
 * Management API with its own error handler, the dev plane behind its guard and token).
 */
import { routeSchemaCompilers, type CompilersFactory } from './http/schema-compilers.js';
import { registerRoutes } from './routes/index.js';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import view from '@fastify/view';
import { Eta } from 'eta';
import { pino, type Logger } from 'pino';
import { createShiftableClock, isShiftableClock, systemClock, type Clock } from './clock.js';
import { cryptoRandom, type Random } from './random.js';
import type { Tenant } from './tenant/model.js';
import type { Store } from './store/types.js';
import { createMemoryStore } from './store/memory-store.js';
import { createTokenKeys, deriveKey } from './oauth/keys.js';
import { createTokenIssuer } from './oauth/tokens.js';
import { createAuthorizationResponder } from './oauth/authorization-response.js';
import { createRefreshTokenService } from './oauth/refresh-tokens.js';
import { createOtpService } from './otp/otp-service.js';
import { logOtpOutcomes } from './otp/otp-log.js';
import { createOutbox } from './otp/outbox.js';
import { createMfaService } from './mfa/mfa-service.js';
import { EMULATED_FACTORS } from './tenant/mfa-factors.js';
import { createRememberedBrowsers } from './mfa/remembered-browsers.js';
import { createSecondFactorGate } from './login/second-factor.js';
import { createMfaApi } from './oauth/mfa-api.js';
import { createTickets } from './oauth/sealed-tickets.js';
import { createDatabaseSignup } from './database/signup.js';
import { createPasswordReset } from './database/password-reset.js';
import { createEmailVerification } from './database/email-verification.js';
import { createUserService } from './users/user-service.js';
import { createRolesService } from './rbac/roles-service.js';
import { createOrganizationsService } from './organizations/organizations-service.js';
import { createSessionService } from './login/sessions.js';
import { createAuthorizationService } from './login/authorization-service.js';
import { createLoginService } from './login/login-service.js';
import { createBruteForceGuard } from './users/brute-force.js';
import { createPasskeyService } from './login/passkeys.js';
import { createCookieJar, rememberingSigner } from './http/cookies.js';
import { installErrorHandling } from './http/error-handler.js';
import { sendApiError } from './http/error-responses.js';
import type { AppDeps } from './http/app-deps.js';
import { invalidRequest } from './errors.js';
import type { PersistentKeys } from './store/records.js';
import { withManagementApi } from './tenant/management-api.js';
import { createFixedCodes } from './dev/fixed-codes.js';
import { createDeliveryFaults } from './dev/delivery-faults.js';
import { importSnapshot, type Snapshot } from './dev/snapshot.js';
import { registerRateLimits } from './http/rate-limits.js';
import { installJsonBodyParser, treatMissingBodyAsEmpty } from './http/json-body.js';
import { registerRequestLog } from './http/request-log.js';
import type { TrustProxy } from './config/runtime.js';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './config/connection-limits.js';
import type { TenantReport } from './tenant/report.js';
import { startTenantActions } from './actions/actions-setup.js';
import { createLoginFinisher } from './oauth/finish-login.js';
import { createLoginTicketService } from './passwordless/login-tickets.js';

/** event.tenant.id: the tenant's name, which in Auth0 is the first label of its domain. */
function tenantIdOf(issuer: string): string {
  const host = new URL(issuer).hostname;
  return /^[a-z][a-z0-9-]*\./i.test(host) && !/^\d/.test(host) ? host.split('.')[0]! : 'understudy';
}

export interface AppOptions {
  issuer: string;
  tenant: Tenant;
  keys: PersistentKeys;
  devRoutes?: boolean;
  clock?: Clock;
  random?: Random;
  /**
   * Where state lives (the memory store when left out). A store made with this app's clock (pass a
   * ShiftableClock as `clock` and give it to the store too) expires things on the dev clock.
   */
  store?: Store;
  /** A snapshot (GET /_dev/api/snapshot) whose users are loaded at start and again on /_dev/api/reset. */
  seed?: Snapshot;
  logger?: Logger;
  /** Serve HTTPS with this certificate and key (PEM); Fastify takes them at construction. */
  https?: { key: string; cert: string };
  /** HTTPS mode's local CA certificate (PEM), served at /_dev/ca.pem when dev routes are on. */
  localCaPem?: string;
  /** false turns every rate limit off (UNDERSTUDY_RATE_LIMITS=off); the tenant's `rate_limits` tune them. */
  rateLimits?: boolean;
  /** Whose X-Forwarded-For to believe (Fastify's trustProxy); none by default, so clients cannot pick their IP. */
  trustProxy?: TrustProxy;
  /** How many messages the dev mailbox keeps (memory store); 1000 by default. */
  mailboxLimit?: number;
  /** Bearer token that /_dev/api/* and the mailbox page require, when set. */
  devToken?: string;
  /** Host names besides the issuer's and loopback that the dev routes answer on (UNDERSTUDY_DEV_HOSTS). */
  devHosts?: readonly string[];
  /** Request, header and idle timeouts and the connection cap of the listening server. */
  connections?: ConnectionLimits;
  /** What of the tenant file is not emulated (config/tenant-report.ts), for the dev API and the mailbox page. */
  tenantReport?: TenantReport;
  /**
   * How the tenant's Actions run: the time one trigger's actions get in all (Auth0's 20 s by default),
   * and a CA certificate file the actions trust, so code that calls back into Understudy over HTTPS
   * (node-auth0's ManagementClient) accepts its certificate.
   */
  actions?: { budgetMs?: number; caFile?: string };
  /** The routes' schema compilers: the build's, which writes each schema's compiled module (scripts/emit-route-schemas.mjs). */
  schemaCompilers?: CompilersFactory;
}

/** Request bodies above this are refused with 413; no Authentication API call comes near it. */
export const BODY_LIMIT = 64 * 1024;

/** A hop count becomes the function Fastify runs for it (its types take no number). */
function fastifyTrustProxy(trust: TrustProxy): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

export const viewsDir = fileURLToPath(new URL('./views/', import.meta.url));

/**
 * The composition root: builds every service once and registers the route groups. It never listens,
 * so tests drive it with app.inject() or listen on a port of their choosing.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  // The dev API shifts this clock; tests may still drive the source clock they pass in.
  const clock = options.clock && isShiftableClock(options.clock) ? options.clock : createShiftableClock(options.clock ?? systemClock);
  const random = options.random ?? cryptoRandom;
  const log = options.logger ?? pino({ level: 'silent' });
  const store = options.store ?? createMemoryStore(clock, { maxMessages: options.mailboxLimit ?? 1000 });
  const { issuer } = options;
  const tenant = withManagementApi(options.tenant, issuer);
  const master = options.keys.masterSecret;
  // Replicas on one store share the dev clock, fixed codes and faults through it.
  if (store.shared) await clock.share(store.shared);

  const eta = new Eta({ views: viewsDir, cache: true, autoEscape: true, autoTrim: [false, 'nl'] });
  const keys = await createTokenKeys(options.keys.signingJwk, master);
  const roles = createRolesService({ store, tenant });
  const organizations = createOrganizationsService({ store, tenant, clock });
  const tokens = createTokenIssuer({ tenant, keys, clock, random, issuer, permissionsOf: roles.permissionsOf });
  const refreshTokens = createRefreshTokenService({ store, clock, random });
  const fixedCodes = createFixedCodes(tenant.dev.fixedCodes, clock, store.shared);
  const faults = createDeliveryFaults(store.shared);
  const otp = logOtpOutcomes(createOtpService({ store, clock, random, secret: deriveKey(master, 'otp-hmac'), fixedCodeFor: (r) => fixedCodes.codeFor(r) }), log);
  const outbox = createOutbox({ store, clock, random, log, faults, logCodes: options.devRoutes ?? true });
  const actionsRunner = await startTenantActions(tenant.actions, { log, tenantId: tenantIdOf(issuer), mfaFactors: () => tenant.mfa.factors.filter((f) => EMULATED_FACTORS.includes(f)), ...options.actions });
  // From here on a failure must not leave the actions' processes running, nor a store this call opened.
  try {
    const users = createUserService({
      store,
      clock,
      random,
      registered: (user, connection) => actionsRunner.flows.postUserRegistration({ user, connection, connectionName: connection.name, client: undefined, request: undefined, transaction: undefined }),
    });
    const sessions = createSessionService({ store, clock, random, tenant });
    const mfa = createMfaService({ tenant, store, otp, outbox, clock, random, issuer });
    const rememberedBrowsers = createRememberedBrowsers({ key: deriveKey(master, 'mfa-remember-browser'), clock, store });
    const secondFactor = createSecondFactorGate({ tenant, mfa, store });
    const mfaApi = createMfaApi({ tenant, mfa, store, clock, random, issuer, masterSecret: master });
    const finishLogin = createLoginFinisher({ tenant, flows: actionsRunner.flows, users, rolesOf: roles.rolesOf });
    const responder = createAuthorizationResponder({ tenant, store, clock, random, tokens, finishLogin, organizations });
    const authorization = createAuthorizationService({ tenant, store, clock, random, responder, sessions, secondFactor, organizations });
    const loginTickets = createLoginTicketService({ tenant, store, clock, random, sessions, authorization, issuer });
    const passkeys = createPasskeyService({ tenant, store, clock, issuer });
    const bruteForce = createBruteForceGuard(clock);
    const emailVerification = createEmailVerification({ tenant, store, outbox, clock, random, issuer, masterSecret: master });
    const databaseSignup = createDatabaseSignup({ tenant, users, flows: actionsRunner.flows, verification: emailVerification });
    const login = createLoginService({ tenant, eta, otp, outbox, users, authorization, passkeys, bruteForce, flows: actionsRunner.flows, mfa, secondFactor, sessions, signUp: databaseSignup, store });
    const cookies = createCookieJar(issuer.startsWith('https:'));
    await users.seed(tenant);
    await roles.seed(tenant);
    await organizations.seed(tenant);
    if (options.seed) await importSnapshot(store, options.seed, tenant);

    // Request ids (the error page's tracking id): a random prefix per app and a counter, unique across
    // restarts without drawing random bytes for every request (a fifth of a small request's CPU).
    const requestIdPrefix = random.token(6);
    let requestCount = 0;
    const connections = options.connections ?? DEFAULT_CONNECTION_LIMITS;
    const checkEvery = Math.min(5_000, Math.max(250, Math.floor(connections.requestTimeoutMs / 4)));
    const app = Fastify({
      loggerInstance: log as FastifyBaseLogger,
      // Fastify's own request lines would log URLs with their codes and tokens: http/request-log.ts
      // writes one per request at debug instead, without the query's values.
      logController: new LogController({ disableRequestLogging: true }),
      // Only a proxy named in UNDERSTUDY_TRUST_PROXY may set the client's address (X-Forwarded-For);
      // trusting every sender would let anyone choose the IP that rate limits count.
      trustProxy: fastifyTrustProxy(options.trustProxy ?? false),
      bodyLimit: BODY_LIMIT,
      // A client that trickles its request in, or keeps a silent socket, is cut off (connection-limits.ts).
      requestTimeout: connections.requestTimeoutMs,
      connectionTimeout: connections.idleTimeoutMs,
      // A malformed path (bad percent-encoding, an over-long path segment) is answered like any other bad
      // request, not in Fastify's own shape.
      frameworkErrors: (error, _request, reply) => {
        const refusal = invalidRequest(error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path segment is too long' : 'The request URL is malformed');
        void sendApiError(reply as unknown as FastifyReply, refusal);
      },
      genReqId: () => `${requestIdPrefix}${(++requestCount).toString(36)}`,
      routerOptions: { ignoreTrailingSlash: true },
      schemaController: { compilersFactory: options.schemaCompilers ?? routeSchemaCompilers },
      // Node looks for requests over their time every connectionsCheckingInterval (30 s by default):
      // often enough here that a request timeout means what it says.
      ...(options.https ? { https: { ...options.https, connectionsCheckingInterval: checkEvery } } : { http: { connectionsCheckingInterval: checkEvery } }),
    });
    app.server.headersTimeout = connections.headersTimeoutMs;
    app.server.maxConnections = connections.maxConnections;
    installErrorHandling(app, tenant);
    installJsonBodyParser(app);
    treatMissingBodyAsEmpty(app);
    registerRequestLog(app);
    // Another replica may have moved the dev clock: each request starts on the shared offset (if Redis
    // is away, on the last one known; the request's store calls then answer 503).
    if (store.shared) app.addHook('onRequest', async () => clock.sync().catch(() => undefined));
    await app.register(formbody);
    await app.register(cookie, { secret: rememberingSigner(deriveKey(master, 'cookie-signing').toString('base64url')) });
    await app.register(view, { engine: { eta }, root: viewsDir, production: true });
    const limits = await registerRateLimits(app, tenant.rateLimits, options.rateLimits ?? true);

    const deps: AppDeps = {
      issuer, devRoutes: options.devRoutes ?? true, tenant, store, clock, fixedCodes, faults, random, keys, tokens, refreshTokens, otp, outbox, users, roles, sessions,
      authorization, loginTickets, login, passkeys, cookies, eta, log, limits, bruteForce, snapshot: options.seed, mfa, rememberedBrowsers, mfaApi, organizations,
      otpSessions: createTickets('otp-session', { store, clock, random, issuer, masterSecret: master }),
      databaseSignup,
      emailVerification,
      passwordReset: createPasswordReset({ tenant, store, users, outbox, bruteForce, flows: actionsRunner.flows, clock, random, issuer, masterSecret: master }),
      tenantReport: options.tenantReport ?? { features: [], otherKeys: [] },
      flows: actionsRunner.flows,
      finishLogin,
      actionLogs: actionsRunner.logs,
    };

    await registerRoutes(app, deps, { keys: options.keys, devToken: options.devToken, devHosts: options.devHosts ?? [], caPem: options.https ? options.localCaPem : undefined });

    // Closing: long polls on the mailbox answer now, so the requests in flight can finish (graceful shutdown).
    app.addHook('preClose', async () => outbox.endWaits());
    app.addHook('onClose', async () => {
      await actionsRunner.close();
      await store.close();
    });
    app.decorate('deps', deps);
    return app;
  } catch (err) {
    await actionsRunner.close();
    if (!options.store) await store.close();
    throw err;
  }
}
