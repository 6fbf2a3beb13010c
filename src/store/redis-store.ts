import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { PersistentKeys } from '../oauth/keys.js';
import type { DeliveryFault } from './dev-records.js';
import type { FixedCodeRule } from './dev-records.js';
import { StoreUnavailableError } from './store-errors.js';
import { decodeRecord, encodeRecord } from './json-records.js';
import type { AuthorizationCode, Message, OtpChallenge, Passkey, RefreshToken, Session, SharedState, Store, Transaction, User } from './types.js';
import { LUA } from './redis-scripts.js';
import { fromHash, toPairs, type Pairs } from './redis-hash.js';
import { connectWithin, guarded, quit, redisTarget } from './redis-connection.js';

/**
 * The store that several replicas share: Redis through ioredis. Records that change field by field
 * (transactions, OTP challenges, users, sessions, refresh tokens, passkeys) are hashes whose values
 * are JSON, so Lua scripts patch and check them in one step on the server: consume a code, count an
 * OTP attempt, finish a transaction, rotate a refresh token and insert a user are atomic across
 * replicas. Expiry is a Redis TTL computed from the injected clock (expiresAt - now), and reads still
 * compare expiresAt with the clock, so the dev clock moving forward expires things at once.
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

const OTP_GRACE_MS = 10 * 60_000;
/** Ends this far out (or Number.MAX_SAFE_INTEGER, "never") get no TTL. */
const NO_TTL_BEYOND_MS = 10 * 365 * 24 * 3_600_000;


