import { decodeRecord } from '../json-records.js';
import type { Session } from '../records.js';
import type { SessionStore } from '../types.js';
import { json, parse, type Row, type SqliteContext } from './context.js';

/** The SQLite store's SSO sessions (table `sessions`). */
export function sqliteSessions({ statement, atomically, clock }: SqliteContext): SessionStore {
  const sql = {
    put: statement('INSERT OR REPLACE INTO sessions (id, user_id, expires_at, created_at, data) VALUES (?, ?, ?, ?, ?)'),
    get: statement<Row>('SELECT data FROM sessions WHERE id = ? AND expires_at > ?'),
    list: statement<Row>('SELECT data FROM sessions WHERE expires_at > ? ORDER BY created_at, rowid'),
    remove: statement('DELETE FROM sessions WHERE id = ?'),
  };
  const put = (session: Session): void => {
    sql.put.run(session.id, session.userId, session.expiresAt, session.createdAt, json(session));
  };

  const updateSession = atomically((id: string, patch: Partial<Session>): Session | undefined => {
    const session = parse<Session>(sql.get.get(id, clock.now()));
    if (!session) return undefined;
    Object.assign(session, patch);
    put(session);
    return session;
  });

  return {
    async createSession(session) {
      put(session);
    },
    async listSessions() {
      return sql.list.all(clock.now()).map((row) => decodeRecord<Session>(row.data));
    },
    async getSession(id) {
      return parse<Session>(sql.get.get(id, clock.now()));
    },
    async updateSession(id, patch) {
      return updateSession(id, patch);
    },
    async deleteSession(id) {
      sql.remove.run(id);
    },
  };
}
