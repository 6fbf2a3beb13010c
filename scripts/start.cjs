'use strict';
// `npm start`'s entry. It sizes libuv's thread pool as dist/understudy.cjs does (the machine's cores, 2 to
// 4; UV_THREADPOOL_SIZE, when set, wins), and has to do it here: on Node 20 an ES module entry has
// already started the pool with libuv's default of 4 before its first line runs. Then start.mjs builds
// dist/ if the sources changed and starts the server in this process.
process.env.UV_THREADPOOL_SIZE ??= String(Math.min(4, Math.max(2, require('node:os').availableParallelism())));
import('./start.mjs');
