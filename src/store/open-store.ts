import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { PersistentKeys } from './records.js';
import { createMemoryStore } from './memory-store.js';
import type { KeyStore, Store } from './types.js';

/**
 * Opening the store UNDERSTUDY_STORE or the tenant file's `store` names, describing it for the
 * start-up banner, and settling the keys with it. SQLite and Redis load only when asked for: a
 * machine without better-sqlite3 (an optional dependency that compiles) still runs the memory store.
 */

/** Which store to open: UNDERSTUDY_STORE or the tenant file's `store`, parsed by config/store-setting.ts. */
export type StoreSetting = { kind: 'memory' } | { kind: 'sqlite'; path: string } | { kind: 'redis'; url: string };

export async function openStore(setting: StoreSetting, clock: Clock, options: { maxMessages?: number; log?: Logger } = {}): Promise<Store> {
  switch (setting.kind) {
    case 'memory':
      return createMemoryStore(clock, options.maxMessages !== undefined ? { maxMessages: options.maxMessages } : {});
    case 'sqlite': {
      const { openSqliteStore } = await import('./sqlite-store.js');
      return openSqliteStore(setting.path, clock, options.maxMessages !== undefined ? { maxMessages: options.maxMessages } : {});
    }
    case 'redis': {
      const { openRedisStore } = await import('./redis-store.js');
      return openRedisStore(setting.url, clock, {
        ...(options.maxMessages !== undefined ? { maxMessages: options.maxMessages } : {}),
        ...(options.log ? { log: options.log } : {}),
      });
    }
  }
}

/** For the start-up banner, without a Redis password. */
export function describeStore(setting: StoreSetting): string {
  switch (setting.kind) {
    case 'memory':
      return 'memory (gone when the process ends)';
    case 'sqlite':
      return `sqlite ${setting.path}`;
    case 'redis':
      return `redis ${setting.url.replace(/\/\/[^@/]*@/, '//***@')}`;
  }
}

/**
 * The keys this process runs with: the store keeps the first keys any process (or start) offered,
 * so replicas and restarts sign with the same key and derive the same cookie and code keys. An
 * explicit UNDERSTUDY_SIGNING_KEY still signs (give every replica the same one).
 */
export async function adoptKeys(store: KeyStore, offered: PersistentKeys, explicitSigningKey: boolean): Promise<PersistentKeys> {
  if (!store.adoptKeys) return offered;
  const kept = await store.adoptKeys(offered);
  return { signingJwk: explicitSigningKey ? offered.signingJwk : kept.signingJwk, masterSecret: kept.masterSecret };
}
