// Bench-only entry for the scale figure: Understudy's compiled app (dist/app.js, the same buildApp as
// dist/server.js, same info-level pino logger to stdout), with SEED_USERS email users and one pending
// code each put into the store before it listens. Seeding goes through the app's own services
// (users.create and otp.issue, as the Management API and /passwordless/start use them), not over HTTP:
// 100,000 logins over HTTP would take longer than the whole benchmark.
// When ready it writes { seeded, seedMs, memory } (after a full GC) to READY_FILE.
import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { buildApp } from '../../dist/app.js';
import { loadPersistentKeys } from '../../dist/config/data-dir.js';
import { buildTenant, readTenantFile } from '../../dist/config/tenant-file.js';
import { deriveKey } from '../../dist/oauth/keys.js';

const port = Number(process.env.PORT);
const count = Number(process.env.SEED_USERS ?? 0);
const issuer = `http://127.0.0.1:${port}/`;
const log = pino({ level: 'info' });
const keys = await loadPersistentKeys(process.env.UNDERSTUDY_DATA_DIR);
const { tenant } = buildTenant(readTenantFile(process.env.UNDERSTUDY_CONFIG), 'bench tenant', deriveKey(keys.masterSecret, 'client-secrets').toString('hex'));
const app = await buildApp({ issuer, tenant, keys, devRoutes: true, logger: log, rateLimits: false });

const t0 = performance.now();
const { users, otp } = app.deps;
const email = tenant.connections.find((c) => c.name === 'email');
for (let i = 0; i < count; i++) {
  const recipient = `seed${i}@bench.example`;
  await users.create(email, { email: recipient, email_verified: true });
  // An hour, so no pending code expires (and gets swept) while the run lasts.
  await otp.issue({ connection: email.name, recipient, length: email.otp.length, ttlSeconds: 3600 });
}
const seedMs = performance.now() - t0;
globalThis.gc?.();
await app.listen({ port, host: '127.0.0.1' });
writeFileSync(process.env.READY_FILE, JSON.stringify({ seeded: count, seedMs, memory: process.memoryUsage() }));
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
