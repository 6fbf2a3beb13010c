import type { PasskeyStore } from '../types.js';
import { clone, copy, type MemoryContext } from './tables.js';

/** The memory store's passkeys, by credential id, in registration order. */
export function memoryPasskeys({ tables }: MemoryContext): PasskeyStore {
  const { passkeys } = tables;
  return {
    async savePasskey(passkey) {
      if (passkeys.has(passkey.id)) return false;
      passkeys.set(passkey.id, clone(passkey));
      return true;
    },
    async findPasskey(id) {
      return copy(passkeys.get(id));
    },
    async listPasskeys(userId) {
      return [...passkeys.values()].filter((p) => userId === undefined || p.userId === userId).map((p) => clone(p));
    },
    async updatePasskeyCounter(id, counter, lastUsedAt) {
      const passkey = passkeys.get(id);
      if (!passkey) return false;
      passkey.counter = counter;
      passkey.lastUsedAt = lastUsedAt;
      return true;
    },
    async deletePasskey(id) {
      return passkeys.delete(id);
    },
  };
}
