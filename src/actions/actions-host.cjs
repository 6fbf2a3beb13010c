// @ts-check
'use strict';
/**
 * The process that runs a tenant's Action code, apart from the server. The server starts it with
 * Node's permission model (no file writes, no child processes, no workers, reads only of this file and
 * the export's node_modules) and an empty environment, so an action cannot read the server's
 * secrets, its data folder or its memory. It is plain CommonJS with no imports of the project's own,
 * so the same file runs from src/ under the tests and from dist/ in the package.
 *
 * Protocol (IPC, JSON): the server sends `load` once with every action's code, then `run` per
 * execution; the host answers `loaded`, `log` lines while an action runs, and `done` with the list of
 * `api` calls the action made. The server applies those calls: the host only records them.
 */
const Module = require('node:module');
const path = require('node:path');
const util = require('node:util');

/** @typedef {{ name: string, code: string, file: string, requireFrom: string }} ActionSource */
/** @typedef {{ onExecutePostLogin?: Function, onExecuteCredentialsExchange?: Function, onExecutePreUserRegistration?: Function, onExecutePostUserRegistration?: Function }} ActionExports */

const HANDLERS = {
  'post-login': 'onExecutePostLogin',
  'credentials-exchange': 'onExecuteCredentialsExchange',
  'pre-user-registration': 'onExecutePreUserRegistration',
  'post-user-registration': 'onExecutePostUserRegistration',
};

/** @type {Map<string, ActionExports>} */
const loaded = new Map();
/** Per-action api.cache: lives as long as this process, as Auth0's cache lives as long as its container. */
/** @type {Map<string, Map<string, { value: string, expires_at: number }>>} */
const caches = new Map();
/** The execution a console line belongs to: set while that execution's synchronous part runs, and kept by async hooks below. */
const { AsyncLocalStorage } = require('node:async_hooks');
/** @type {AsyncLocalStorage<{ id: string, action: string }>} */
const current = new AsyncLocalStorage();

const send = (/** @type {unknown} */ message) => {
  if (process.send) process.send(message);
};

function consoleLine(/** @type {string} */ level, /** @type {unknown[]} */ args) {
  const execution = current.getStore();
  send({ type: 'log', id: execution?.id, action: execution?.action, level, line: util.format(...args).slice(0, 4000) });
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

function cacheFor(/** @type {string} */ action) {
  let cache = caches.get(action);
  if (!cache) caches.set(action, (cache = new Map()));
  return cache;
}

/**
 * The `api` object an action receives. Every call is recorded as [method, ...args]; the server
 * decides what each means for the login. api.cache is answered here, synchronously, as Auth0's is.
 */
function makeApi(/** @type {string} */ action, /** @type {unknown[][]} */ calls) {
  const record = (/** @type {string} */ method) => (/** @type {unknown[]} */ ...args) => {
    calls.push([method, ...args.map((arg) => (arg === undefined ? null : arg))]);
    return api;
  };
  const cache = cacheFor(action);
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

/** @param {{ id: string, action: string, trigger: keyof typeof HANDLERS, event: unknown }} message */
async function run(message) {
  /** @type {unknown[][]} */
  const calls = [];
  const action = loaded.get(message.action);
  const handlerName = HANDLERS[message.trigger];
  const handler = action?.[/** @type {keyof ActionExports} */ (handlerName)];
  if (typeof handler !== 'function') {
    send({ type: 'done', id: message.id, calls, error: { message: `the action does not export ${handlerName}` } });
    return;
  }
  try {
    await current.run({ id: message.id, action: message.action }, () => handler(message.event, makeApi(message.action, calls)));
    send({ type: 'done', id: message.id, calls });
  } catch (err) {
    const error = err instanceof Error ? { message: err.message, name: err.name } : { message: String(err) };
    send({ type: 'done', id: message.id, calls, error });
  }
}

process.on('message', (/** @type {any} */ message) => {
  if (message?.type === 'load') {
    /** @type {{ name: string, message: string }[]} */
    const errors = [];
    for (const source of /** @type {ActionSource[]} */ (message.actions)) {
      try {
        loaded.set(source.name, compile(source));
      } catch (err) {
        errors.push({ name: source.name, message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      }
    }
    send({ type: 'loaded', errors });
  } else if (message?.type === 'run') {
    void run(message);
  }
});

// An action's stray rejection or throw from a timer must not end the host: it is reported as a log line.
process.on('unhandledRejection', (reason) => consoleLine('error', ['Unhandled rejection:', reason]));
process.on('uncaughtException', (err) => consoleLine('error', ['Uncaught exception:', err]));
process.on('disconnect', () => process.exit(0));
