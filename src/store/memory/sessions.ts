import type { SessionStore } from '../types.js';
import { clone, copy, liveAt, type MemoryContext } from './tables.js';

/** The memory store's SSO sessions, by id, in creation order. */
export function memorySessions({ tables, clock }: MemoryContext): SessionStore {
  const { sessions } = tables;
  return {
    async createSession(session) {
      sessions.set(session.id, clone(session));
    },
    async listSessions() {
      return [...sessions.values()].filter((s) => s.expiresAt > clock.now()).map((s) => clone(s));
    },
    async getSession(id) {
      return copy(liveAt(clock, sessions.get(id)));
    },
    async updateSession(id, patch) {
      const session = liveAt(clock, sessions.get(id));
      if (!session) return undefined;
      Object.assign(session, clone(patch));
      return clone(session);
    },
    async deleteSession(id) {
      sessions.delete(id);
    },
  };
}
