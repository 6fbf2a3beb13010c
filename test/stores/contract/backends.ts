import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import { openRedisStore } from '../../../src/store/redis-store.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import type { StoreBackend } from './fixtures.js';

/**
 * The backends the contract runs on, each opening an empty store per test: memory; SQLite on a fresh
 * file; Redis under a fresh key prefix on one throwaway redis-server (started, and installed from
 * Debian on a machine without it, for the calling test file).
 */
export function storeBackends(): StoreBackend[] {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-store-contract-'));
  let redis: RedisServer | undefined;
  let n = 0;
  // Room for installing redis-server from Debian on a machine without it (apt-get, once).
  beforeAll(async () => {
    redis = await startRedisServer();
  }, 240_000);
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  return [
    { name: 'memory', open: (clock) => createMemoryStore(clock) },
    { name: 'sqlite', open: (clock) => openSqliteStore(join(dir, `contract-${++n}.db`), clock) },
    { name: 'redis', open: (clock) => openRedisStore(redis!.url, clock, { prefix: `contract-${++n}:` }) },
  ];
}
