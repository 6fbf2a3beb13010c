// AuthHero 8.22.1 harness for the bench (own code, after the package's documented init() API; no
// AuthHero code is copied). 8.22.1 is the newest MIT release on this registry (9.x is AGPL), but the
// storage adapter it was released with (@authhero/kysely-adapter 11.17.1, @authhero/adapter-interfaces
// 3.12.0) is not on the registry: the newest adapter here is 10.119.0, written for the 4.x cores. This
// harness bridges the two for the one flow the bench times, and nothing more:
//   - columns the 8.x core writes during a login and the 10.119.0 schema lacks are added after
//     migrating (a login otherwise fails with "no such column");
//   - adapters the 8.x core expects and 10.119.0 does not have: `emailTemplates` answers "none" (the
//     core then renders its built-in template, as for a tenant without custom templates); the others
//     (actions, action versions/executions, hook code, organization connections) read as empty and
//     refuse writes, so a path that needs them fails loudly instead of silently;
//   - `users.rawCreate` (the 8.x registration pipeline's create without hooks) is the adapter's
//     `create`; the outbox events it may carry exist only with an outbox, which this harness does not
//     configure;
//   - list queries: the 8.x core joins lucene terms with " AND ", which the 10.119.0 parser reads as a
//     search word (the signing key lookup then finds no key); it already ANDs terms separated by a
//     space, so " AND " becomes " ".
// Otherwise it is the 0.162.0 harness: it migrates SQLite (DB_FILE), seeds one tenant, a confidential web
// client, an email connection that logs in by code, a signing key and an email provider record, then
// serves init().app with @hono/node-server on 127.0.0.1:PORT. The email service keeps the codes it is
// handed in memory; GET /_bench/code?to=<email> reads them.
import { serve } from '@hono/node-server';
import { serveWithBenchCodes } from '../../peers/authhero-serve.mjs';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import createAdapters, { migrateToLatest } from '@authhero/kysely-adapter';
import { init } from 'authhero';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}/`;
const db = new Kysely({ dialect: new SqliteDialect({ database: new Database(process.env.DB_FILE) }) });

// migrateToLatest narrates its steps on stdout; the bench wants a quiet peer.
const consoleLog = console.log;
console.log = () => {};
await migrateToLatest(db);
console.log = consoleLog;
const NEWER_COLUMNS = [
  ['users', 'registration_completed_at', 'varchar(35)'],
  ['login_sessions', 'authenticated_at', 'varchar(35)'],
  ['login_sessions', 'auth_strategy_strategy', 'varchar(64)'],
  ['login_sessions', 'auth_strategy_strategy_type', 'varchar(64)'],
];
for (const [table, column, type] of NEWER_COLUMNS) await db.schema.alterTable(table).addColumn(column, type).execute();

const codes = new Map();
const emailService = {
  async send({ to, data: fields }) {
    codes.set(to, fields.code);
  },
};

const refuse = (name) => async () => {
  throw new Error(`the bench's AuthHero 8 harness has no ${name} store (kysely-adapter 10.119.0 predates it)`);
};
const readOnlyEmpty = (name, emptyList) => ({ get: async () => null, list: async () => emptyList(), create: refuse(name), update: refuse(name), remove: refuse(name) });
const listPage = (key) => () => ({ [key]: [], start: 0, limit: 0, length: 0 });
const MISSING_ADAPTERS = {
  emailTemplates: readOnlyEmpty('email template', () => []),
  actions: readOnlyEmpty('action', listPage('actions')),
  actionVersions: { ...readOnlyEmpty('action version', listPage('versions')), removeForAction: refuse('action version') },
  actionExecutions: { get: async () => null, create: refuse('action execution') },
  hookCode: readOnlyEmpty('hook code', () => []),
  organizationConnections: readOnlyEmpty('organization connection', () => []),
};

const andAsSpace = (params) => (typeof params?.q === 'string' ? { ...params, q: params.q.replace(/\s+AND\s+/g, ' ') } : params);
/** The 10.119.0 adapters `a` (or a transaction's) as the 8.22.1 core calls them. */
function bridge(a) {
  const lists = {};
  for (const [name, adapter] of Object.entries(a)) {
    if (adapter && typeof adapter === 'object' && typeof adapter.list === 'function') lists[name] = { ...adapter, list: (...args) => adapter.list(...args.map(andAsSpace)) };
  }
  return {
    ...MISSING_ADAPTERS,
    ...a,
    ...lists,
    users: { ...lists.users, rawCreate: (tenant, user) => a.users.create(tenant, user) },
    transaction: (fn) => a.transaction((trx) => fn(bridge(trx))),
    emailService,
  };
}
const data = bridge(createAdapters(db));
const { app, createX509Certificate } = init({ dataAdapter: data });

const TENANT = 'bench';
if ((await data.keys.list()).signingKeys.length === 0) {
  await data.keys.create(await createX509Certificate({ name: 'CN=bench' }));
  await data.tenants.create({ id: TENANT, friendly_name: 'Bench Tenant', audience: 'https://bench.example/api', sender_email: 'login@bench.example', sender_name: 'Bench' });
  // No client_metadata.universal_login_version "2": /authorize then sends the browser to the
  // server-rendered pages (/u), the same kind of flow as 0.162.0's, not to the widget pages (/u2).
  await data.clients.create(TENANT, {
    client_id: 'benchclient', client_secret: 'benchclient-secret', name: 'Bench Web',
    callbacks: ['http://localhost:3000/callback'], allowed_logout_urls: ['http://localhost:3000'], web_origins: ['http://localhost:3000'],
  });
  await data.connections.create(TENANT, { id: 'email', name: 'email', strategy: 'email', options: { authentication_method: 'code' } });
  // Not a built-in provider name, so the core hands its mails to the data adapter's emailService.
  await data.emailProviders.create(TENANT, { name: 'benchlog', enabled: true, credentials: {} });
}

const env = { ISSUER: issuer, AUTH_URL: issuer, data, JWKS_CACHE_TIMEOUT_IN_SECONDS: 3600, ORGANIZATION_NAME: 'bench' };

serveWithBenchCodes(serve, { app, env, codes, port });
