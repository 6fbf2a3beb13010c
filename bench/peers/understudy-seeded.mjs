// Bench-only entry for the scale and MFA figures: Understudy's compiled app (dist/app.js, the same
// buildApp as dist/server.js, same info-level pino logger to stdout), with SEED_USERS email users
// (seed0@bench.example, seed1@…) put into the store before it listens. Seeding goes through the app's
// own services (users.create and otp.issue, as the Management API and /passwordless/start use them;
// the store's saveEnrolment, as the enrolment screen's does), not over HTTP: 100,000 logins over HTTP
// would take longer than the whole benchmark.
// Switches:
// - SEED_PENDING_CODES=0: no pending code per user (the default issues one each, for the scale figure);
// - SEED_MFA_SECRET=<base32>: each user also gets a confirmed otp enrolment with this TOTP secret (all
//   users share it), as if they had enrolled an authenticator app (the MFA figure).
// When ready it writes { seeded, pendingCodes, mfaEnrolments, seedMs, memory } (after a full GC) to READY_FILE.
import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { buildApp } from '../../dist/app.js';
import { loadPersistentKeys } from '../../dist/config/data-dir.js';
import { buildTenant, readTenantFile } from '../../dist/config/tenant-file.js';
import { deriveKey } from '../../dist/oauth/keys.js';

const port = Number(process.env.PORT);
const count = Number(process.env.SEED_USERS ?? 0);
const pendingCodes = process.env.SEED_PENDING_CODES !== '0';
const mfaSecret = process.env.SEED_MFA_SECRET || undefined;
const issuer = `http://127.0.0.1:${port}/`;
const log = pino({ level: 'info' });
const keys = await loadPersistentKeys(process.env.UNDERSTUDY_DATA_DIR);
const { tenant } = buildTenant(readTenantFile(process.env.UNDERSTUDY_CONFIG), 'bench tenant', deriveKey(keys.masterSecret, 'client-secrets').toString('hex'));
const app = await buildApp({ issuer, tenant, keys, devRoutes: true, logger: log, rateLimits: false });

const t0 = performance.now();
const { users, otp, store } = app.deps;
const email = tenant.connections.find((c) => c.name === 'email');
const createdAt = new Date().toISOString();
for (let i = 0; i < count; i++) {
  const recipient = `seed${i}@bench.example`;
  const user = await users.create(email, { email: recipient, email_verified: true });
  // An hour, so no pending code expires (and gets swept) while the run lasts.
  if (pendingCodes) await otp.issue({ connection: email.name, recipient, length: email.otp.length, ttlSeconds: 3600 });
  // Auth0's authenticator id: totp|dev_ and 16 characters (here the user's index, in hex).
  if (mfaSecret) await store.saveEnrolment({ id: `totp|dev_${i.toString(16).padStart(16, '0')}`, userId: user.user_id, factor: 'otp', confirmed: true, secret: mfaSecret, createdAt });
}
const seedMs = performance.now() - t0;
globalThis.gc?.();
await app.listen({ port, host: '127.0.0.1' });
writeFileSync(process.env.READY_FILE, JSON.stringify({ seeded: count, pendingCodes: pendingCodes ? count : 0, mfaEnrolments: mfaSecret ? count : 0, seedMs, memory: process.memoryUsage() }));
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
