import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA, exchangeCode, passwordlessLogin } from '../support/flows.js';
import { writeActionsExport, type ExportAction, type WrittenExport } from '../support/actions-export.js';
import { buildTenant } from '../../src/config/tenant-file.js';
import { ConfigError } from '../../src/config/config-error.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { createManualClock } from '../../src/clock.js';

/**
 * What an action's code can and cannot reach. The actions run in their own Node process under the
 * permission model, with an empty environment: the server's secrets, its files and its programs are
 * out of reach, while the packages installed beside the export (npm i --prefix <export dir>) load.
 * Code that cannot start stops start-up naming the action.
 */
const CLIENT = { name: 'Harbor SPA', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], web_origins: ['http://localhost:3000'] };
const EMAIL = { name: 'email', strategy: 'email', enabled_clients: ['Harbor SPA'] };
const exportWith = (actions: ExportAction[]): WrittenExport => writeActionsExport({ actions, clients: [CLIENT], connections: [EMAIL] });

describe('the Actions process', () => {
  let t: TestApp;
  let exported: WrittenExport;
  let outside: string;
  beforeAll(async () => {
    exported = exportWith([
      {
        name: 'Nosy',
        trigger: 'post-login',
        dependencies: [{ name: 'harbor-greeting', version: '1.0.0' }],
        code: `
let runs = 0;
const attempt = (fn) => { try { fn(); return 'allowed'; } catch (err) { return err.code || err.message; } };
exports.onExecutePostLogin = async (event, api) => {
  runs += 1;
  const fs = require('fs');
  api.idToken.setCustomClaim('https://example.com/probe', {
    env: Object.keys(process.env),
    write: attempt(() => fs.writeFileSync(event.secrets.OUTSIDE + '/written.txt', 'x')),
    read: attempt(() => fs.readFileSync(event.secrets.OUTSIDE + '/secret.txt', 'utf8')),
    spawn: attempt(() => require('child_process').execSync('id')),
    worker: attempt(() => new (require('worker_threads').Worker)('1', { eval: true })),
    greeting: require('harbor-greeting')(event.user.email),
    runs,
  });
};`,
      },
    ]);
    outside = join(exported.dir, '..', `${exported.dir.split('/').pop()}-outside`);
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'secret.txt'), 'the server keeps this');
    // A package installed beside the export, as `npm i --prefix <export dir>` leaves it.
    mkdirSync(join(exported.dir, 'node_modules', 'harbor-greeting'), { recursive: true });
    writeFileSync(join(exported.dir, 'node_modules', 'harbor-greeting', 'package.json'), JSON.stringify({ name: 'harbor-greeting', version: '1.0.0', main: 'index.js' }));
    writeFileSync(join(exported.dir, 'node_modules', 'harbor-greeting', 'index.js'), "module.exports = (who) => 'Ahoy, ' + who;");
    const tenant = exported.read() as { actions: { secrets?: unknown[] }[] };
    tenant.actions[0]!.secrets = [{ name: 'OUTSIDE', value: outside }];
    t = await buildTestApp({ tenant, tenantSource: exported.dir });
  });
  afterAll(async () => {
    await t.app.close();
    exported.remove();
  });

  async function probe(email: string): Promise<Record<string, unknown>> {
    const { callback, verifier } = await passwordlessLogin(t.app, { identifier: email });
    const response = await exchangeCode(t.app, { client_id: SPA, code: callback.searchParams.get('code')!, code_verifier: verifier });
    expect(response.statusCode, response.body).toBe(200);
    return decodeJwt(response.json().id_token)['https://example.com/probe'] as Record<string, unknown>;
  }

  it('gives the code no environment, no file writes or reads outside its packages, no programs and no workers', async () => {
    const seen = await probe('nosy@crew.example');
    expect(seen).toMatchObject({ env: [], write: 'ERR_ACCESS_DENIED', read: 'ERR_ACCESS_DENIED', spawn: 'ERR_ACCESS_DENIED', worker: 'ERR_ACCESS_DENIED' });
    expect(existsSync(join(outside, 'written.txt'))).toBe(false);
  });

  it('loads the packages installed beside the export, and runs top-level code once for many logins', async () => {
    const first = await probe('ada@crew.example');
    const second = await probe('ada@crew.example');
    expect(first.greeting).toBe('Ahoy, ada@crew.example');
    expect(Number(second.runs)).toBe(Number(first.runs) + 1);
  });
});

