import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/clock.js';
import { openStore } from '../../src/store/open-store.js';
import type { StoreSetting } from '../../src/config/runtime.js';
import type { Message } from '../../src/store/records.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

/** UNDERSTUDY_MAILBOX_LIMIT bounds every store's mailbox alike: the newest messages stay. */
const dir = mkdtempSync(join(tmpdir(), 'understudy-mailbox-limit-'));
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
}, 240_000);
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const message = (i: number): Message => ({
  id: `msg_${String(i).padStart(4, '0')}`,
  channel: 'email',
  to: 'jane@example.com',
  from: 'App <no-reply@understudy.local>',
  subject: 'Code',
  text: `code ${i}`,
  html: null,
  code: String(i).padStart(6, '0'),
  link: null,
  connection: 'email',
  client_id: null,
  created_at: '2026-03-01T10:00:00.000Z',
  expires_at: '2026-03-01T10:03:00.000Z',
});

describe.each<[string, () => StoreSetting]>([
  ['memory', () => ({ kind: 'memory' })],
  ['sqlite', () => ({ kind: 'sqlite', path: join(dir, 'limit.db') })],
  ['redis', () => ({ kind: 'redis', url: redis.url })],
])('the %s mailbox', (_name, setting) => {
  it('keeps the newest messages up to its limit; `after` a dropped id returns every message kept', async () => {
    const store = await openStore(setting(), createManualClock(), { maxMessages: 3 });
    try {
      for (let i = 1; i <= 5; i++) await store.appendMessage(message(i));
      expect((await store.listMessages({})).map((m) => m.id)).toEqual(['msg_0005', 'msg_0004', 'msg_0003']);
      expect((await store.listMessages({ after: 'msg_0001' })).map((m) => m.id)).toEqual(['msg_0005', 'msg_0004', 'msg_0003']);
      expect((await store.listMessages({ after: 'msg_0004' })).map((m) => m.id)).toEqual(['msg_0005']);
    } finally {
      await store.close();
    }
  });
});
