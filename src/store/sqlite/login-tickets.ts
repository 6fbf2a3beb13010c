import { decodeRecord } from '../json-records.js';
import type { LoginTicket } from '../records.js';
import type { LoginTicketStore } from '../types.js';
import { json, type Row, type SqliteContext } from './context.js';

/** The SQLite store's login tickets (table `login_tickets`): deleted on the first consume, live or not. */
export function sqliteLoginTickets({ statement, atomically, clock }: SqliteContext): LoginTicketStore {
  const put = statement('INSERT OR REPLACE INTO login_tickets (id, expires_at, data) VALUES (?, ?, ?)');
  const get = statement<Row & { expires_at: number }>('SELECT data, expires_at FROM login_tickets WHERE id = ?');
  const remove = statement('DELETE FROM login_tickets WHERE id = ?');

  const consumeLoginTicket = atomically((id: string): LoginTicket | undefined => {
    const row = get.get(id);
    if (!row) return undefined;
    remove.run(id);
    return row.expires_at > clock.now() ? decodeRecord<LoginTicket>(row.data) : undefined;
  });

  return {
    async saveLoginTicket(ticket) {
      put.run(ticket.id, ticket.expiresAt, json(ticket));
    },
    async consumeLoginTicket(id) {
      return consumeLoginTicket(id);
    },
  };
}
