// AuthHero 0.162.0 harness for the bench (own code, after the package's documented init() API; no
// AuthHero code is copied). On start it migrates a fresh SQLite file (DB_FILE), seeds one tenant, a
// confidential web client, an email connection that logs in by code, a signing key and an email
// provider record, then serves init().app with @hono/node-server on 127.0.0.1:PORT. Codes the email
// provider is handed are kept in memory and read with GET /_bench/code?to=<email> (the bench's
// stand-in for a mailbox, as Understudy's dev API is for Understudy).
import { serve } from '@hono/node-server';
import { serveWithBenchCodes } from '../../peers/authhero-serve.mjs';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import createAdapters, { migrateToLatest } from '@authhero/kysely-adapter';
import { init } from 'authhero';

// Every page load asks the vendor-settings service at `${API_URL}/profile/vendors/<client>/style` and,
// with none configured, logs the failed fetch and uses its defaults; the harness drops that one log
// line so the peer is not slowed by stack traces written to a pipe.
const consoleError = console.error;
console.error = (...args) => {
  if (String(args[0]?.message ?? args[0]).includes('/profile/vendors/')) return;
  consoleError(...args);
};

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}/`;
const db = new Kysely({ dialect: new SqliteDialect({ database: new Database(process.env.DB_FILE) }) });
await migrateToLatest(db);
const data = createAdapters(db);
const { app, createX509Certificate } = init({ dataAdapter: data });

const TENANT = 'bench';
if ((await data.keys.list()).length === 0) {
  await data.keys.create(await createX509Certificate({ name: 'CN=bench' }));
  await data.tenants.create({ id: TENANT, name: 'Bench Tenant', audience: 'https://bench.example/api', sender_email: 'login@bench.example', sender_name: 'Bench' });
  await data.applications.create(TENANT, {
    id: 'benchclient', client_secret: 'benchclient-secret', name: 'Bench Web',
    callbacks: ['http://localhost:3000/callback'], allowed_logout_urls: ['http://localhost:3000'], web_origins: ['http://localhost:3000'],
    disable_sign_ups: false,
  });
  await data.connections.create(TENANT, { id: 'email', name: 'email', strategy: 'email', options: { authentication_method: 'code' } });
  await data.emailProviders.create(TENANT, { name: 'benchlog', enabled: true, credentials: {} });
}

const codes = new Map();
const env = {
  ISSUER: issuer,
  AUTH_URL: issuer,
  data,
  JWKS_CACHE_TIMEOUT_IN_SECONDS: 3600,
  ORGANIZATION_NAME: 'bench',
  emailProviders: {
    benchlog: async ({ to, data: fields }) => {
      codes.set(to, fields.code);
      return {};
    },
  },
};

serveWithBenchCodes(serve, { app, env, codes, port });
