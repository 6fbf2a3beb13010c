import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { Message } from '../store/records.js';
import type { MessageFilter, MessageStore, SharedStateStore } from '../store/types.js';
import { DeliveryError, type DeliveryFaults } from '../dev/delivery-faults.js';
import { maskRecipient } from './otp-log.js';

/**
 * Understudy sends no email and no SMS: every code or link becomes a message in the dev mailbox
 * (store + live notification) and a log line, which is how users and tests read their codes.
 */
/** A message as the senders hand it over; the outbox adds the id and the times. */
/** The dev mailbox's `wait=` is capped here (a long poll); a socket's idle timeout must outlast it. */
export const LONGEST_LONG_POLL_MS = 30_000;

export type OutgoingMessage = Omit<Message, 'id' | 'client_id' | 'created_at' | 'expires_at'> & {
  clientId: string | null;
  expiresAt: number;
};

export interface Outbox {
  send(message: OutgoingMessage): Promise<Message>;
  /**
   * Sends what `compose` makes, for messages Auth0 sends after answering (the account emails): a failed
   * delivery, or a template that does not render, is logged as Auth0's tenant log records a failed
   * notification, and never fails the sign-up or request that caused it.
   */
  sendAfterAnswer(compose: () => OutgoingMessage): Promise<Message | undefined>;
  list(filter: MessageFilter): Promise<Message[]>;
  /** The newest message matching the filter, waiting up to `waitMs` for one to arrive. */
  waitForLatest(filter: MessageFilter, waitMs: number, signal?: AbortSignal): Promise<Message | undefined>;
  /** Any message newer than filter.after, waiting up to `waitMs`; for the mailbox page's live update. */
  waitForNew(filter: MessageFilter, waitMs: number, signal?: AbortSignal): Promise<Message[]>;
  clear(): Promise<void>;
  /** Answers every wait at once with what is there (on shutdown, so long polls do not hold it up). */
  endWaits(): void;
  /** How many long polls are waiting here now (this process's, not other replicas'). */
  waiting(): number;
}

export function createOutbox(deps: {
  store: MessageStore & SharedStateStore;
  clock: Clock;
  random: Random;
  log: Logger;
  faults?: DeliveryFaults;
  /**
   * The dev code line: the recipient, code and link in the log, at info. Off with the dev routes, so no
   * code is ever logged (the line then names the message with the recipient masked).
   */
  logCodes?: boolean;
}): Outbox {
  const { store, clock, random, log, faults } = deps;
  const logCodes = deps.logCodes ?? true;
  const arrivals = new EventEmitter();
  arrivals.setMaxListeners(0);
  let sequence = 0;
  /** Delayed deliveries (a delay fault) not yet made; clearing the mailbox cancels them. */
  const inFlight = new Set<NodeJS.Timeout>();
  const ending = new AbortController();
  // Replicas sharing a store hear of every replica's messages (pub/sub), their own included.
  const shared = store.shared;
  shared?.onMessage((message) => arrivals.emit('message', message));

  // Ids sort in arrival order, which makes `after=<id>` meaningful in every store.
  const nextId = (): string => `msg_${clock.now().toString(36).padStart(9, '0')}${(sequence++ % 1296).toString(36).padStart(2, '0')}${random.hex(3)}`;

  const matches = (m: Message, f: MessageFilter): boolean => (!f.to || m.to === f.to) && (!f.channel || m.channel === f.channel);

  async function waitFor<T>(check: () => Promise<T | undefined>, filter: MessageFilter, waitMs: number, signal?: AbortSignal): Promise<T | undefined> {
    const found = await check();
    if (found !== undefined || waitMs <= 0 || ending.signal.aborted) return found;
    return new Promise<T | undefined>((resolve, reject) => {
      let done = false;
      // A look that fails (the store is away) is tried again on the next arrival; only the last one's failure is the answer.
      const look = (): Promise<T | undefined> => check().catch(() => undefined);
      const fail = (err: unknown): void => {
        if (done) return;
        reject(err); // settles first, so the cleanup's resolve below is ignored
        finish(undefined);
      };
      const finish = (value: T | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        arrivals.off('message', onMessage);
        signal?.removeEventListener('abort', onAbort);
        ending.signal.removeEventListener('abort', onEnd);
        resolve(value);
      };
      const onMessage = (m: Message): void => {
        if (matches(m, filter)) void look().then((value) => value !== undefined && finish(value), fail);
      };
      const onAbort = (): void => finish(undefined);
      const onEnd = (): void => void check().then(finish, fail);
      const timer = setTimeout(() => void check().then(finish, fail), waitMs);
      arrivals.on('message', onMessage);
      signal?.addEventListener('abort', onAbort);
      ending.signal.addEventListener('abort', onEnd);
      // A message may have landed between the first check and subscribing.
      void look().then((value) => value !== undefined && finish(value), fail);
    });
  }

  async function deliver(message: Message): Promise<void> {
    await store.appendMessage(message);
    const what = message.channel === 'sms' ? 'SMS' : 'email';
    if (logCodes) {
      log.info(
        { channel: message.channel, to: message.to, code: message.code, link: message.link, messageId: message.id },
        `${what} to ${message.to}: ${message.text.split('\n')[0]}`,
      );
    } else {
      const to = maskRecipient(message.to);
      log.info({ channel: message.channel, to, messageId: message.id }, `${what} to ${to} (${message.code ? 'a code' : 'a link'}; not logged with dev routes off)`);
    }
    if (!shared) arrivals.emit('message', message);
  }

  const outbox: Outbox = {
    async sendAfterAnswer(compose) {
      try {
        return await outbox.send(compose());
      } catch (err) {
        if (!(err instanceof DeliveryError)) throw err;
        log.warn({ channel: err.channel }, `Failed sending notification: ${err.message}`);
        return undefined;
      }
    },

    async send(outgoing) {
      const fault = await faults?.take(outgoing.to, outgoing.channel);
      if (fault?.kind === 'fail') throw new DeliveryError(outgoing.channel, outgoing.to);
      const message: Message = {
        id: nextId(),
        channel: outgoing.channel,
        to: outgoing.to,
        from: outgoing.from,
        subject: outgoing.subject,
        text: outgoing.text,
        html: outgoing.html,
        code: outgoing.code,
        link: outgoing.link,
        connection: outgoing.connection,
        client_id: outgoing.clientId,
        created_at: new Date(clock.now()).toISOString(),
        expires_at: new Date(outgoing.expiresAt).toISOString(),
      };
      if (fault?.kind === 'delay') {
        // Arrives later, as a slow provider's would; the sender is answered at once.
        const timer = setTimeout(() => {
          inFlight.delete(timer);
          deliver(message).catch((err: unknown) => log.error({ err, messageId: message.id }, 'a delayed message could not be stored'));
        }, fault.delayMs).unref();
        inFlight.add(timer);
      } else {
        await deliver(message);
      }
      return message;
    },
    list: (filter) => store.listMessages(filter),
    waitForLatest: (filter, waitMs, signal) =>
      waitFor(async () => (await store.listMessages({ ...filter, limit: 1 }))[0], filter, waitMs, signal),
    async waitForNew(filter, waitMs, signal) {
      return (await waitFor(async () => {
        const found = await store.listMessages(filter);
        return found.length ? found : undefined;
      }, filter, waitMs, signal)) ?? [];
    },
    clear: () => {
      for (const timer of inFlight) clearTimeout(timer);
      inFlight.clear();
      return store.clearMessages();
    },
    endWaits: () => ending.abort(),
    // Each wait listens for arrivals while it is open.
    waiting: () => arrivals.listenerCount('message'),
  };
  return outbox;
}
