import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createUnderstudyClient, UnderstudyError, type UnderstudyClient } from '../../src/testing/index.js';
import { listeningTestApp } from '../support/app.js';


describe('understudy/testing client', () => {
  let app: FastifyInstance;
  let client: UnderstudyClient;
  let base: string;

  beforeAll(async () => {
    const t = await listeningTestApp({});
    ({ app, issuer: base } = t);
    client = createUnderstudyClient(base);
  });
  afterAll(() => app.close());

  const start = (body: Record<string, unknown>) =>
    fetch(new URL('passwordless/start', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: 'understudy-spa', ...body }) });

  it('waitForCode returns the code of a message that arrives while it waits, and `after` waits for the next one', async () => {
    await client.reset();
    const waiting = client.waitForCode({ to: 'wait@example.com', timeoutMs: 10_000 });
    expect((await start({ connection: 'email', email: 'wait@example.com', send: 'code' })).status).toBe(200);
    const first = await waiting;
    expect(first).toMatch(/^\d{6}$/);

    const [message] = await client.messages({ to: 'wait@example.com' });
    const next = client.waitForMessage({ to: 'wait@example.com', after: message!.id, timeoutMs: 10_000 });
    await start({ connection: 'email', email: 'wait@example.com', send: 'code' });
    expect((await next).id).not.toBe(message!.id);
  });

  it('waitForCode reads the verification_code of a magic link', async () => {
    await start({ connection: 'email', email: 'link@example.com', authParams: { redirect_uri: 'http://localhost:3000/callback', response_type: 'code' } });
    const message = await client.waitForMessage({ to: 'link@example.com' });
    expect(message.code).toBeNull();
    expect(await client.waitForCode({ to: 'link@example.com' })).toBe(new URL(message.link!).searchParams.get('verification_code'));
  });

  it('waitForMessage gives up after its timeout with an UnderstudyError', async () => {
    await expect(client.waitForMessage({ to: 'nobody@example.com', timeoutMs: 50 })).rejects.toBeInstanceOf(UnderstudyError);
  });

  it('moves the server clock and puts it back', async () => {
    const before = await client.clock.now();
    const moved = await client.clock.advance(3600);
    expect(moved.getTime() - before.getTime()).toBeGreaterThanOrEqual(3600_000);
    expect((await client.clock.set('2030-01-01T00:00:00Z')).getUTCFullYear()).toBe(2030);
    expect(Math.abs((await client.clock.reset()).getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('pins codes with fixed codes and clears them', async () => {
    await client.fixedCodes.add({ match: '*@fixed.test', code: '424242' });
    await start({ connection: 'email', email: 'a@fixed.test', send: 'code' });
    expect(await client.waitForCode({ to: 'a@fixed.test' })).toBe('424242');
    await client.fixedCodes.clear();
    await start({ connection: 'sms', phone_number: '+15551230000' });
    expect(await client.waitForCode({ to: '+15551230000', channel: 'sms' })).toMatch(/^\d{6}$/);
  });

  it('simulates a failed delivery and reports refusals as UnderstudyError with the server description', async () => {
    await client.faults.add({ to: '+15551239999', channel: 'sms', kind: 'fail' });
    const response = await start({ connection: 'sms', phone_number: '+15551239999' });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('sms_provider_error');
    await expect(client.faults.add({ to: 'not a recipient', kind: 'fail' })).rejects.toThrow(/to must be an email address/);
  });

  it('reset empties the mailbox', async () => {
    await start({ connection: 'email', email: 'gone@example.com', send: 'code' });
    await client.reset();
    expect(await client.messages()).toEqual([]);
  });
});
