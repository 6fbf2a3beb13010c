import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK, SPA, httpLogin, startServer, type ServerProcess } from '../support/http-login.js';
import { freePort } from '../support/net.js';

/**
 * An export's Action is someone else's code, and so is every package it loads. It runs on the
 * server's machine, but must not reach the server's keys, files, process or memory, nor another
 * action's secrets. This export carries one hostile action that tries all of it, and one honest
 * action with a secret, against a real server on loopback (as `npm start` runs it).
 */
const KEEPER_SECRET = 'keeper-secret-4f2b9c';

const SNOOP = `
const os = require('os');
const attempt = async (fn) => { try { const r = await fn(); return r === undefined ? 'allowed' : r; } catch (e) { return e.code || e.message; } };
const seen = [];
process.on('message', (m) => seen.push(JSON.stringify(m)));
const rawSend = (m) => process._send(m, undefined, {}, undefined);
exports.onExecutePostLogin = async (event, api) => {
  const who = event.user.email;
  const base = event.secrets.BASE;
  if (who.startsWith('probe')) {
    api.idToken.setCustomClaim('https://hostile.example/probe', {
      keys: await attempt(async () => (await fetch(base + '/_dev/api/snapshot?include=keys')).status),
      messages: await attempt(async () => (await fetch(base + '/_dev/api/messages')).status),
      stop: await attempt(() => process.kill(process.ppid, 'SIGSTOP')),
      rawKill: await attempt(() => process._kill(process.ppid, 19)),
      renice: await attempt(() => os.setPriority(process.ppid, 19)),
      send: await attempt(() => process.send(null)),
      flags: await attempt(() => require('v8').setFlagsFromString('--stack-size=10')),
      trace: await attempt(() => require('trace_events').createTracing({ categories: ['node'] })),
      env: Object.keys(process.env),
      secrets: Object.keys(event.secrets),
      // Every message this process received: its own executions' events, and nothing of the keeper's.
      sawKeeperSecret: seen.some((m) => m.includes('${KEEPER_SECRET}')),
      eventsSeen: seen.length > 0,
    });
  }
  if (who.startsWith('bigint')) api.idToken.setCustomClaim('https://hostile.example/n', 10n);
  if (who.startsWith('circular')) { const o = {}; o.self = o; api.idToken.setCustomClaim('https://hostile.example/o', o); }
  if (who.startsWith('forge-null')) rawSend(null);
  if (who.startsWith('forge-done')) rawSend({ type: 'done', id: 'not-an-execution', calls: 'not a list' });
  if (who.startsWith('flood')) for (let i = 0; i < 12; i++) rawSend({ type: 'log', level: 'log', line: 'x'.repeat(5_000_000) });
  if (who.startsWith('hog')) {
    globalThis.hog = [];
    for (let i = 0; i < 48; i++) globalThis.hog.push(Buffer.alloc(16 * 1024 * 1024, 1));
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
};`;

const KEEPER = `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://hostile.example/keeper', event.secrets.KEEPER_SECRET === '${KEEPER_SECRET}' ? 'has its secret' : 'no secret');
};`;

let root: string;
let server: ServerProcess;
let token: string | undefined;

const write = (path: string, content: unknown): void => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
};
const action = (name: string, secrets: { name: string; value: string }[]) => ({ name, code: `./actions/${name}/code.js`, deployed: true, secrets, supported_triggers: [{ id: 'post-login', version: 'v3' }] });

/** A login through the screens whose post-login outcome is read from the callback: claims, or the error. */
async function login(email: string): Promise<{ claims?: Record<string, unknown>; error?: string }> {
  try {
    const { claims } = await httpLogin(email, server.base, { devToken: token });
    return { claims };
  } catch (err) {
    const match = /no code in (\S+)/.exec((err as Error).message);
    if (!match) throw err;
    const callback = new URL(match[1]!);
    return { error: `${callback.searchParams.get('error')}: ${callback.searchParams.get('error_description')}` };
  }
}

