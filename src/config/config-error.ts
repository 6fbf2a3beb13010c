// The start-up error lives in src/startup-error.ts, below config/ and store/ alike.
export { ConfigError, formatPath } from '../startup-error.js';
