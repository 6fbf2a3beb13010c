import { decodeRecord, encodeRecord } from '../json-records.js';
import type { LoginTicket } from '../records.js';
import type { LoginTicketStore } from '../types.js';
import type { RedisContext } from './context.js';

/** The Redis store's login tickets: a string each, taken with GETDEL so only one caller gets it. */
export function redisLoginTickets({ redis, k, ttl, live }: RedisContext): LoginTicketStore {
  return {
    async saveLoginTicket(ticket) {
      await redis.set(k.loginTicket(ticket.id), encodeRecord(ticket), 'PX', ttl(ticket.expiresAt));
    },
    async consumeLoginTicket(id) {
      const raw = await redis.getdel(k.loginTicket(id));
      return raw ? live(decodeRecord<LoginTicket>(raw)) : undefined;
    },
  };
}
