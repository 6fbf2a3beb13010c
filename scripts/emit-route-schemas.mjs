// Build step (after tsc): compiles every route's schemas ahead of time into
// dist/http/compiled-schemas/, one CommonJS module per schema, with the standalone modes of Fastify's
// own compilers (@fastify/ajv-compiler for request validators, @fastify/fast-json-stringify-compiler
// for reply serializers). It builds the app as the server does, with the dev routes on, so every route
// registers its schemas, and lets Fastify compile them all at ready(). At run time
// src/http/schema-compilers.ts finds each module by the schema's own digest; a schema with no module
// is compiled when its route first runs, as without this step.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const StandaloneValidator = require('@fastify/ajv-compiler/standalone');
const { StandaloneSerializer } = require('@fastify/fast-json-stringify-compiler');
const { buildApp } = await import('../dist/app.js');
const { compiledSchemaFile } = await import('../dist/http/schema-compilers.js');
const { defaultTenant } = await import('../dist/config/default-tenant.js');
const { buildTenant } = await import('../dist/config/tenant-file.js');
const { loadPersistentKeys } = await import('../dist/config/data-dir.js');

const OUT = 'dist/http/compiled-schemas';
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const written = new Set();
const store = (kind, part) => (route, code) => {
  const file = compiledSchemaFile(kind, route[part], route.schema);
  if (written.has(file)) return;
  written.add(file);
  writeFileSync(join(OUT, file), code);
};

const dataDir = mkdtempSync(join(tmpdir(), 'understudy-route-schemas-'));
try {
  const { tenant } = buildTenant(defaultTenant, 'default tenant', 'route-schemas-client-secrets');
  const app = await buildApp({
    issuer: 'http://127.0.0.1:4000/',
    tenant,
    keys: await loadPersistentKeys(dataDir),
    devRoutes: true,
    localCaPem: '',
    schemaCompilers: {
      buildValidator: StandaloneValidator({ readMode: false, storeFunction: store('validator', 'httpPart') }),
      buildSerializer: StandaloneSerializer({ readMode: false, storeFunction: store('serializer', 'httpStatus') }),
    },
  });
  await app.ready();
  await app.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`route schemas: ${written.size} compiled modules in ${OUT}`);
