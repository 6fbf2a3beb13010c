import type { User } from '../records.js';
import type { UserStore } from '../types.js';
import { clone, copy, indexKey, type MemoryContext } from './tables.js';

/**
 * The memory store's users and their identifier index (connection + email or phone number → user
 * id). Deleting a user takes its sessions, refresh tokens, passkeys, MFA enrolments (with the
 * remembered-browser revocation), roles and permissions along.
 */
export function memoryUsers({ tables }: MemoryContext): UserStore {
  const { users, userIndex, sessions, refreshTokens, passkeys, mfaEnrolments, userMfaEnrolments, mfaRememberRevocations, roleUsers, userRoles, userPermissions } = tables;
  return {
    async getUser(userId) {
      return copy(users.get(userId));
    },
    async findUser(connection, identifier) {
      const id = userIndex.get(indexKey(connection, identifier));
      return id ? copy(users.get(id)) : undefined;
    },
    async insertUser(user, identifier, aliases = []) {
      const key = indexKey(user.connection, identifier);
      const existing = userIndex.get(key);
      if (existing) return copy(users.get(existing)) as User;
      users.set(user.user_id, clone(user));
      userIndex.set(key, user.user_id);
      for (const alias of aliases) if (!userIndex.has(indexKey(user.connection, alias))) userIndex.set(indexKey(user.connection, alias), user.user_id);
      return clone(user);
    },
    async updateUser(userId, patch) {
      const user = users.get(userId);
      if (!user) return undefined;
      // Copied first: a patch that cannot be stored throws here, before anything has changed.
      const changes = clone(patch);
      // A changed email or phone number that was the user's identifier moves its index entry along.
      for (const field of ['email', 'phone_number'] as const) {
        const before = user[field];
        const after = changes[field];
        if (!before || !after || before === after || userIndex.get(indexKey(user.connection, before)) !== userId) continue;
        userIndex.delete(indexKey(user.connection, before));
        userIndex.set(indexKey(user.connection, after), userId);
      }
      Object.assign(user, changes);
      return clone(user);
    },
    async listUsers() {
      return [...users.values()].map((u) => clone(u));
    },
    async deleteUser(userId) {
      if (!users.delete(userId)) return false;
      for (const [key, id] of userIndex) if (id === userId) userIndex.delete(key);
      for (const [key, s] of sessions) if (s.userId === userId) sessions.delete(key);
      refreshTokens.deleteWhere((t) => t.userId === userId);
      for (const [key, p] of passkeys) if (p.userId === userId) passkeys.delete(key);
      for (const id of userMfaEnrolments.get(userId) ?? []) mfaEnrolments.delete(id);
      userMfaEnrolments.delete(userId);
      mfaRememberRevocations.delete(userId);
      for (const roleId of userRoles.get(userId) ?? []) roleUsers.get(roleId)?.delete(userId);
      userRoles.delete(userId);
      userPermissions.delete(userId);
      return true;
    },
  };
}
