// @ts-check
'use strict';
/**
 * The process that runs one of a tenant's Actions, apart from the server and from every other
 * action. The server starts it with Node's permission model (no file writes, no child processes, no
 * workers, reads only of this file and the export's node_modules) and an empty environment, so the
 * action cannot read the server's secrets, its data folder, its memory, or another action's events.
 * It is plain CommonJS with no imports of the project's own, so the same file runs from src/ under
 * the tests and from dist/ in the package.
 *
 * Before the action's code loads, this process takes away what the permission model leaves open:
 * signals to other processes (process.kill), renicing them (os.setPriority), sending on the IPC
 * channel (process.send), V8 flags (v8.setFlagsFromString) and trace files (trace_events, which
 * Node 20 writes despite the read-only file system). The server checks every message anyway.
 *
 * Protocol (IPC, JSON): the server sends `load` once with the action's code, then `run` per
 * execution; the process answers `loaded`, `log` lines while the action runs, and `done` with the
 * list of `api` calls the action made. The server applies those calls: this process only records them.
 */
const Module = require('node:module');
const path = require('node:path');
const util = require('node:util');

/** @typedef {{ name: string, code: string, file: string, requireFrom: string }} ActionSource */
/** @typedef {{ onExecutePostLogin?: Function, onExecuteCredentialsExchange?: Function, onExecutePreUserRegistration?: Function, onExecutePostUserRegistration?: Function, onExecutePostChangePassword?: Function }} ActionExports */

const denied = (/** @type {string} */ what) => () => {
  const error = new Error(`${what} is not allowed for Actions in Understudy`);
  /** @type {any} */ (error).code = 'ERR_ACCESS_DENIED';
  throw error;
};

// The channel to the server, taken before any action code can replace or misuse it.
const ipcSend = /** @type {(message: unknown) => boolean} */ (/** @type {Function} */ (process.send).bind(process));
process.send = denied('process.send');
const ownPid = process.pid;
const rawKill = process.kill.bind(process);
process.kill = /** @type {any} */ ((/** @type {number} */ pid, /** @type {string | number | undefined} */ signal) => {
  if (Number(pid) !== ownPid) return denied('Signalling another process')();
  return rawKill(pid, signal);
});
/** @type {any} */ (process)._kill = denied('Signalling another process');
const os = require('node:os');
const rawSetPriority = os.setPriority.bind(os);
os.setPriority = /** @type {any} */ ((/** @type {number} */ pidOrPriority, /** @type {number | undefined} */ priority) =>
  priority === undefined || Number(pidOrPriority) === 0 || Number(pidOrPriority) === ownPid ? rawSetPriority(pidOrPriority, /** @type {number} */ (priority)) : denied('Changing another process\'s priority')());
require('node:v8').setFlagsFromString = denied('v8.setFlagsFromString');
require('node:trace_events').createTracing = /** @type {any} */ (denied('trace_events'));

const HANDLERS = {
  'post-login': 'onExecutePostLogin',
  'credentials-exchange': 'onExecuteCredentialsExchange',
  'pre-user-registration': 'onExecutePreUserRegistration',
  'post-user-registration': 'onExecutePostUserRegistration',
  'post-change-password': 'onExecutePostChangePassword',
};

/** @type {{ name: string, exports: ActionExports } | undefined} */
let loaded;
/** api.cache: lives as long as this process, as Auth0's cache lives as long as its container. */
/** @type {Map<string, { value: string, expires_at: number }>} */
const cache = new Map();
/** The execution a console line belongs to: set while that execution's synchronous part runs, and kept by async hooks below. */
const { AsyncLocalStorage } = require('node:async_hooks');
/** @type {AsyncLocalStorage<{ id: string, action: string }>} */
const current = new AsyncLocalStorage();

/** Sends a message, or, when a value in it cannot travel as JSON (a BigInt, a circular object), says so at once. */
const send = (/** @type {{ type: string, id?: string }} */ message) => {
  try {
    ipcSend(message);
  } catch (err) {
    if (message.type !== 'done') return;
    const reason = err instanceof Error ? err.message : String(err);
    ipcSend({ type: 'done', id: message.id, calls: [], error: `a value the action passed to api cannot be sent as JSON: ${reason}` });
  }
};

function consoleLine(/** @type {string} */ level, /** @type {unknown[]} */ args) {
  const execution = current.getStore();
  send({ type: 'log', id: execution?.id, level, line: util.format(...args).slice(0, 4000) });
}
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  /** @type {any} */ (console)[level] = (/** @type {unknown[]} */ ...args) => consoleLine(level, args);
}

/** Compiles an action once, as Node compiles a CommonJS module. */
function compile(/** @type {ActionSource} */ source) {
  const wrapper = require('node:vm').compileFunction(source.code, ['exports', 'require', 'module', '__filename', '__dirname'], {
    filename: source.file,
  });
  const module = { exports: /** @type {ActionExports} */ ({}) };
  // Built-ins and the packages installed beside the export (npm i --prefix <export dir>), nothing else.
  const requireFromExport = Module.createRequire(path.join(source.requireFrom, 'package.json'));
  wrapper.call(module.exports, module.exports, requireFromExport, module, source.file, path.dirname(source.file));
  return module.exports;
}

