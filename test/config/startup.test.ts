import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';

/**
 * The real entry point as users start it: a bad tenant file stops it with each bad key path on stderr
 * and a non-zero exit code; a good one serves, and SIGTERM stops it cleanly.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Generous bounds: a cold `node --import tsx` start takes seconds on a busy CI machine.
const WAIT_MS = 45_000;
const STOP_MS = 10_000;
const SPAWN_TEST = { timeout: 60_000 };

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Children by the test that started them, so concurrent tests each clean up only their own. */
const children = new Map<string, ChildProcess[]>();
let dir: string;

function start(ctx: TestContext, args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts', ...args], {
    cwd: ROOT,
    // Only what the test chooses: no UNDERSTUDY_* or PORT leaking in from the shell that runs the tests.
    // A data folder per test: concurrent first starts would otherwise race to write the same key files.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, PORT: '0', HOST: '127.0.0.1', UNDERSTUDY_DATA_DIR: join(dir, `data-${ctx.task.id}`), LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(ctx.task.id, [...(children.get(ctx.task.id) ?? []), child]);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves with `promise`, or rejects after `ms` with what the process said so far. */
function within<T>(promise: Promise<T>, ms: number, what: string, run: Running): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}\nstdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The first stdout line that contains `text`, waiting for it as output arrives (fails if the process exits first). */
function waitForLine(run: Running, text: string): Promise<string> {
  const found = new Promise<string>((resolve, reject) => {
    const check = (): boolean => {
      const line = run.stdout().split('\n').find((l) => l.includes(text));
      if (line === undefined) return false;
      run.child.stdout!.off('data', onData);
      resolve(line);
      return true;
    };
    const onData = (): void => void check();
    run.child.stdout!.on('data', onData);
    void run.exited.then(({ code }) => {
      if (!check()) reject(new Error(`exited with ${code} before printing "${text}"\nstdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`));
    });
    check();
  });
  return within(found, WAIT_MS, `a line containing "${text}"`, run);
}

