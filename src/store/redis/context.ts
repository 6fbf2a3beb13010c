import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../../clock.js';
import { StoreUnavailableError } from '../store-errors.js';
import { fromHash, type Pairs } from './hash.js';
import type { RedisKeyNames } from './key-names.js';

/**
 * What each port module of the Redis store is built from: the client, the key names, the clock,
 * and the ways of talking to Redis they share: a Lua script by its SHA (sent whole once after a
 * restart), a MULTI whose failures throw, many hashes in one pipeline, and TTLs from the clock.
 */
export interface RedisContext {
  redis: Redis;
  k: RedisKeyNames;
  clock: Clock;
  /** Runs one of the scripts in ./scripts.ts atomically on the server. */
  run(lua: string, keys: string[], args?: Pairs): Promise<unknown>;
  exec(multi: ReturnType<Redis['multi']>): Promise<unknown[]>;
  /** HGETALL of each key in one round trip; undefined for the keys that are gone. */
  readHashes<T>(keys: string[]): Promise<(T | undefined)[]>;
  /** Milliseconds from now (on the clock) to `expiresAt`, at least 1: a PEXPIRE argument. */
  ttl(expiresAt: number): number;
  /** The record while the clock is before its expiresAt (Redis TTLs run on real time, the dev clock may be ahead). */
  live<T extends { expiresAt: number }>(item: T | undefined): T | undefined;
}

export function createRedisContext(redis: Redis, k: RedisKeyNames, clock: Clock): RedisContext {
  const scripts = new Map<string, string>();
  return {
    redis,
    k,
    clock,
    async run(lua, keys, args = []) {
      let sha = scripts.get(lua);
      if (!sha) {
        sha = createHash('sha1').update(lua).digest('hex');
        scripts.set(lua, sha);
      }
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        // A restarted Redis has forgotten the script: send it whole once.
        if (err instanceof Error && err.message.startsWith('NOSCRIPT')) return redis.eval(lua, keys.length, ...keys, ...args);
        throw err;
      }
    },
    async exec(multi) {
      const results = await multi.exec();
      if (!results) throw new StoreUnavailableError('Redis aborted a MULTI');
      return results.map(([err, value]) => {
        if (err) throw err;
        return value;
      });
    },
    async readHashes<T>(keys: string[]) {
      if (!keys.length) return [];
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.hgetall(key);
      const results = (await pipeline.exec()) ?? [];
      return results.map(([err, value]) => {
        if (err) throw err;
        return fromHash<T>(value);
      });
    },
    ttl: (expiresAt) => Math.max(1, Math.round(expiresAt - clock.now())),
    live: (item) => (item && item.expiresAt > clock.now() ? item : undefined),
  };
}
