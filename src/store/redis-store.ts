import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Store } from './types.js';
import { connectWithin, guarded, quit, redisTarget } from './redis/connection.js';
import { redisKeyNames } from './redis/key-names.js';
import { createRedisContext } from './redis/context.js';
import { redisTransactions } from './redis/transactions.js';
import { redisOtp } from './redis/otp.js';
import { redisCodes } from './redis/codes.js';
import { redisLoginTickets } from './redis/login-tickets.js';
import { redisUsers } from './redis/users.js';
import { redisRoles } from './redis/roles.js';
import { redisOrganizations } from './redis/organizations.js';
import { redisPasskeys } from './redis/passkeys.js';
import { redisMfaEnrolments } from './redis/mfa-enrolments.js';
import { redisSessions } from './redis/sessions.js';
import { redisRefreshTokens } from './redis/refresh-tokens.js';
import { redisMessages } from './redis/messages.js';
import { redisKeys } from './redis/kept-keys.js';
import { redisSharedState, subscribeToMessages } from './redis/shared-state.js';

/**
 * The store that several replicas share: Redis through ioredis. This module opens the two
 * connections (commands, and pub/sub for message arrivals), watches them, and composes one module
 * per port from redis/ with the shared dev state and the lifecycle.
 *
 * Records that change field by field (transactions, OTP challenges, users, sessions, refresh tokens,
 * passkeys, MFA enrolments) are hashes whose values are JSON, so Lua scripts (redis/scripts.ts) patch and check them
 * in one step on the server: consume a code, count an OTP attempt, finish a transaction, rotate a
 * refresh token and insert a user are atomic across replicas. Expiry is a Redis TTL computed from
 * the injected clock (expiresAt - now), and reads still compare expiresAt with the clock, so the dev
 * clock moving forward expires things at once.
 *
 * Redis going away never crashes the process: commands fail at once (no offline queue), every
 * failure to reach Redis becomes StoreUnavailableError (answered 503 temporarily_unavailable), and
 * ioredis reconnects in the background. Single Redis only (the scripts build keys; no Cluster).
 */
export interface RedisStoreOptions {
  /** Prefix of every key and channel; replicas of one tenant use the same one. */
  prefix?: string;
  maxMessages?: number;
  log?: Logger;
  /** How long start-up waits for Redis before giving up. */
  connectTimeoutMs?: number;
}

export async function openRedisStore(url: string, clock: Clock, options: RedisStoreOptions = {}): Promise<Store> {
  const k = redisKeyNames(options.prefix ?? 'understudy:');
  const maxMessages = Math.max(1, options.maxMessages ?? 1000);
  const log = options.log;
  const target = redisTarget(url);
  const connection: RedisOptions = {
    lazyConnect: true,
    // Fail fast while Redis is away: requests get a 503 at once instead of hanging in a queue.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 3000,
    connectTimeout: 3000,
    retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
  };
  const redis = new Redis(url, connection);
  const subscriber = redis.duplicate();

  // Connection trouble is logged once per outage, never thrown: an 'error' without a listener would end the process.
  let started = false;
  let healthy = true;
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError = err;
    if (healthy && started) {
      healthy = false;
      log?.warn({ err: err.message, redis: target }, 'lost the connection to Redis: requests are answered 503 until it is back');
    }
  });
  redis.on('ready', () => {
    if (!healthy) log?.info({ redis: target }, 'reconnected to Redis');
    healthy = true;
  });
  subscriber.on('error', () => {});

  try {
    await connectWithin(redis, options.connectTimeoutMs ?? 20_000, target, () => lastError);
    await connectWithin(subscriber, options.connectTimeoutMs ?? 20_000, target, () => lastError);
  } catch (err) {
    redis.disconnect();
    subscriber.disconnect();
    throw err;
  }
  const listeners = await subscribeToMessages(subscriber, k.messageChannel);
  started = true;

  const context = createRedisContext(redis, k, clock);
  const store: Store = {
    ...redisTransactions(context),
    ...redisOtp(context),
    ...redisCodes(context),
    ...redisLoginTickets(context),
    ...redisUsers(context),
    ...redisRoles(context),
    ...redisOrganizations(context),
    ...redisPasskeys(context),
    ...redisMfaEnrolments(context),
    ...redisSessions(context),
    ...redisRefreshTokens(context),
    ...redisMessages(context, maxMessages),
    ...redisKeys(context),

    async reset() {
      // Data only: the keys and the test controls (reset by their own owners) stay.
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', k.dataPattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
    },
    async close() {
      listeners.clear();
      await Promise.allSettled([quit(subscriber), quit(redis)]);
    },
    async ping() {
      await redis.ping();
    },
  };

  const connected = (): boolean => redis.status === 'ready';
  return { ...guarded(store, target, connected), shared: guarded(redisSharedState(context, listeners), target, connected) };
}
