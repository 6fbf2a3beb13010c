import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadSqliteDriver } from '../../src/store/sqlite/driver.js';
import { openRedisStore } from '../../src/store/redis-store.js';
import { freePort } from '../support/redis-server.js';

/** Start-up problems with a store stop the server with a message that says what to do. */
describe('store start-up failures', () => {
  it('sqlite: without the optional better-sqlite3 says so, and how to install it', async () => {
    const missing = () => Promise.reject(new Error("Cannot find package 'better-sqlite3' imported from src/store/sqlite/driver.ts"));
    const err = await loadSqliteDriver(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/UNDERSTUDY_STORE/);
    expect((err as ConfigError).problems[0]).toMatch(
      /^sqlite: needs the optional dependency better-sqlite3@12\.11\.1, which is not installed or did not build on this machine \(Cannot find package 'better-sqlite3'.*\)\. Install it with `npm install better-sqlite3@12\.11\.1`.*or use UNDERSTUDY_STORE=memory or redis:\/\/\.$/,
    );
  });

  it('redis: an unreachable server stops start-up naming the address, not hanging', async () => {
    const port = await freePort();
    const started = Date.now();
    const err = await openRedisStore(`redis://127.0.0.1:${port}/0`, systemClock, { connectTimeoutMs: 800 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems[0]).toMatch(new RegExp(`^cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/0: .*ECONNREFUSED`));
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
