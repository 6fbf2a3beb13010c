import { afterAll, beforeAll } from 'vitest';
import { openRedisStore } from '../../src/store/redis-store.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { storeContract } from './store-contract.js';

let server: RedisServer;
let n = 0;
// Room for installing redis-server from Debian on a machine without it (apt-get, once).
beforeAll(async () => {
  server = await startRedisServer();
}, 240_000);
afterAll(async () => server?.stop());

// A key prefix per test: every case starts from an empty store on the one throwaway redis-server.
storeContract('redis', (clock) => openRedisStore(server.url, clock, { prefix: `contract-${++n}:` }));
