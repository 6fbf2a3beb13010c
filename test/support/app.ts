import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/app.js';
import { createManualClock, type ManualClock } from '../../src/clock.js';
import { tenantReport } from '../../src/tenant/report.js';
import { buildTenant } from '../../src/config/tenant-file.js';
import { defaultTenant } from '../../src/config/default-tenant.js';
import type { PersistentKeys } from '../../src/config/data-dir.js';
import type { Store } from '../../src/store/types.js';
import { freePort } from './net.js';

let keys: Promise<PersistentKeys> | undefined;

/** One RSA key per test worker: generating one takes longer than most tests. */
export function testKeys(): Promise<PersistentKeys> {
  keys ??= (async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    return { signingJwk: await exportJWK(privateKey), masterSecret: randomBytes(32) };
  })();
  return keys;
}

export interface TestApp {
  app: FastifyInstance;
  clock: ManualClock;
  issuer: string;
}

export const TEST_ISSUER = 'http://understudy.test/';

/** The dev token an app was built with, so the dev-API helpers (flows.ts latestMessage) send it. */
const devTokens = new WeakMap<FastifyInstance, string>();
export function devHeaders(app: FastifyInstance): Record<string, string> {
  const token = devTokens.get(app);
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** An app on a manual clock with the given tenant file (the embedded default when none is given). */
export async function buildTestApp(
  options: {
    tenant?: unknown;
    /** Where the tenant was read from: a Deploy CLI export's folder, for its actions' code and packages. */
    tenantSource?: string;
    issuer?: string;
    store?: Store;
    clock?: ManualClock;
    devRoutes?: boolean;
    /** Serve HTTPS (buildApp's `https`), with the local CA served at /_dev/ca.pem when `localCaPem` is given. */
    https?: { key: string; cert: string; localCaPem?: string };
    /** buildApp's hardening switches, passed through when given. */
    app?: Pick<AppOptions, 'rateLimits' | 'trustProxy' | 'mailboxLimit' | 'devToken' | 'devHosts' | 'connections' | 'logger' | 'actions' | 'seed'>;
  } = {},
): Promise<TestApp> {
  const clock = options.clock ?? createManualClock(Date.parse('2026-06-01T12:00:00Z'));
  const issuer = options.issuer ?? TEST_ISSUER;
  const raw = options.tenant ?? defaultTenant;
  const { tenant, ignoredKeys } = buildTenant(raw, options.tenantSource ?? 'test tenant', 'test-secret-seed');
  const app = await buildApp({
    issuer,
    tenant,
    keys: await testKeys(),
    clock,
    ...(options.store ? { store: options.store } : {}),
    ...(options.devRoutes !== undefined ? { devRoutes: options.devRoutes } : {}),
    ...(options.https ? { https: { key: options.https.key, cert: options.https.cert } } : {}),
    ...(options.https?.localCaPem ? { localCaPem: options.https.localCaPem } : {}),
    tenantReport: tenantReport(raw, ignoredKeys),
    ...options.app,
  });
  if (options.app?.devToken) devTokens.set(app, options.app.devToken);
  return { app, clock, issuer };
}

/** A clock that follows real time: the SDK checks `exp`/`iat` against the browser's clock. */
export function realTimeClock(): ManualClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
    set: (epochMs) => {
      offset = epochMs - Date.now();
    },
  };
}

export type TestAppOptions = NonNullable<Parameters<typeof buildTestApp>[0]>;
export type ListeningTestApp = TestApp & { port: number };

/**
 * An app listening on loopback for the SDKs and browsers that need a real server: a free port, an issuer
 * that names it (`<scheme>://<host>:<port>/`), the app built with what `options` gives for that port,
 * then listening. The clock starts at the real now, since the SDKs check iat and exp against it.
 * Another process can take the free port between the probe and the listen, so that case tries a new port
 * (five times) instead of failing the file.
 */
export async function listeningTestApp(
  where: { scheme?: 'http' | 'https'; host?: string; listenHost?: string },
  options: (at: { port: number; issuer: string }) => Omit<TestAppOptions, 'issuer'> | Promise<Omit<TestAppOptions, 'issuer'>> = () => ({}),
): Promise<ListeningTestApp> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const issuer = `${where.scheme ?? 'http'}://${where.host ?? '127.0.0.1'}:${port}/`;
    const t = await buildTestApp({ clock: createManualClock(Date.now()), ...(await options({ port, issuer })), issuer });
    try {
      await t.app.listen({ port, host: where.listenHost ?? '127.0.0.1' });
      return { ...t, port };
    } catch (err) {
      lastError = err;
      await t.app.close();
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  throw lastError;
}

/**
 * Understudy as browsers reach it: http://localhost:<port> (https:// with `options.https`), a secure
 * context and an RP ID WebAuthn accepts, on the real clock. `domain` is the SDKs' form (no trailing slash).
 */
export async function localhostTestApp(tenant: unknown, options: Omit<TestAppOptions, 'issuer' | 'tenant'> = {}): Promise<ListeningTestApp & { domain: string }> {
  const scheme = options.https ? 'https' : 'http';
  const t = await listeningTestApp({ scheme, host: 'localhost', listenHost: 'localhost' }, () => ({ clock: realTimeClock(), ...options, tenant }));
  return { ...t, domain: `${scheme}://localhost:${t.port}` };
}