describe('actions that cannot start', () => {
  it('starts without an action whose packages are missing: one command installs every package, and its logins fail with that command', async () => {
    const exported = exportWith([
      { name: 'Sync CRM', trigger: 'post-login', code: "const pad = require('left-pad-crm'); exports.onExecutePostLogin = async () => {};", dependencies: [{ name: 'left-pad-crm', version: '2.1.0' }] },
      { name: 'Audit', trigger: 'post-login', code: "require('audit-sink'); require('left-pad-crm'); exports.onExecutePostLogin = async () => {};", dependencies: [{ name: 'audit-sink', version: '^1.4.0' }, { name: 'left-pad-crm', version: '2.1.0' }] },
    ]);
    const command = `npm i --prefix ${exported.dir} left-pad-crm@2.1.0 audit-sink@^1.4.0`;
    try {
      const { warnings } = buildTenant(exported.read(), exported.dir, 'seed');
      expect(warnings).toContain(`actions "Sync CRM", "Audit": their npm packages are not installed beside the export, so logins through them fail with access_denied until you run: ${command}`);
      const started = await buildTestApp({ tenant: exported.read(), tenantSource: exported.dir });
      try {
        const { callback } = await passwordlessLogin(started.app, { identifier: 'ada@crew.example' });
        expect(Object.fromEntries(callback.searchParams)).toMatchObject({
          error: 'access_denied',
          error_description: `The action "Sync CRM" needs left-pad-crm@2.1.0, not installed beside the export. Run: ${command}`,
        });
      } finally {
        await started.app.close();
      }
    } finally {
      exported.remove();
    }
  });

  it('stops start-up naming an action whose code does not compile', async () => {
    const exported = exportWith([{ name: 'Half written', trigger: 'post-login', code: 'exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim(' }]);
    try {
      const failure = await buildTestApp({ tenant: exported.read(), tenantSource: exported.dir }).then(
        async (started) => {
          await started.app.close();
          return undefined;
        },
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as ConfigError).problems).toEqual([expect.stringMatching(/^the action "Half written" cannot start: SyntaxError: /)]);
    } finally {
      exported.remove();
    }
  });
});

describe('a server that fails to build', () => {
  /** This process's children that run an action's code. */
  const actionProcesses = (): number[] => {
    const found: number[] = [];
    for (const task of readdirSync(`/proc/${process.pid}/task`)) {
      for (const pid of readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('actions-host.cjs')) found.push(Number(pid));
      }
    }
    return found;
  };

  it('does not leave its actions’ processes running when a later step throws', async () => {
    const exported = exportWith([{ name: 'Kept', trigger: 'post-login', code: 'exports.onExecutePostLogin = async () => {};' }]);
    const before = actionProcesses();
    // A store whose every write fails: seeding the tenant's users, after the actions started, throws.
    const store = createMemoryStore(createManualClock(0), { maxMessages: 10 });
    store.insertUser = async () => {
      throw new Error('the disk is full');
    };
    try {
      await expect(buildTestApp({ tenant: { ...(exported.read() as object), users: [{ connection: 'email', email: 'ada@crew.example' }] }, tenantSource: exported.dir, store })).rejects.toThrow('the disk is full');
      expect(actionProcesses().filter((pid) => !before.includes(pid))).toEqual([]);
    } finally {
      exported.remove();
    }
  });
});
