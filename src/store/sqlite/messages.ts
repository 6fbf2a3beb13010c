import { decodeRecord } from '../json-records.js';
import type { Message } from '../records.js';
import type { MessageStore } from '../types.js';
import { json, type Row, type SqliteContext } from './context.js';

/** The SQLite store's mailbox (table `messages`, in arrival order), trimmed to the newest `maxMessages` on each append. */
export function sqliteMessages({ statement, atomically }: SqliteContext, maxMessages: number): MessageStore {
  const sql = {
    insert: statement('INSERT INTO messages (id, recipient, channel, data) VALUES (?, ?, ?, ?)'),
    trim: statement('DELETE FROM messages WHERE seq <= (SELECT MAX(seq) FROM messages) - ?'),
    seqOf: statement<{ seq: number }>('SELECT seq FROM messages WHERE id = ?'),
    list: statement<Row>('SELECT data FROM messages WHERE seq > ? AND (? IS NULL OR recipient = ?) AND (? IS NULL OR channel = ?) ORDER BY seq DESC LIMIT ?'),
    clear: statement('DELETE FROM messages'),
  };

  const appendMessage = atomically((message: Message): void => {
    sql.insert.run(message.id, message.to, message.channel, json(message));
    sql.trim.run(maxMessages);
  });

  return {
    async appendMessage(message) {
      appendMessage(message);
    },
    async listMessages(filter) {
      // An `after` id that is gone (the mailbox was cleared since) counts as the start: every message is newer.
      const after = filter.after ? (sql.seqOf.get(filter.after)?.seq ?? 0) : 0;
      const to = filter.to ?? null;
      const channel = filter.channel ?? null;
      // LIMIT -1: no limit.
      return sql.list.all(after, to, to, channel, channel, filter.limit ?? -1).map((row) => decodeRecord<Message>(row.data));
    },
    async clearMessages() {
      sql.clear.run();
    },
  };
}
