import type { LoginTicketStore } from '../types.js';
import { copy, liveAt, type MemoryContext } from './tables.js';

/** The memory store's login tickets: taken out of the map on the first consume, live or not. */
export function memoryLoginTickets({ tables, clock }: MemoryContext): LoginTicketStore {
  const { loginTickets } = tables;
  return {
    async saveLoginTicket(ticket) {
      loginTickets.set(ticket.id, copy(ticket)!);
    },
    async consumeLoginTicket(id) {
      const found = loginTickets.get(id);
      loginTickets.delete(id);
      return liveAt(clock, found);
    },
  };
}