/**
 * The `api` object an action receives. Every call is recorded as [method, ...args]; the server
 * decides what each means for the login. api.cache is answered here, synchronously, as Auth0's is.
 */
function makeApi(/** @type {unknown[][]} */ calls) {
  const record = (/** @type {string} */ method) => (/** @type {unknown[]} */ ...args) => {
    calls.push([method, ...args.map((arg) => (arg === undefined ? null : arg))]);
    return api;
  };
  const api = {
    access: { deny: record('access.deny') },
    idToken: { setCustomClaim: record('idToken.setCustomClaim') },
    accessToken: {
      setCustomClaim: record('accessToken.setCustomClaim'),
      addScope: record('accessToken.addScope'),
      removeScope: record('accessToken.removeScope'),
    },
    user: { setAppMetadata: record('user.setAppMetadata'), setUserMetadata: record('user.setUserMetadata') },
    validation: { error: record('validation.error') },
    multifactor: { enable: record('multifactor.enable') },
    redirect: {
      sendUserTo: record('redirect.sendUserTo'),
      encodeToken: (/** @type {unknown} */ _options) => {
        calls.push(['redirect.encodeToken']);
        return '';
      },
      validateToken: (/** @type {unknown} */ _options) => {
        calls.push(['redirect.validateToken']);
        return {};
      },
    },
    prompt: { render: record('prompt.render') },
    authentication: {
      challengeWith: record('authentication.challengeWith'),
      challengeWithAny: record('authentication.challengeWithAny'),
      enrollWith: record('authentication.enrollWith'),
      enrollWithAny: record('authentication.enrollWithAny'),
      recordMethod: record('authentication.recordMethod'),
      setPrimaryUser: record('authentication.setPrimaryUser'),
    },
    session: { revoke: record('session.revoke'), setExpiresAt: record('session.setExpiresAt'), setIdleExpiresAt: record('session.setIdleExpiresAt'), setMetadata: record('session.setMetadata'), deleteMetadata: record('session.deleteMetadata'), evictMetadata: record('session.evictMetadata') },
    refreshToken: { revoke: record('refreshToken.revoke'), setExpiresAt: record('refreshToken.setExpiresAt'), setIdleExpiresAt: record('refreshToken.setIdleExpiresAt'), setMetadata: record('refreshToken.setMetadata'), deleteMetadata: record('refreshToken.deleteMetadata') },
    samlResponse: { setAttribute: record('samlResponse.setAttribute') },
    transaction: { setResultUrl: record('transaction.setResultUrl') },
    rules: { wasExecuted: (/** @type {string} */ _ruleId) => false },
    cache: {
      get(/** @type {string} */ key) {
        const entry = cache.get(String(key));
        if (!entry) return undefined;
        if (entry.expires_at <= Date.now()) {
          cache.delete(String(key));
          return undefined;
        }
        return { ...entry };
      },
      set(/** @type {string} */ key, /** @type {string} */ value, /** @type {{ ttl?: number, expires_at?: number } | undefined} */ options) {
        const expiresAt = options?.expires_at ?? Date.now() + (options?.ttl ?? 15 * 60_000);
        const record = { value: String(value), expires_at: expiresAt };
        cache.set(String(key), record);
        return { type: 'success', record: { ...record } };
      },
      delete(/** @type {string} */ key) {
        const existed = cache.delete(String(key));
        return { type: 'success', record: existed ? { key } : undefined };
      },
    },
  };
  return api;
}

/** @param {{ id: string, trigger: keyof typeof HANDLERS, event: unknown }} message */
async function run(message) {
  /** @type {unknown[][]} */
  const calls = [];
  const handlerName = HANDLERS[message.trigger];
  const handler = loaded?.exports[/** @type {keyof ActionExports} */ (handlerName)];
  if (typeof handler !== 'function') {
    send({ type: 'done', id: message.id, calls, error: `the action does not export ${handlerName}` });
    return;
  }
  try {
    await current.run({ id: message.id, action: loaded?.name ?? '' }, () => handler(message.event, makeApi(calls)));
    send({ type: 'done', id: message.id, calls });
  } catch (err) {
    send({ type: 'done', id: message.id, calls, error: err instanceof Error ? err.message : String(err) });
  }
}

process.on('message', (/** @type {any} */ message) => {
  if (message?.type === 'load' && !loaded) {
    const source = /** @type {ActionSource} */ (message.action);
    try {
      loaded = { name: source.name, exports: compile(source) };
      send({ type: 'loaded' });
    } catch (err) {
      send({ type: 'loaded', error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
  } else if (message?.type === 'run') {
    void run(message);
  }
});

// The action's stray rejection or throw from a timer must not end the process: it is reported as a log line.
process.on('unhandledRejection', (reason) => consoleLine('error', ['Unhandled rejection:', reason]));
process.on('uncaughtException', (err) => consoleLine('error', ['Uncaught exception:', err]));
process.on('disconnect', () => process.exit(0));
