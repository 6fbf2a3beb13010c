// Build step (after tsc): bundles the server (dist/server.js and everything it imports at start-up,
// Fastify and the other packages included) into dist/understudy-server.js, started by
// dist/understudy.cjs, the file `npm start`, the `bin` and the container run. Node spends most of Understudy's start-up resolving, reading and compiling
// a few hundred small modules; one file cuts that by about a third.
//
// What start-up does not need stays out of the way, as in the unbundled build:
// - modules imported lazily (`await import('./tls/prepare.js')`, the SQLite and Redis stores) become
//   chunks next to the bundle, loaded only when asked for;
// - packages that load lazily or cannot be bundled (native better-sqlite3, ioredis, pino-pretty, the
//   X.509 and WebAuthn libraries) are imported from node_modules at run time;
// - `import.meta.url` keeps its unbundled value in every module, so paths resolved from it (the views
//   folder, the compiled tenant check next to tenant-file.js) point where tsc put them.
import { build } from 'esbuild';
import { chmodSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';

const DIST = resolve('dist');
const external = [
  // Loaded lazily by Understudy, or native.
  'better-sqlite3', 'ioredis', 'pino-pretty', '@peculiar/x509', '@peculiar/asn1-schema', '@peculiar/asn1-x509', 'reflect-metadata', '@simplewebauthn/server', 'libphonenumber-js', 'yaml',
  // Required lazily: the JSON Schema compilers (only for a schema the build did not compile ahead of
  // time, src/http/schema-compilers.ts) and Fastify's inject().
  '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'light-my-request',
];

/** Rewrites `import.meta.url` in each of dist/'s modules to its own URL, relative to the output folder. */
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(`${DIST}/`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return { contents: source, loader: 'js' };
      const own = `./${relative(DIST, args.path).split('\\').join('/')}`;
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, import.meta.url).href`), loader: 'js' };
    });
  },
};

/**
 * TypeBox in two roles: the routes' schemas use a few of its builders at start-up, bundled (tree-shaken
 * to about 20 KB); the tenant file's full check (dist/config/, loaded only for a file with problems)
 * uses its type engine, hundreds of modules imported from node_modules when that happens. Bundled for
 * both, the modules they share would form a chunk that start-up loads whole.
 */
const typeboxForRoutesOnly = {
  name: 'typebox-for-routes-only',
  setup(b) {
    b.onResolve({ filter: /^typebox(\/|$)/ }, (args) => (args.importer.startsWith(`${DIST}/config/`) ? { path: args.path, external: true } : undefined));
  },
};

// Chunk names carry a content hash: drop the previous build's.
for (const file of readdirSync(DIST)) if (/^understudy(-[A-Z0-9]+|-server)?\.js$/.test(file)) rmSync(`${DIST}/${file}`);

await build({
  entryPoints: { 'understudy-server': 'dist/server.js' },
  outdir: 'dist',
  // Chunks sit next to the bundle, so `import.meta.url` means the same folder in all of them.
  chunkNames: 'understudy-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [keepModuleUrls, typeboxForRoutesOnly],
  // The CommonJS packages inside the bundle call require() for Node's own modules.
  banner: { js: "import { createRequire as __understudyRequire } from 'node:module'; const require = __understudyRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});

// The launcher, dist/understudy.cjs: what the bin, the image and `npm start` run. Node 22.1+ can keep the
// bytecode it compiles on disk (module.enableCompileCache), so a second start skips compiling the
// bundle's megabytes of JavaScript. It has to be switched on before the bundle is loaded, hence a file
// of its own. The cache lives in Node's default place (a folder under the OS temp dir, or
// NODE_COMPILE_CACHE), is keyed by Node version and file contents, and NODE_DISABLE_COMPILE_CACHE=1
// turns it off. Node 20 has no compile cache and starts as before.
// It also sizes libuv's thread pool first, with scripts/thread-pool.cjs written in (what npm start
// requires), which is why the launcher is CommonJS: on Node 20 an ES module entry has started the pool
// before its first line runs.
const threadPool = readFileSync('scripts/thread-pool.cjs', 'utf8').replace(/^'use strict';\n/, '');
writeFileSync(
  `${DIST}/understudy.cjs`,
  `#!/usr/bin/env node
'use strict';
// Starts Understudy (dist/understudy-server.js) with libuv's thread pool sized to the machine's cores and
// Node's module compile cache on, where Node has one.
${threadPool}require('node:module').enableCompileCache?.();
import('./understudy-server.js');
`,
);
chmodSync(`${DIST}/understudy.cjs`, 0o755);
// dist/understudy.js, the launcher's name before it was CommonJS: the same start (on Node 20 with the
// pool already at libuv's default).
writeFileSync(`${DIST}/understudy.js`, "#!/usr/bin/env node\n// The same as dist/understudy.cjs, the launcher to run: on Node 20 only that one sizes the thread pool.\nimport './understudy.cjs';\n");
chmodSync(`${DIST}/understudy.js`, 0o755);
