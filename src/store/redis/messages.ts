import type { Message } from '../records.js';
import type { MessageStore } from '../types.js';
import type { RedisContext } from './context.js';
import { LUA } from './scripts.js';

/**
 * The Redis store's mailbox: a list of headers (id, channel, recipient), newest first, beside a hash
 * of the messages by id. Appending trims to the newest `maxMessages` and publishes the message, so
 * every replica's long polls hear of it.
 */
export function redisMessages({ redis, k, run }: RedisContext, maxMessages: number): MessageStore {
  return {
    async appendMessage(message) {
      const header = `${message.id}\t${message.channel}\t${message.to}`;
      await run(LUA.appendMessage, [k.messageList, k.messages], [message.id, header, JSON.stringify(message), maxMessages, k.messageChannel]);
    },
    async listMessages(filter) {
      const headers = await redis.lrange(k.messageList, 0, -1);
      let end = headers.length;
      if (filter.after) {
        const index = headers.findIndex((h) => h.slice(0, h.indexOf('\t')) === filter.after);
        // An id that is gone (the mailbox was cleared since) counts as the start: every message is newer.
        if (index >= 0) end = index;
      }
      const ids: string[] = [];
      for (const header of headers.slice(0, end)) {
        const [id = '', messageChannel, to] = header.split('\t');
        if (filter.to && to !== filter.to) continue;
        if (filter.channel && messageChannel !== filter.channel) continue;
        ids.push(id);
        if (filter.limit !== undefined && ids.length >= filter.limit) break;
      }
      if (!ids.length) return [];
      const raw = await redis.hmget(k.messages, ...ids);
      return raw.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as Message);
    },
    async clearMessages() {
      await redis.del(k.messageList, k.messages);
    },
  };
}