export async function openRedisStore(url: string, clock: Clock, options: RedisStoreOptions = {}): Promise<Store> {
  const prefix = options.prefix ?? 'understudy:';
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
  const channel = `${prefix}messages`;

  const k = {
    txn: (id: string) => `${prefix}d:txn:${id}`,
    otp: (key: string) => `${prefix}d:otp:${key}`,
    code: (code: string) => `${prefix}d:code:${code}`,
    userPrefix: `${prefix}d:user:`,
    user: (id: string) => `${prefix}d:user:${id}`,
    indexPrefix: `${prefix}d:uidx:`,
    index: (connection: string, identifier: string) => `${prefix}d:uidx:${connection}\u0000${identifier}`,
    userIndexes: (id: string) => `${prefix}d:uidxs:${id}`,
    users: `${prefix}d:users`,
    seq: `${prefix}d:seq`,
    sessionPrefix: `${prefix}d:sess:`,
    session: (id: string) => `${prefix}d:sess:${id}`,
    userSessionsPrefix: `${prefix}d:usess:`,
    userSessions: (id: string) => `${prefix}d:usess:${id}`,
    tokenPrefix: `${prefix}d:rt:`,
    token: (hash: string) => `${prefix}d:rt:${hash}`,
    family: (id: string) => `${prefix}d:rtfam:${id}`,
    userTokens: (id: string) => `${prefix}d:urts:${id}`,
    passkeyPrefix: `${prefix}d:pk:`,
    passkey: (id: string) => `${prefix}d:pk:${id}`,
    passkeys: `${prefix}d:pks`,
    userPasskeysPrefix: `${prefix}d:upks:`,
    userPasskeys: (id: string) => `${prefix}d:upks:${id}`,
    messageList: `${prefix}d:msgs`,
    messages: `${prefix}d:msg`,
    clock: `${prefix}c:clock`,
    fixedCleared: `${prefix}c:fixed:cleared`,
    fixedAdded: `${prefix}c:fixed:added`,
    faults: `${prefix}c:faults`,
    keys: `${prefix}keys`,
  };

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
  // The keys this process signs with: offered again after a reconnect, so a Redis that came back
  // empty (no persistence) hands replicas started later the same keys.
  let keptKeys: string | undefined;
  redis.on('ready', () => {
    if (!healthy) log?.info({ redis: target }, 'reconnected to Redis');
    healthy = true;
    if (keptKeys) redis.set(k.keys, keptKeys, 'NX').catch(() => undefined);
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

  const listeners = new Set<(message: Message) => void>();
  subscriber.on('message', (from: string, payload: string) => {
    if (from !== channel) return;
    let message: Message;
    try {
      message = JSON.parse(payload) as Message;
    } catch {
      return;
    }
    for (const listener of listeners) listener(message);
  });
  await subscriber.subscribe(channel);
  started = true;

  const scripts = new Map<string, string>();
  const run = async (lua: string, keys: string[], args: Pairs = []): Promise<unknown> => {
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
  };
  const exec = async (multi: ReturnType<Redis['multi']>): Promise<unknown[]> => {
    const results = await multi.exec();
    if (!results) throw new StoreUnavailableError('Redis aborted a MULTI');
    return results.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  };


  const ttl = (expiresAt: number): number => Math.max(1, Math.round(expiresAt - clock.now()));
  const live = <T extends { expiresAt: number }>(item: T | undefined): T | undefined => (item && item.expiresAt > clock.now() ? item : undefined);
  const tokenEnd = (t: RefreshToken): number => Math.min(t.expiresAt, t.idleExpiresAt);

  const store: Store = {
    async createTransaction(txn) {
      const key = k.txn(txn.id);
      await exec(redis.multi().del(key).hset(key, ...toPairs(txn)).pexpire(key, ttl(txn.expiresAt)));
    },
    async getTransaction(id) {
      return live(fromHash<Transaction>(await redis.hgetall(k.txn(id))));
    },
    async updateTransaction(id, patch) {
      const newTtl = patch.expiresAt === undefined ? '' : ttl(patch.expiresAt);
      return fromHash<Transaction>(await run(LUA.patchLive, [k.txn(id)], [clock.now(), newTtl, ...toPairs(patch)]));
    },
    async finishTransaction(id) {
      return fromHash<Transaction>(await run(LUA.finishTransaction, [k.txn(id)], [clock.now()]));
    },

    async replaceOtpChallenge(challenge) {
      const key = k.otp(challenge.key);
      await exec(redis.multi().del(key).hset(key, ...toPairs(challenge)).pexpire(key, ttl(challenge.expiresAt + OTP_GRACE_MS)));
    },
    async recordOtpAttempt(key) {
      return fromHash<OtpChallenge>(await run(LUA.recordOtpAttempt, [k.otp(key)]));
    },
    async markOtpExhausted(key, id) {
      await run(LUA.markOtpExhausted, [k.otp(key)], [JSON.stringify(id)]);
    },
    async consumeOtpChallenge(key, id) {
      return (await run(LUA.consumeOtp, [k.otp(key)], [JSON.stringify(id)])) === 1;
    },

    async saveAuthorizationCode(code) {
      await redis.set(k.code(code.code), encodeRecord(code), 'PX', ttl(code.expiresAt));
    },
    async consumeAuthorizationCode(code) {
      const raw = await redis.getdel(k.code(code));
      return raw ? live(decodeRecord<AuthorizationCode>(raw)) : undefined;
    },

    async getUser(userId) {
      return fromHash<User>(await redis.hgetall(k.user(userId)));
    },
    async findUser(connection, identifier) {
      const id = await redis.get(k.index(connection, identifier));
      return id ? fromHash<User>(await redis.hgetall(k.user(id))) : undefined;
    },
    async insertUser(user, identifier) {
      const keys = [k.index(user.connection, identifier), k.user(user.user_id), k.users, k.seq, k.userIndexes(user.user_id)];
      return fromHash<User>(await run(LUA.insertUser, keys, [user.user_id, k.userPrefix, ...toPairs(user)])) as User;
    },
    async updateUser(userId, patch) {
      const moves = [patch.email ?? '', patch.phone_number ?? ''];
      return fromHash<User>(await run(LUA.updateUser, [k.user(userId), k.userIndexes(userId)], [userId, k.indexPrefix, ...moves, ...toPairs(patch)]));
    },
    async listUsers() {
      const ids = await redis.zrange(k.users, '0', '-1');
      if (!ids.length) return [];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hgetall(k.user(id));
      const results = (await pipeline.exec()) ?? [];
      return results.map(([err, value]) => {
        if (err) throw err;
        return fromHash<User>(value);
      }).filter((u): u is User => u !== undefined);
    },
    async deleteUser(userId) {
      const keys = [k.user(userId), k.users, k.userIndexes(userId), k.userSessions(userId), k.userTokens(userId), k.userPasskeys(userId), k.passkeys];
      return (await run(LUA.deleteUser, keys, [userId, k.sessionPrefix, k.tokenPrefix, k.passkeyPrefix])) === 1;
    },

    async savePasskey(passkey) {
      const keys = [k.passkey(passkey.id), k.passkeys, k.seq];
      return (await run(LUA.savePasskey, keys, [passkey.id, k.userPasskeysPrefix, passkey.userId, ...toPairs(passkey)])) === 1;
    },
    async findPasskey(id) {
      return fromHash<Passkey>(await redis.hgetall(k.passkey(id)));
    },
    async listPasskeys(userId) {
      const ids = await redis.zrange(userId === undefined ? k.passkeys : k.userPasskeys(userId), '0', '-1');
      if (!ids.length) return [];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hgetall(k.passkey(id));
      const results = (await pipeline.exec()) ?? [];
      return results.map(([err, value]) => {
        if (err) throw err;
        return fromHash<Passkey>(value);
      }).filter((p): p is Passkey => p !== undefined);
    },
    async updatePasskeyCounter(id, counter, lastUsedAt) {
      return (await run(LUA.updatePasskeyCounter, [k.passkey(id)], [JSON.stringify(counter), JSON.stringify(lastUsedAt)])) === 1;
    },
    async deletePasskey(id) {
      return (await run(LUA.deletePasskey, [k.passkey(id), k.passkeys], [id, k.userPasskeysPrefix])) === 1;
    },

    async saveRefreshToken(token) {
      const key = k.token(token.tokenHash);
      const multi = redis.multi().del(key).hset(key, ...toPairs(token));
      const ends = tokenEnd(token) - clock.now();
      if (ends <= NO_TTL_BEYOND_MS) multi.pexpire(key, Math.max(1, Math.round(ends)));
      multi.sadd(k.family(token.familyId), token.tokenHash).sadd(k.userTokens(token.userId), token.tokenHash);
      // The family set lives as long as the family may (its absolute end).
      if (token.expiresAt - clock.now() <= NO_TTL_BEYOND_MS) multi.pexpire(k.family(token.familyId), ttl(token.expiresAt));
      await exec(multi);
    },
    async getRefreshToken(tokenHash) {
      const token = fromHash<RefreshToken>(await redis.hgetall(k.token(tokenHash)));
      return token && tokenEnd(token) > clock.now() ? token : undefined;
    },
    async markRefreshTokenRotated(tokenHash, now) {
      return fromHash<RefreshToken>(await run(LUA.markRotated, [k.token(tokenHash)], [JSON.stringify(now)]));
    },
    async touchRefreshToken(tokenHash, idleExpiresAt) {
      await run(LUA.touchToken, [k.token(tokenHash)], [JSON.stringify(idleExpiresAt), clock.now(), NO_TTL_BEYOND_MS]);
    },
    async revokeRefreshTokenFamily(familyId) {
      await run(LUA.revokeFamily, [k.family(familyId)], [k.tokenPrefix]);
    },
    async revokeRefreshTokensOf(userId, clientId) {
      await run(LUA.revokeTokensOf, [k.userTokens(userId)], [k.tokenPrefix, clientId ? JSON.stringify(clientId) : '']);
    },

    async createSession(session) {
      const key = k.session(session.id);
      await exec(
        redis.multi().del(key).hset(key, ...toPairs(session)).pexpire(key, ttl(session.expiresAt)).sadd(k.userSessions(session.userId), session.id),
      );
    },
    async listSessions() {
      const ids: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${k.sessionPrefix}*`, 'COUNT', 500);
        cursor = next;
        ids.push(...keys);
      } while (cursor !== '0');
      if (!ids.length) return [];
      const pipeline = redis.pipeline();
      for (const key of ids) pipeline.hgetall(key);
      const sessions = ((await pipeline.exec()) ?? []).map(([err, value]) => {
        if (err) throw err;
        return live(fromHash<Session>(value));
      });
      return sessions.filter((s): s is Session => s !== undefined).sort((a, b) => a.createdAt - b.createdAt);
    },
    async getSession(id) {
      return live(fromHash<Session>(await redis.hgetall(k.session(id))));
    },
    async updateSession(id, patch) {
      const newTtl = patch.expiresAt === undefined ? '' : ttl(patch.expiresAt);
      return fromHash<Session>(await run(LUA.patchLive, [k.session(id)], [clock.now(), newTtl, ...toPairs(patch)]));
    },
    async deleteSession(id) {
      await run(LUA.deleteSession, [k.session(id)], [k.userSessionsPrefix, id]);
    },

    async appendMessage(message) {
      const header = `${message.id}\t${message.channel}\t${message.to}`;
      await run(LUA.appendMessage, [k.messageList, k.messages], [message.id, header, JSON.stringify(message), maxMessages, channel]);
    },
    async listMessages(filter) {
      const headers = await redis.lrange(k.messageList, 0, -1);
      let end = headers.length;
      if (filter.after) {
        const index = headers.findIndex((h) => h.slice(0, h.indexOf('\t')) === filter.after);
        // An id that is gone (the mailbox was cleared since) counts as the start: every message is newer.
        if (index >= 0) end = index;
      }
      const ids: string[] = [];
      for (const header of headers.slice(0, end)) {
        const [id = '', messageChannel, to] = header.split('\t');
        if (filter.to && to !== filter.to) continue;
        if (filter.channel && messageChannel !== filter.channel) continue;
        ids.push(id);
      }
      if (!ids.length) return [];
      const raw = await redis.hmget(k.messages, ...ids);
      return raw.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as Message);
    },
    async clearMessages() {
      await redis.del(k.messageList, k.messages);
    },

    async reset() {
      // Data only: the keys and the test controls (reset by their own owners) stay.
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}d:*`, 'COUNT', 1000);
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
    async adoptKeys(offered) {
      const candidate = JSON.stringify({ signingJwk: offered.signingJwk, masterSecret: offered.masterSecret.toString('base64url') });
      await redis.set(k.keys, candidate, 'NX');
      keptKeys = (await redis.get(k.keys)) ?? candidate;
      const kept = JSON.parse(keptKeys) as { signingJwk: PersistentKeys['signingJwk']; masterSecret: string };
      return { signingJwk: kept.signingJwk, masterSecret: Buffer.from(kept.masterSecret, 'base64url') };
    },
  };

  const shared: SharedState = {
    async clockOffset() {
      return Number((await redis.get(k.clock)) ?? 0);
    },
    async setClockOffset(ms) {
      await redis.set(k.clock, String(Math.round(ms)));
    },
    async addClockOffset(ms) {
      return redis.incrby(k.clock, Math.round(ms));
    },
    async fixedCodeRules() {
      const [cleared, added] = (await exec(redis.multi().get(k.fixedCleared).lrange(k.fixedAdded, 0, -1))) as [string | null, string[]];
      return { cleared: cleared === '1', added: added.map((r) => JSON.parse(r) as FixedCodeRule) };
    },
    async addFixedCodeRule(rule) {
      await redis.rpush(k.fixedAdded, JSON.stringify(rule));
    },
    async resetFixedCodeRules(cleared) {
      const multi = redis.multi().del(k.fixedAdded);
      await exec(cleared ? multi.set(k.fixedCleared, '1') : multi.del(k.fixedCleared));
    },
    async addFault(fault) {
      await redis.rpush(k.faults, JSON.stringify(fault));
    },
    async takeFault(to, channelName) {
      const raw = (await run(LUA.takeFault, [k.faults], [to, channelName])) as string | null;
      return raw ? normalizeFault(JSON.parse(raw) as DeliveryFault) : undefined;
    },
    async listFaults() {
      return (await redis.lrange(k.faults, 0, -1)).map((r) => normalizeFault(JSON.parse(r) as DeliveryFault));
    },
    async resetFaults() {
      await redis.del(k.faults);
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  const connected = (): boolean => redis.status === 'ready';
  return { ...guarded(store, target, connected), shared: guarded(shared, target, connected) };
}

/** Faults as DeliveryFaults lists them: `channel` present, undefined when any channel. */
function normalizeFault(fault: DeliveryFault): DeliveryFault {
  return { to: fault.to, channel: fault.channel ?? undefined, kind: fault.kind, delayMs: fault.delayMs, remaining: fault.remaining };
}