function writeTenant(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'understudy-startup-'));
});
afterEach((ctx) => {
  for (const child of children.get(ctx.task.id) ?? []) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.delete(ctx.task.id);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Sequential on purpose: side by side on a busy two-core machine, each start only gets slower.
describe('start-up with a bad configuration', SPAWN_TEST, () => {
  it('a tenant file with wrong types exits non-zero and names each bad key path on stderr', async (ctx) => {
    const file = writeTenant(
      'wrong-types.yaml',
      `
rules: []
clients:
  - name: Good SPA
    app_type: spa
    custom_login_page: '<html>'
  - name: Bad Web
    callbacks: 'http://localhost:3000/callback'
connections:
  - name: email
    strategy: email
    options:
      totp:
        length: 3
users:
  - connection: email
    email: 42
`,
    );
    const run = start(ctx, ['--config', file]);
    const { code } = await within(run.exited, WAIT_MS, 'the process to exit', run);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    for (const path of ['clients[1].callbacks', 'connections[0].options.totp.length', 'users[0].email']) expect(run.stderr()).toContain(path);
    expect(run.stderr()).toContain(file);
    // Unknown keys are no error, and a configuration problem is not reported as a crash.
    expect(run.stderr()).not.toContain('custom_login_page');
    expect(run.stderr()).not.toMatch(/failed to start|\n\s+at /);
  });

  it('a tenant file with unusable references exits non-zero and names each one; a client missing from enabled_clients is only a warning', async (ctx) => {
    const file = writeTenant(
      'dangling.json',
      JSON.stringify({
        clients: [
          { name: 'One', client_id: 'same', app_type: 'spa' },
          { name: 'Two', client_id: 'same', app_type: 'spa' },
        ],
        connections: [{ name: 'email', strategy: 'email', enabled_clients: ['Three'] }],
        users: [{ connection: 'sms', phone_number: '+15551234567' }],
      }),
    );
    const run = start(ctx, [], { UNDERSTUDY_CONFIG: file });
    const { code } = await within(run.exited, WAIT_MS, 'the process to exit', run);
    expect(code).not.toBe(0);
    for (const path of ['clients[1].client_id', 'users[0].connection']) expect(run.stderr()).toContain(path);
    expect(run.stderr()).not.toContain('enabled_clients');
  });

  it('an app_type outside Auth0\'s enum exits 2, naming clients[i].app_type and the allowed values', async (ctx) => {
    const file = writeTenant('spaceship.yaml', `clients:\n  - name: Okay\n    app_type: sso_integration\n  - name: Rocket\n    app_type: spaceship\n`);
    const run = start(ctx, ['--config', file]);
    const { code } = await within(run.exited, WAIT_MS, 'the process to exit', run);
    expect(code).toBe(2);
    expect(run.stderr()).toContain('clients[1].app_type: "spaceship" is not an Auth0 app type; allowed: native, spa, regular_web, non_interactive,');
    expect(run.stderr()).toContain('sso_integration');
    expect(run.stderr()).not.toContain('clients[0]');
  });

  it('a Deploy CLI export with a keyword and no mapping exits 2 naming the keyword and how to map it; with --keywords it serves', async (ctx) => {
    const file = writeTenant('keywords.yaml', `tenant:\n  friendly_name: ##TENANT##\nclients:\n  - name: Keyword SPA\n    client_id: keyword-spa\n    app_type: spa\n    callbacks: @@CALLBACKS@@\n`);
    const missing = start(ctx, ['--config', file]);
    const { code } = await within(missing.exited, WAIT_MS, 'the process to exit', missing);
    expect(code).toBe(2);
    expect(missing.stderr()).toContain('@@CALLBACKS@@ (line 7) has no mapping');
    expect(missing.stderr()).toContain('--keywords');

    const config = writeTenant('config.json', JSON.stringify({ AUTH0_KEYWORD_REPLACE_MAPPINGS: { TENANT: 'Keyword Tenant', CALLBACKS: ['http://localhost:3000/callback'] } }));
    const run = start(ctx, ['--config', file, '--keywords', config]);
    const log = JSON.parse(await waitForLine(run, 'issuer')) as { msg: string };
    expect(log.msg).toContain('serving "Keyword Tenant"');
    expect(log.msg).toContain('keyword-spa');
    run.child.kill('SIGTERM');
    await within(run.exited, STOP_MS, 'the process to exit after SIGTERM', run);
  });

  it('an overlay pins the real client_id of an export that has none; an overlay name that matches nothing exits 2 naming it', async (ctx) => {
    const exported = writeTenant('export.yaml', `clients:\n  - name: Acme SPA\n    app_type: spa\n    callbacks: ['http://localhost:3000/callback']\nconnections:\n  - name: email\n    strategy: email\n`);
    const typo = writeTenant('typo-overlay.yaml', `clients:\n  - name: Acme Spa\n    client_id: pinnedRealClientId\n`);
    const refused = start(ctx, ['--config', exported, '--overlay', typo]);
    expect((await within(refused.exited, WAIT_MS, 'the process to exit', refused)).code).toBe(2);
    expect(refused.stderr()).toContain('clients[0].name: "Acme Spa" matches no client in the export');

    const overlay = writeTenant('overlay.yaml', `clients:\n  - name: Acme SPA\n    client_id: pinnedRealClientId\n`);
    const run = start(ctx, ['--config', exported], { UNDERSTUDY_OVERLAY: overlay });
    const log = JSON.parse(await waitForLine(run, 'issuer')) as { port: number; msg: string };
    expect(log.msg).toContain('client_id=pinnedRealClientId');
    expect(log.msg).toContain(`with the overlay ${overlay}`);
    const query = new URLSearchParams({ client_id: 'pinnedRealClientId', redirect_uri: 'http://localhost:3000/callback', response_type: 'code', scope: 'openid', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' });
    const authorize = await fetch(`http://127.0.0.1:${log.port}/authorize?${query}`, { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    expect(authorize.headers.get('location')).toMatch(/^\/u\/login\/identifier\?state=/);
    run.child.kill('SIGTERM');
    await within(run.exited, STOP_MS, 'the process to exit after SIGTERM', run);
  });

  it('--config <folder> serves a Deploy CLI directory export; a folder that is not one exits 2 saying so', async (ctx) => {
    const { mkdirSync } = await import('node:fs');
    const exportDir = join(dir, 'dir-export');
    mkdirSync(join(exportDir, 'clients'), { recursive: true });
    mkdirSync(join(exportDir, 'connections'), { recursive: true });
    writeFileSync(join(exportDir, 'tenant.json'), JSON.stringify({ friendly_name: 'Directory Tenant' }));
    writeFileSync(join(exportDir, 'clients', 'Dir SPA.json'), JSON.stringify({ name: 'Dir SPA', client_id: 'dir-spa', app_type: 'spa', callbacks: ['http://localhost:3000/callback'] }));
    writeFileSync(join(exportDir, 'connections', 'email.json'), JSON.stringify({ name: 'email', strategy: 'email' }));
    const run = start(ctx, ['--config', exportDir]);
    const log = JSON.parse(await waitForLine(run, 'issuer')) as { msg: string };
    expect(log.msg).toContain('serving "Directory Tenant"');
    expect(log.msg).toContain('client_id=dir-spa');
    run.child.kill('SIGTERM');
    await within(run.exited, STOP_MS, 'the process to exit after SIGTERM', run);

    const notAnExport = join(dir, 'not-an-export');
    mkdirSync(notAnExport, { recursive: true });
    const refused = start(ctx, ['--config', notAnExport]);
    expect((await within(refused.exited, WAIT_MS, 'the process to exit', refused)).code).toBe(2);
    expect(refused.stderr()).toContain('not a Deploy CLI directory export');
  });

  it('a tenant file that does not exist exits non-zero and names the file', async (ctx) => {
    const missing = join(dir, 'no-such-tenant.yaml');
    const run = start(ctx, ['--config', missing]);
    const { code } = await within(run.exited, WAIT_MS, 'the process to exit', run);
    expect(code).not.toBe(0);
    expect(run.stderr()).toContain(missing);
  });

  it('a bad environment exits non-zero and names each variable and argument', async (ctx) => {
    const run = start(ctx, ['--verbose'], { PORT: 'eighty', UNDERSTUDY_DEV_ROUTES: 'perhaps' });
    const { code } = await within(run.exited, WAIT_MS, 'the process to exit', run);
    expect(code).not.toBe(0);
    for (const name of ['PORT', 'UNDERSTUDY_DEV_ROUTES', '--verbose']) expect(run.stderr()).toContain(name);
  });
});

describe('start-up with a good configuration', SPAWN_TEST, () => {
  it('serves /healthz on the port it prints, warns about unknown keys, and exits 0 promptly on SIGTERM', async (ctx) => {
    const file = writeTenant(
      'good.yaml',
      `
tenant:
  friendly_name: Startup Test
clients:
  - name: Startup SPA
    client_id: startup-spa
    app_type: spa
    callbacks: ['http://localhost:3000/callback']
    custom_login_page_on: false
  - name: Startup SSO integration
    client_id: startup-sso
    app_type: sso_integration
connections:
  - name: email
    strategy: email
`,
    );
    const run = start(ctx, ['--config', file], { ISSUER_BASE_URL: 'http://127.0.0.1:4999' });
    const line = await waitForLine(run, 'issuer');
    const log = JSON.parse(line) as { issuer: string; port: number; msg: string };
    expect(log.issuer).toBe('http://127.0.0.1:4999/');
    expect(log.port).toBeGreaterThan(0);
    expect(log.msg).toContain(`listening on  http://127.0.0.1:${log.port}`);
    expect(log.msg).toContain('startup-spa');
    expect(log.msg).toContain('startup-sso');
    // A key with no effect on logins is counted, not named (LOG_LEVEL=debug names it).
    expect(run.stdout()).toContain('1 other tenant key(s) have no effect here (such as clients[0].custom_login_page_on)');

    const health = await fetch(`http://127.0.0.1:${log.port}/healthz`, { signal: AbortSignal.timeout(WAIT_MS) });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    run.child.kill('SIGTERM');
    const { code, signal } = await within(run.exited, STOP_MS, 'the process to exit after SIGTERM', run);
    // Exit code 0 is a clean close: the server's own fallback, after 10 s, exits with 1.
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('starts the embedded default tenant without a tenant file', async (ctx) => {
    const run = start(ctx, []);
    const log = JSON.parse(await waitForLine(run, 'issuer')) as { port: number; msg: string };
    expect(log.msg).toContain('understudy-spa');
    expect(log.msg).toContain('understudy-web');
    const discovery = await fetch(`http://127.0.0.1:${log.port}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(WAIT_MS) });
    expect(discovery.status).toBe(200);
    run.child.kill('SIGTERM');
    expect((await within(run.exited, STOP_MS, 'the process to exit after SIGTERM', run)).code).toBe(0);
  });
});
