'use strict';
// libuv's thread pool, sized to the machine's cores (2 to 4; UV_THREADPOOL_SIZE, when set, wins): the
// pool signs every token (WebCrypto) and hashes passwords, and libuv's default of 4 threads on 2 cores
// competes with the event loop (docs/performance.md). libuv reads the variable when the pool first runs,
// which an ES module entry on Node 20 has already done, so this runs first in a CommonJS entry:
// scripts/start.cjs requires it, and scripts/bundle.mjs writes it into dist/understudy.cjs.
process.env.UV_THREADPOOL_SIZE ??= String(Math.min(4, Math.max(2, require('node:os').availableParallelism())));
