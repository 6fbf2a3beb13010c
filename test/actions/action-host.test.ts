import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionHost, type HostOptions } from '../../src/actions/action-host.js';

/**
 * One action's process over its life: a crash is followed by a new process, at once the first time
 * and then after a growing wait, so code that ends its process on every login cannot spin the server
 * on restarts; after five crashes in a row executions fail at once, saying why, until a new process
 * serves one again. Real processes, as the server runs them.
 */
const dir = mkdtempSync(join(tmpdir(), 'understudy-action-host-'));
afterEach(async () => {
  await host?.close();
});
let host: ActionHost | undefined;

function hostFor(code: string, options: Partial<HostOptions> = {}): { host: ActionHost; restarts: string[] } {
  const restarts: string[] = [];
  host = new ActionHost({ name: 'Subject', code, file: join(dir, 'code.js'), requireFrom: dir }, { timeoutMs: 5000, onLog: () => {}, onRestart: (_action, reason) => restarts.push(reason), ...options });
  return { host, restarts };
}

describe('an action whose process ends on every execution', () => {
  it('is started again with a growing wait, and once the circuit opens its logins fail at once with the reason', async () => {
    const { host, restarts } = hostFor('exports.onExecutePostLogin = async () => { process.exit(1); };', { restart: { baseMs: 400, tripAfter: 5 } });
    await host.start();
    const failures: string[] = [];
    const began = Date.now();
    for (let i = 0; i < 8; i++) failures.push((await host.execute('post-login', {})).failure?.message ?? 'served');
    const elapsed = Date.now() - began;
    // Waits of 0, 400, 800 and 1600 ms before the fifth crash opened the circuit: at least 2.8 s in all.
    expect(elapsed).toBeGreaterThanOrEqual(2800);
    expect(failures.slice(0, 5)).toEqual(Array(5).fill("the action's process ended (exit code 1)"));
    expect(failures.slice(5)).toEqual(Array(3).fill('The action "Subject" is not running: its process ended 5 times in a row, and is tried again with a growing wait'));
    expect(restarts).toHaveLength(5);
  }, 20_000);
});

describe('an action whose top-level code never ends', () => {
  it('fails its start naming the time it took, and nothing starts it again afterwards', async () => {
    const { host, restarts } = hostFor('for (;;) {}\nexports.onExecutePostLogin = async () => {};', { timeoutMs: 300 });
    await expect(host.start()).rejects.toThrow('loading took longer than 300 ms');
    // Before, the process that timed out was started again by a runtime no one held, forever.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(restarts).toEqual([]);
    expect((await host.execute('post-login', {})).failure?.message).toBe('The action "Subject" is not running');
  });
});

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
