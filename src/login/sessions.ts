import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { Session } from '../store/records.js';
import type { SessionStore } from '../store/types.js';
import type { Tenant } from '../tenant/model.js';

/**
 * The SSO session behind the `auth0` cookie. It ends at Auth0's two limits: `session_lifetime`
 * (absolute, from login) and `idle_session_lifetime` (since the last /authorize that used it).
 */
export interface SessionService {
  start(args: { userId: string; deviceId: string; authTime: number; clientId: string }): Promise<Session>;
  /** The live session for this cookie value, or undefined when missing, expired or idle too long. */
  current(id: string | undefined): Promise<Session | undefined>;
  /** Records use by a client, which also resets the idle timer. */
  touch(session: Session, clientId: string): Promise<void>;
  end(id: string | undefined): Promise<void>;
  /** Records that the session passed a second factor now: its later logins carry it. */
  passedMfa(id: string): Promise<number>;
}

const HOUR_MS = 3_600_000;

export function createSessionService(deps: { store: SessionStore; clock: Clock; random: Random; tenant: Tenant }): SessionService {
  const { store, clock, random, tenant } = deps;
  const idleMs = tenant.idleSessionLifetimeHours * HOUR_MS;

  return {
    async start({ userId, deviceId, authTime, clientId }) {
      const now = clock.now();
      const session: Session = {
        // Auth0's sid is an opaque 32-character string.
        id: random.token(24),
        userId,
        deviceId,
        authTime,
        clients: [clientId],
        createdAt: now,
        lastActiveAt: now,
        expiresAt: now + tenant.sessionLifetimeHours * HOUR_MS,
      };
      await store.createSession(session);
      return session;
    },

    async current(id) {
      if (!id) return undefined;
      const session = await store.getSession(id);
      if (!session) return undefined;
      if (clock.now() - session.lastActiveAt >= idleMs) {
        await store.deleteSession(id);
        return undefined;
      }
      return session;
    },

    async touch(session, clientId) {
      const clients = session.clients.includes(clientId) ? session.clients : [...session.clients, clientId];
      await store.updateSession(session.id, { lastActiveAt: clock.now(), clients });
    },

    async end(id) {
      if (id) await store.deleteSession(id);
    },

    async passedMfa(id) {
      const at = Math.floor(clock.now() / 1000);
      await store.updateSession(id, { mfaAt: at });
      return at;
    },
  };
}
