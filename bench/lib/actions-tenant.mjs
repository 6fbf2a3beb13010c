// The tenant of the Actions figures: the bench tenant written as a Deploy CLI directory export (the
// layout `a0deploy export --format directory` writes) with two post-login Actions, and its twin with
// the triggers emptied, so the two servers differ in nothing but the bound actions. Also the check
// that a login's ID token carries the actions' claims (or, without Actions, none of them), and where
// to find the Actions host process under a server.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FlowError } from './flows.mjs';

const NS = 'https://bench.example/';

/** The two actions, in trigger order: three claims from the event, then one from the user's roles. */
export const BENCH_ACTIONS = [
  {
    name: 'Bench claims',
    summary: 'three ID-token claims from event.user.email, event.connection.name and event.client.name',
    code: `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('${NS}email', event.user.email);
  api.idToken.setCustomClaim('${NS}connection', event.connection.name);
  api.idToken.setCustomClaim('${NS}client', event.client.name);
};
`,
  },
  {
    name: 'Bench roles',
    summary: 'an ID-token claim with event.authorization.roles',
    code: `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('${NS}roles', event.authorization.roles);
};
`,
  },
];

const CLAIMS = ['email', 'connection', 'client', 'roles'].map((name) => NS + name);

/**
 * Writes `<dir>/with-actions` and `<dir>/without-actions` from the bench's tenant object (clients,
 * connections, resourceServers): the same files, but triggers/triggers.json binds both actions to
 * post-login in one and binds nothing in the other.
 */
export function writeActionsExports(dir, tenant) {
  const write = (root, path, content) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  };
  const exportWith = (root, bound) => {
    write(root, 'tenant.json', tenant.tenant);
    for (const client of tenant.clients) write(root, `clients/${client.name}.json`, client);
    for (const connection of tenant.connections) write(root, `connections/${connection.name}.json`, connection);
    for (const api of tenant.resourceServers) write(root, `resource-servers/${api.name}.json`, api);
    for (const action of BENCH_ACTIONS) {
      write(root, `actions/${action.name}/code.js`, action.code);
      write(root, `actions/${action.name}.json`, {
        name: action.name,
        code: `./actions/${action.name}/code.js`,
        runtime: 'node22',
        status: 'built',
        deployed: true,
        dependencies: [],
        secrets: [],
        supported_triggers: [{ id: 'post-login', version: 'v3' }],
      });
    }
    write(root, 'triggers/triggers.json', bound ? { 'post-login': BENCH_ACTIONS.map((a) => ({ action_name: a.name, display_name: a.name })) } : {});
    return root;
  };
  return { withActions: exportWith(join(dir, 'with-actions'), true), withoutActions: exportWith(join(dir, 'without-actions'), false) };
}

const payloadOf = (jwt) => JSON.parse(Buffer.from(String(jwt).split('.')[1] ?? '', 'base64url').toString());

/**
 * Checks one login's tokens: with Actions, the ID token carries the four claims with the values the
 * event should have given them (so a server that skipped the actions, or ran them with an empty event,
 * fails the login); without, it carries none. A base64 decode and a JSON parse: microseconds.
 */
export function checkActionClaims(tokens, { email, clientName, withActions }) {
  const id = payloadOf(tokens.id_token);
  if (!withActions) {
    const stray = CLAIMS.filter((claim) => claim in id);
    if (stray.length) throw new FlowError(`server without Actions issued ${stray.join(', ')}`);
    return;
  }
  const wrong = [];
  if (id[`${NS}email`] !== email) wrong.push(`email=${id[`${NS}email`]}`);
  if (id[`${NS}connection`] !== 'email') wrong.push(`connection=${id[`${NS}connection`]}`);
  if (id[`${NS}client`] !== clientName) wrong.push(`client=${id[`${NS}client`]}`);
  if (!Array.isArray(id[`${NS}roles`])) wrong.push(`roles=${JSON.stringify(id[`${NS}roles`])}`);
  if (wrong.length) throw new FlowError(`ID token without the actions' claims: ${wrong.join(', ')}`);
}

/**
 * The pid of the Actions host a server started (a child process running actions-host.cjs), from
 * /proc/<pid>/task/<tid>/children; undefined when there is none (no bound actions) or no /proc.
 */
export function actionsHostPids(serverPid) {
  const found = [];
  try {
    for (const tid of readdirSync(`/proc/${serverPid}/task`)) {
      const children = readFileSync(`/proc/${serverPid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      for (const pid of children) {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('actions-host.cjs')) found.push(Number(pid));
      }
    }
  } catch {
    return found;
  }
  return found.sort((a, b) => a - b);
}