const rssMb = (pid: number): number => (Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096) / 1048576;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'understudy-hostile-'));
  write('export/tenant.json', { friendly_name: 'Hostile' });
  write('export/clients/App.json', { name: 'App', app_type: 'spa', callbacks: [CALLBACK] });
  write('export/connections/email.json', { name: 'email', strategy: 'email', enabled_clients: ['App'] });
  write('export/actions/Snoop.json', action('Snoop', []));
  write('export/actions/Snoop/code.js', SNOOP);
  write('export/actions/Keeper.json', action('Keeper', []));
  write('export/actions/Keeper/code.js', KEEPER);
  write('export/triggers/triggers.json', { 'post-login': [{ action_name: 'Keeper' }, { action_name: 'Snoop' }] });
  // The overlay gives the snoop the server's address, and the keeper its secret (exports carry no secret values).
  const port = await freePort();
  write('overlay.json', { clients: [{ name: 'App', client_id: SPA }], actions: [{ name: 'Snoop', secrets: [{ name: 'BASE', value: `http://127.0.0.1:${port}` }] }, { name: 'Keeper', secrets: [{ name: 'KEEPER_SECRET', value: KEEPER_SECRET }] }] });
  server = await startServer({ UNDERSTUDY_DATA_DIR: join(root, 'data'), PORT: String(port) }, ['--config', join(root, 'export'), '--overlay', join(root, 'overlay.json')]);
  token = server.devToken();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('a hostile Action, on loopback', () => {
  it('the dev routes ask for a token because Actions are bound; the banner prints it, and without it nothing is served', async () => {
    expect(token).toMatch(/^[\w-]{30,}$/);
    expect(server.output()).toContain("generated: the tenant's Actions run code from the export on this machine");
    expect((await fetch(`${server.base}/_dev/api/messages`)).status).toBe(401);
    expect((await fetch(`${server.base}/_dev/api/snapshot?include=keys`)).status).toBe(401);
    const withToken = await fetch(`${server.base}/_dev/api/messages`, { headers: { authorization: `Bearer ${token}` } });
    expect(withToken.status).toBe(200);
  });

  it('reads no keys or codes, signals and renices no process, sets no V8 flag, writes no trace, and sees no other action’s secret', async () => {
    const first = await login('probe@hostile.example');
    expect(first.claims?.['https://hostile.example/keeper']).toBe('has its secret');
    const second = await login('probe-again@hostile.example');
    const probe = second.claims?.['https://hostile.example/probe'];
    expect(probe).toEqual({
      keys: 401,
      messages: 401,
      stop: 'ERR_ACCESS_DENIED',
      rawKill: 'ERR_ACCESS_DENIED',
      renice: 'ERR_ACCESS_DENIED',
      send: 'ERR_ACCESS_DENIED',
      flags: 'ERR_ACCESS_DENIED',
      trace: 'ERR_ACCESS_DENIED',
      env: [],
      secrets: ['BASE'],
      sawKeeperSecret: false,
      eventsSeen: true,
    });
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
  });

  it('a claim JSON cannot carry (a BigInt, a circular object) fails that login at once with the reason', async () => {
    for (const who of ['bigint@hostile.example', 'circular@hostile.example']) {
      const { error } = await login(who);
      expect(error, who).toMatch(/^access_denied: a value the action passed to api cannot be sent as JSON: /);
    }
  });

  it('a forged or malformed message on the IPC channel replaces that action’s process; the login fails cleanly and the server serves the next', async () => {
    for (const who of ['forge-null@hostile.example', 'forge-done@hostile.example']) {
      const { error } = await login(who);
      expect(error, who).toMatch(/^access_denied: the action's process was replaced: it (sent a message Understudy does not accept|answered an execution it was never given)/);
    }
    const after = await login('after-forgery@hostile.example');
    expect(after.claims?.['https://hostile.example/keeper']).toBe('has its secret');
  });

  it('log lines sent straight over IPC are cut and rate-limited by the server, and do not swell its memory', async () => {
    const before = rssMb(server.child.pid!);
    await login('flood@hostile.example');
    const logs = (await (await fetch(`${server.base}/_dev/api/action-logs`, { headers: { authorization: `Bearer ${token}` } })).json()) as { logs: { line: string }[] };
    const lines = logs.logs.map((l) => l.line);
    expect(lines.filter((l) => l.startsWith('xxxx')).length).toBeGreaterThan(0);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(4000);
    // 12 lines of 5 MB each went in; what stays is the cut lines, not 60 MB of them.
    expect(rssMb(server.child.pid!) - before).toBeLessThan(200);
  });

  it('an action past its memory limit (Buffers, outside V8’s heap) is replaced, and the login fails with the reason', async () => {
    const { error } = await login('hog@hostile.example');
    expect(error).toMatch(/^access_denied: the action's process was replaced: it used \d+ MB, more than 256 MB/);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect((await login('after-the-hog@hostile.example')).claims?.['https://hostile.example/keeper']).toBe('has its secret');
  }, 30_000);
});

describe("an export whose node_modules links outside itself", () => {
  it('stops start-up naming the link', async () => {
    const dir = join(root, 'linked-export');
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    mkdirSync(join(root, 'outside-package'), { recursive: true });
    symlinkSync(join(root, 'outside-package'), join(dir, 'node_modules', 'sneaky'));
    writeFileSync(join(dir, 'tenant.yaml'), `actions:\n  - name: A\n    code: "exports.onExecutePostLogin = async () => {};\\n"\n    deployed: true\ntriggers:\n  post-login:\n    - action_name: A\n`);
    const started = await startServer({ UNDERSTUDY_DATA_DIR: join(root, 'data-linked') }, ['--config', join(dir, 'tenant.yaml')]).then(
      (s) => s.stop().then(() => 'started'),
      (err: Error) => err.message,
    );
    expect(started).toContain(`${join(dir, 'node_modules', 'sneaky')} links to ${join(root, 'outside-package')}, outside the export's node_modules`);
  }, 60_000);
});
