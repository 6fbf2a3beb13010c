#!/usr/bin/env node
import { pino } from 'pino';
import { isLoopbackHost, loadRuntimeConfig } from './config/runtime.js';
import { chooseStore } from './config/store-setting.js';
import { ConfigError } from './config/config-error.js';
import { loadPersistentKeys } from './config/data-dir.js';
import { buildTenant, readTenantFile, readTenantSource } from './config/tenant-file.js';
import { defaultTenant } from './config/default-tenant.js';
import { applyOverlay } from './config/overlay.js';
import { reportLines, tenantReport } from './tenant/report.js';
import { buildApp } from './app.js';
import { deriveKey } from './oauth/keys.js';
import { createShiftableClock } from './clock.js';
import { adoptKeys, describeStore, openStore } from './store/open-store.js';
import { readSnapshot, snapshotKeys } from './dev/snapshot.js';
import { nodeSdkSettingLines } from './tls/node-sdk-settings.js';

/** How long SIGTERM waits for requests in flight (Kubernetes' default grace period is 30 s). */
const SHUTDOWN_GRACE_MS = 10_000;

/** Process entry: read config once, build the app, listen, and close cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const runtime = loadRuntimeConfig(process.env, process.argv.slice(2));
  const pretty = runtime.logFormat === 'pretty' || (runtime.logFormat === 'auto' && process.stdout.isTTY === true);
  const log = pretty
    ? pino({ level: runtime.logLevel }, (await import('pino-pretty')).default({ ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }))
    : pino({ level: runtime.logLevel });
  // The tenant file is read first: its `store` key picks the store when UNDERSTUDY_STORE does not.
  const source = runtime.tenantPath ? `${runtime.tenantPath}${runtime.overlayPath ? ` with the overlay ${runtime.overlayPath}` : ''}` : 'the embedded default tenant';
  const read = runtime.tenantPath ? readTenantSource(runtime.tenantPath, runtime.keywords) : undefined;
  const exported = read?.doc ?? defaultTenant;
  const raw = runtime.overlayPath ? applyOverlay(exported, readTenantFile(runtime.overlayPath, runtime.keywords), runtime.overlayPath) : exported;
  const chosen = chooseStore(runtime.store, runtime.tenantPath ? { raw, path: runtime.tenantPath } : undefined, runtime.dataDir);
  const folderKeys = await loadPersistentKeys(runtime.dataDir, runtime.signingKey);
  const seed = runtime.seedPath ? readSnapshot(runtime.seedPath) : undefined;
  // A snapshot's keys (when it has them) are offered before the data folder's; UNDERSTUDY_SIGNING_KEY still signs.
  const seedKeys = seed && snapshotKeys(seed);
  const offered = seedKeys ? { masterSecret: seedKeys.masterSecret, signingJwk: runtime.signingKey ? folderKeys.signingJwk : seedKeys.signingJwk } : folderKeys;
  // The store expires things on the app's clock, the one the dev API shifts.
  const clock = createShiftableClock();
  const store = await openStore(chosen.setting, clock, { maxMessages: runtime.mailboxLimit, log });
  // A persistent or shared store keeps the first keys offered: restarts and replicas sign alike.
  const keys = await adoptKeys(store, offered, runtime.signingKey !== undefined);
  // The export's own folder (not the label naming it with its overlay) holds its files and its actions' packages.
  const { tenant, ignoredKeys, warnings, generated } = buildTenant(raw, source, deriveKey(keys.masterSecret, 'client-secrets').toString('hex'), {
    ...(read ? { exportDir: read.dir, readProblems: read.problems } : {}),
  });
  for (const warning of [...(read?.notices ?? []), ...warnings]) log.warn(warning);
  // What matters first (features not emulated, each with its consequence), then the trivia, counted.
  const report = tenantReport(raw, ignoredKeys);
  if (report.features.length) log.warn({ features: report.features.map(({ keys: _keys, ...f }) => f) }, `not emulated from this tenant:\n${reportLines(report).map((l) => `  - ${l}`).join('\n')}`);
  if (report.otherKeys.length) {
    log.info(`${report.otherKeys.length} other tenant key(s) have no effect here (such as ${report.otherKeys.slice(0, 3).join(', ')}); LOG_LEVEL=debug lists them`);
    log.debug({ keys: report.otherKeys }, `ignoring ${report.otherKeys.length} tenant key(s) Understudy does not use: ${report.otherKeys.join(', ')}`);
  }

  // Beyond loopback, anyone who reaches the port could read every code and reset the tenant; with the
  // tenant's Actions bound, their code (or a package it loads) runs on this machine and could do the
  // same over loopback. The dev routes then always ask for a token. Without UNDERSTUDY_DEV_TOKEN one
  // is derived from the master secret, so it stays the same across restarts on the same data folder
  // (and on every Redis replica).
  const exposed = runtime.devRoutes && !isLoopbackHost(runtime.host);
  const actionsBound = runtime.devRoutes && tenant.actions.actions.length > 0;
  const devToken = runtime.devToken ?? (exposed || actionsBound ? deriveKey(keys.masterSecret, 'dev-token').toString('base64url') : undefined);
  const tokenWhy = exposed ? `${runtime.host} is reachable beyond this machine` : "the tenant's Actions run code from the export on this machine";

  // HTTPS mode's X.509 code loads only when it is on, so plain HTTP starts as lean as before.
  const tls = runtime.tls ? await (await import('./tls/prepare.js')).prepareTls(runtime.tls, runtime.dataDir) : undefined;
  const app = await buildApp({
    issuer: runtime.issuer, tenant, keys, devRoutes: runtime.devRoutes, logger: log, clock, store, ...(seed ? { seed } : {}),
    rateLimits: runtime.rateLimits, trustProxy: runtime.trustProxy, mailboxLimit: runtime.mailboxLimit,
    ...(devToken ? { devToken } : {}),
    devHosts: runtime.devHosts,
    connections: runtime.connections,
    tenantReport: report,
    // The local CA goes out with the certificate, so a browser that pins the CA by its key
    // (understudy/testing's chromiumArgs) accepts the chain.
    ...(tls ? { https: tls.localCa ? { ...tls.https, cert: `${tls.https.cert.trimEnd()}\n${tls.localCa.pem}` } : tls.https } : {}),
    ...(tls?.localCa ? { localCaPem: tls.localCa.pem } : {}),
    // Actions that call back into Understudy over HTTPS (node-auth0) trust its local CA.
    ...(tls?.localCa ? { actions: { caFile: tls.localCa.path } } : {}),
  });
  // Graceful stop: no new connections, requests in flight finish (mailbox long polls are answered at
  // once), then exit 0; whatever still runs after SHUTDOWN_GRACE_MS is cut off with exit code 1.
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: finishing requests in flight, then closing (at most ${SHUTDOWN_GRACE_MS / 1000} s)`);
    const force = setTimeout(() => {
      log.warn(`requests still in flight after ${SHUTDOWN_GRACE_MS / 1000} s; exiting without them`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    app.close().then(
      () => {
        log.info('closed');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'closing failed');
        process.exit(1);
      },
    );
  };
  // A promise nobody waits on that fails is a bug, but not a reason to stop serving everyone else.
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'a promise failed with nobody waiting on it; serving on'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: runtime.port, host: runtime.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : runtime.port;
  const storeOrigin = chosen.from === 'the default' ? '' : `, from ${chosen.from}${chosen.overridesFile ? " (over the tenant file's store)" : ''}`;
  const lines = [
    `Understudy is serving "${tenant.friendlyName}" (${source})`,
    `  issuer        ${runtime.issuer}`,
    `  listening on  ${tls ? 'https' : 'http'}://${runtime.host.includes(':') ? `[${runtime.host}]` : runtime.host}:${port}`,
    runtime.devRoutes ? `  dev mailbox   ${runtime.issuer}_dev/mailbox${devToken && !runtime.devToken ? `?token=${devToken}` : ''}` : '  dev routes    off',
    ...(devToken && !runtime.devToken ? [`  dev token     ${devToken}  (generated: ${tokenWhy}; send it as Authorization: Bearer, or set UNDERSTUDY_DEV_TOKEN)`] : []),
    `  store         ${describeStore(chosen.setting)}${storeOrigin}`,
    ...(seed ? [`  seeded from   ${runtime.seedPath} (${seed.users.length} users${seed.sessions ? `, ${seed.sessions.length} sessions` : ''}${seed.keys ? ', keys' : ''})`] : []),
    ...(tls?.summary ?? []),
    ...(tls ? nodeSdkSettingLines(runtime.issuer, tls.localCa?.path) : []),
    ...(tls?.localCa && runtime.devRoutes ? [`  CA download   ${runtime.issuer}_dev/ca.pem`] : []),
    '  clients:',
    // Secrets are printed for local development only: with dev routes off no secret reaches the log.
    ...tenant.clients.map((c) => `    ${c.name.padEnd(20)} client_id=${c.clientId}${c.clientSecret ? `  client_secret=${runtime.devRoutes ? c.clientSecret : '(not shown with dev routes off)'}` : '  (public)'}`),
    '  connections:  ' + tenant.connections.map((c) => `${c.name} (${c.strategy})`).join(', '),
    ...(runtime.devRoutes ? generated.map((g) => `  generated ${g}`) : []),
  ];
  log.info({ issuer: runtime.issuer, port }, `\n${lines.join('\n')}`);
  if (exposed) {
    log.warn(
      `dev routes are on and ${runtime.host} is reachable beyond this machine; /_dev/api/* and the mailbox ask for ${runtime.devToken ? 'UNDERSTUDY_DEV_TOKEN' : 'the generated dev token above (or UNDERSTUDY_DEV_TOKEN, when set)'}. Set UNDERSTUDY_DEV_ROUTES=false where no one needs them.`,
    );
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`Understudy failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
