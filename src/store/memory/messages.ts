import type { Message } from '../records.js';
import type { MessageStore } from '../types.js';
import { clone, type MemoryContext } from './tables.js';

/** The memory store's mailbox: an array, oldest first, keeping the newest `maxMessages`. */
export function memoryMessages({ tables }: MemoryContext, maxMessages: number): MessageStore {
  const { messages } = tables;
  return {
    async appendMessage(message) {
      messages.push(clone(message));
      if (messages.length > maxMessages) messages.splice(0, messages.length - maxMessages);
    },
    async listMessages(filter) {
      let start = 0;
      if (filter.after) {
        const index = messages.findIndex((m) => m.id === filter.after);
        // An id that is gone (the mailbox was cleared since) counts as the start: every message is newer.
        start = index + 1;
      }
      const out: Message[] = [];
      const limit = filter.limit ?? Number.POSITIVE_INFINITY;
      for (let i = messages.length - 1; i >= start && out.length < limit; i--) {
        const m = messages[i] as Message;
        if (filter.to && m.to !== filter.to) continue;
        if (filter.channel && m.channel !== filter.channel) continue;
        out.push(clone(m));
      }
      return out;
    },
    async clearMessages() {
      messages.length = 0;
    },
  };
}
