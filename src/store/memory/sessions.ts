import type { SessionStore } from '../types.js';
import { copy, liveAt, type MemoryContext } from './tables.js';

/** The memory store's SSO sessions, by id, in creation order. */
export function memorySessions({ tables, clock }: MemoryContext): SessionStore {
  const { sessions } = tables;
  return {
    async createSession(session) {
      sessions.set(session.id, structuredClone(session));
    },
    async listSessions() {
      return [...sessions.values()].filter((s) => s.expiresAt > clock.now()).map((s) => structuredClone(s));
    },
    async getSession(id) {
      return copy(liveAt(clock, sessions.get(id)));
    },
    async updateSession(id, patch) {
      const session = liveAt(clock, sessions.get(id));
      if (!session) return undefined;
      Object.assign(session, structuredClone(patch));
      return structuredClone(session);
    },
    async deleteSession(id) {
      sessions.delete(id);
    },
  };
}
