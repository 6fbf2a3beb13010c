import type { User } from '../records.js';
import type { UserStore } from '../types.js';
import { fromHash, toPairs } from './hash.js';
import type { RedisContext } from './context.js';
import { LUA } from './scripts.js';

/**
 * The Redis store's users: a hash each, an identifier index (a string per connection + identifier,
 * and a set of them per user), and a sorted set in creation order. Inserting, moving an identifier
 * and deleting (with the user's sessions, refresh tokens, passkeys, MFA enrolments and their
 * remembered-browser revocation, roles and permissions) run as scripts.
 */
export function redisUsers({ redis, k, run, readHashes }: RedisContext): UserStore {
  return {
    async getUser(userId) {
      return fromHash<User>(await redis.hgetall(k.user(userId)));
    },
    async findUser(connection, identifier) {
      const id = await redis.get(k.index(connection, identifier));
      return id ? fromHash<User>(await redis.hgetall(k.user(id))) : undefined;
    },
    async insertUser(user, identifier, aliases = []) {
      const keys = [k.index(user.connection, identifier), k.user(user.user_id), k.users, k.seq, k.userIndexes(user.user_id), ...aliases.map((alias) => k.index(user.connection, alias))];
      return fromHash<User>(await run(LUA.insertUser, keys, [user.user_id, k.userPrefix, String(aliases.length), ...toPairs(user)])) as User;
    },
    async updateUser(userId, patch) {
      const moves = [patch.email ?? '', patch.phone_number ?? ''];
      return fromHash<User>(await run(LUA.updateUser, [k.user(userId), k.userIndexes(userId)], [userId, k.indexPrefix, ...moves, ...toPairs(patch)]));
    },
    async listUsers() {
      const ids = await redis.zrange(k.users, '0', '-1');
      return (await readHashes<User>(ids.map((id) => k.user(id)))).filter((u): u is User => u !== undefined);
    },
    async deleteUser(userId) {
      const keys = [
        k.user(userId), k.users, k.userIndexes(userId), k.userSessions(userId), k.userTokens(userId), k.userPasskeys(userId), k.passkeys,
        k.userRoles(userId), k.userPermissions(userId), k.userMfaEnrolments(userId), k.mfaEnrolments, k.mfaRememberRevoked(userId),
      ];
      const prefixes = [k.sessionPrefix, k.tokenPrefix, k.passkeyPrefix, k.roleUsersPrefix, k.mfaEnrolmentPrefix];
      return (await run(LUA.deleteUser, keys, [userId, ...prefixes])) === 1;
    },
  };
}
