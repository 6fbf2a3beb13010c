import type { PersistentKeys } from '../records.js';
import type { KeyStore } from '../types.js';
import type { RedisContext } from './context.js';

/**
 * The Redis store's kept keys: the first keys any replica offered (SET NX). The keys this process
 * signs with are offered again after every reconnect, so a Redis that came back empty (no
 * persistence) hands replicas started later the same keys.
 */
export function redisKeys({ redis, k }: RedisContext): Required<KeyStore> {
  let keptKeys: string | undefined;
  redis.on('ready', () => {
    if (keptKeys) redis.set(k.keys, keptKeys, 'NX').catch(() => undefined);
  });
  return {
    async adoptKeys(offered) {
      const candidate = JSON.stringify({ signingJwk: offered.signingJwk, masterSecret: offered.masterSecret.toString('base64url') });
      await redis.set(k.keys, candidate, 'NX');
      keptKeys = (await redis.get(k.keys)) ?? candidate;
      const kept = JSON.parse(keptKeys) as { signingJwk: PersistentKeys['signingJwk']; masterSecret: string };
      return { signingJwk: kept.signingJwk, masterSecret: Buffer.from(kept.masterSecret, 'base64url') };
    },
  };
}
