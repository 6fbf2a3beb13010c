import type { Redis } from 'ioredis';
import type { DeliveryFault, FixedCodeRule } from '../dev-records.js';
import type { Message } from '../records.js';
import type { SharedState } from '../types.js';
import type { RedisContext } from './context.js';
import { LUA } from './scripts.js';

/**
 * The state replicas sharing one Redis hold in common: the dev clock's offset, fixed codes added at
 * run time, delivery faults (taken by script, so two replicas never both use the last one), and
 * message arrivals heard on the pub/sub channel from every replica, this one included.
 */
export type MessageListeners = Set<(message: Message) => void>;

/** Subscribes the (dedicated) subscriber connection to message arrivals; the listeners hear each one. */
export async function subscribeToMessages(subscriber: Redis, channel: string): Promise<MessageListeners> {
  const listeners: MessageListeners = new Set();
  subscriber.on('message', (from: string, payload: string) => {
    if (from !== channel) return;
    let message: Message;
    try {
      message = JSON.parse(payload) as Message;
    } catch {
      return;
    }
    for (const listener of listeners) listener(message);
  });
  await subscriber.subscribe(channel);
  return listeners;
}

export function redisSharedState({ redis, k, run, exec }: RedisContext, listeners: MessageListeners): SharedState {
  return {
    async clockOffset() {
      return Number((await redis.get(k.clock)) ?? 0);
    },
    async setClockOffset(ms) {
      await redis.set(k.clock, String(Math.round(ms)));
    },
    async addClockOffset(ms) {
      return redis.incrby(k.clock, Math.round(ms));
    },
    async fixedCodeRules() {
      const [cleared, added] = (await exec(redis.multi().get(k.fixedCleared).lrange(k.fixedAdded, 0, -1))) as [string | null, string[]];
      return { cleared: cleared === '1', added: added.map((r) => JSON.parse(r) as FixedCodeRule) };
    },
    async addFixedCodeRule(rule) {
      await redis.rpush(k.fixedAdded, JSON.stringify(rule));
    },
    async resetFixedCodeRules(cleared) {
      const multi = redis.multi().del(k.fixedAdded);
      await exec(cleared ? multi.set(k.fixedCleared, '1') : multi.del(k.fixedCleared));
    },
    async addFault(fault) {
      await redis.rpush(k.faults, JSON.stringify(fault));
    },
    async takeFault(to, channelName) {
      const raw = (await run(LUA.takeFault, [k.faults], [to, channelName])) as string | null;
      return raw ? normalizeFault(JSON.parse(raw) as DeliveryFault) : undefined;
    },
    async listFaults() {
      return (await redis.lrange(k.faults, 0, -1)).map((r) => normalizeFault(JSON.parse(r) as DeliveryFault));
    },
    async resetFaults() {
      await redis.del(k.faults);
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Faults as DeliveryFaults lists them: `channel` present, undefined when any channel. */
function normalizeFault(fault: DeliveryFault): DeliveryFault {
  return { to: fault.to, channel: fault.channel ?? undefined, kind: fault.kind, delayMs: fault.delayMs, remaining: fault.remaining };
}
