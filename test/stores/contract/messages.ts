import { beforeEach, expect, it } from 'vitest';
import type { MessageStore } from '../../../src/store/types.js';
import type { PortContract } from './fixtures.js';

/**
 * The MessageStore contract. The mailbox lists newest first, filters by recipient, channel and
 * `after`, keeps only the newest `limit`, and keeps every field.
 */
export const messagesContract: PortContract = {
  port: 'MessageStore',
  concern: 'messages',
  cases(subject) {
    const { message } = subject.records;
    let store: MessageStore;
    beforeEach(() => {
      ({ store } = subject);
    });

    it('lists appended messages newest first', async () => {
      const first = message();
      const second = message({ to: '+15551234567', channel: 'sms', subject: null, html: null, connection: 'sms' });
      const third = message();
      for (const m of [first, second, third]) await store.appendMessage(m);
      expect(await store.listMessages({})).toEqual([third, second, first]);
    });

    it('filters by recipient and by channel', async () => {
      const emailJane = message({ to: 'jane@example.com' });
      const emailJohn = message({ to: 'john@example.com' });
      const smsJane = message({ to: '+15551234567', channel: 'sms', connection: 'sms' });
      const emailJane2 = message({ to: 'jane@example.com' });
      for (const m of [emailJane, emailJohn, smsJane, emailJane2]) await store.appendMessage(m);
      expect((await store.listMessages({ to: 'jane@example.com' })).map((m) => m.id)).toEqual([emailJane2.id, emailJane.id]);
      expect((await store.listMessages({ channel: 'sms' })).map((m) => m.id)).toEqual([smsJane.id]);
      expect((await store.listMessages({ channel: 'email' })).map((m) => m.id)).toEqual([emailJane2.id, emailJohn.id, emailJane.id]);
      expect(await store.listMessages({ to: 'jane@example.com', channel: 'sms' })).toEqual([]);
      expect(await store.listMessages({ to: 'nobody@example.com' })).toEqual([]);
    });

    it('`after` returns only messages newer than the given one, combined with the other filters', async () => {
      const m1 = message({ to: 'jane@example.com' });
      const m2 = message({ to: 'john@example.com' });
      const m3 = message({ to: 'jane@example.com' });
      const m4 = message({ to: 'jane@example.com' });
      for (const m of [m1, m2, m3, m4]) await store.appendMessage(m);
      expect((await store.listMessages({ after: m2.id })).map((m) => m.id)).toEqual([m4.id, m3.id]);
      expect((await store.listMessages({ after: m1.id, to: 'jane@example.com' })).map((m) => m.id)).toEqual([m4.id, m3.id]);
      expect(await store.listMessages({ after: m4.id })).toEqual([]);
    });

    it('`limit` keeps the newest matching messages, after the other filters', async () => {
      const m1 = message({ to: 'jane@example.com' });
      const m2 = message({ to: 'john@example.com' });
      const m3 = message({ to: 'jane@example.com' });
      const m4 = message({ to: 'jane@example.com' });
      for (const m of [m1, m2, m3, m4]) await store.appendMessage(m);
      expect((await store.listMessages({ limit: 1 })).map((m) => m.id)).toEqual([m4.id]);
      expect((await store.listMessages({ to: 'john@example.com', limit: 1 })).map((m) => m.id)).toEqual([m2.id]);
      expect((await store.listMessages({ to: 'jane@example.com', limit: 2 })).map((m) => m.id)).toEqual([m4.id, m3.id]);
      expect((await store.listMessages({ after: m1.id, to: 'jane@example.com', limit: 5 })).map((m) => m.id)).toEqual([m4.id, m3.id]);
    });

    it('`after` an id that was cleared away returns every message appended since', async () => {
      const old = message();
      await store.appendMessage(old);
      await store.clearMessages();
      const fresh = message();
      await store.appendMessage(fresh);
      expect((await store.listMessages({ after: old.id })).map((m) => m.id)).toEqual([fresh.id]);
    });

    it('clearMessages empties the mailbox', async () => {
      await store.appendMessage(message());
      await store.appendMessage(message({ channel: 'sms', to: '+15551234567' }));
      await store.clearMessages();
      expect(await store.listMessages({})).toEqual([]);
      expect(await store.listMessages({ channel: 'sms' })).toEqual([]);
    });

    it('keeps every field of a message, nulls included', async () => {
      const sms = message({ channel: 'sms', to: '+15551234567', subject: null, html: null, client_id: null, link: null, connection: 'sms' });
      await store.appendMessage(sms);
      expect(await store.listMessages({})).toEqual([sms]);
    });
  },
};
