'use strict';
// `npm start`'s entry: sizes libuv's thread pool (thread-pool.cjs) before anything can start it, then
// start.mjs builds dist/ if the sources changed and starts the server in this process.
require('./thread-pool.cjs');
import('./start.mjs');
