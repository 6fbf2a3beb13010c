import type { AuthorizationCodeStore } from '../types.js';
import { liveAt, type MemoryContext } from './tables.js';

/** The memory store's authorization codes: taken out of the map on the first consume, live or not. */
export function memoryCodes({ tables, clock }: MemoryContext): AuthorizationCodeStore {
  const { codes } = tables;
  return {
    async saveAuthorizationCode(code) {
      codes.set(code.code, { ...code });
    },
    async consumeAuthorizationCode(code) {
      const found = codes.get(code);
      codes.delete(code);
      return liveAt(clock, found);
    },
  };
}
