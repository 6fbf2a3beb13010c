import type { Session } from '../records.js';
import type { SessionStore } from '../types.js';
import { fromHash, toPairs } from './hash.js';
import type { RedisContext } from './context.js';
import { LUA } from './scripts.js';

/** The Redis store's SSO sessions: a hash each, and a set of session ids per user (for deleting a user). */
export function redisSessions({ redis, k, clock, run, exec, readHashes, ttl, live }: RedisContext): SessionStore {
  return {
    async createSession(session) {
      const key = k.session(session.id);
      await exec(
        redis.multi().del(key).hset(key, ...toPairs(session)).pexpire(key, ttl(session.expiresAt)).sadd(k.userSessions(session.userId), session.id),
      );
    },
    async listSessions() {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${k.sessionPrefix}*`, 'COUNT', 500);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');
      const sessions = (await readHashes<Session>(keys)).map((s) => live(s));
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
  };
}
