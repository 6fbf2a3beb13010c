'use strict';
/**
 * understudy/resolve: `node --require understudy/resolve …` (or NODE_OPTIONS='--require understudy/resolve')
 * makes this Node process, and the processes it starts with the same NODE_OPTIONS, resolve Understudy's
 * host name to loopback without an /etc/hosts entry. SDKs that refuse `localhost` and ports, such as
 * nextjs-auth0 4.17+, then reach Understudy at https://understudy.test/ on this machine.
 *
 * The names: UNDERSTUDY_HOSTS (comma-separated) when set, else the hosts of the SDK settings that name
 * the tenant (AUTH0_DOMAIN, AUTH0_ISSUER_BASE_URL, ISSUER_BASE_URL, AUTH_AUTH0_ISSUER). They are read at
 * each lookup, not at load: Next.js puts `.env.local` into process.env after the process has started.
 * Only those exact names change; every other name resolves as before. Node's `net` and `tls` (and so
 * `http`, `https` and the built-in fetch, which is undici on `net`) look names up through dns.lookup,
 * which this replaces. It is CommonJS so that `--require` loads it before any ES module of the app.
 */
const dns = require('node:dns');
const { promisify } = require('node:util');

const SETTINGS = ['AUTH0_DOMAIN', 'AUTH0_ISSUER_BASE_URL', 'ISSUER_BASE_URL', 'AUTH_AUTH0_ISSUER'];

/** A bare host name from `understudy.test`, `understudy.test:443` or `https://understudy.test/`. */
function hostOf(value) {
  const text = String(value).trim();
  if (!text) return undefined;
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

function configuredHosts(env) {
  const explicit = (env.UNDERSTUDY_HOSTS ?? '').split(',').map(hostOf).filter(Boolean);
  if (explicit.length) return explicit;
  return SETTINGS.map((name) => env[name]).filter(Boolean).map(hostOf).filter(Boolean);
}

/** Loopback in the family asked for (IPv4 unless only IPv6 will do), in dns.lookup's two answer shapes. */
function loopback(options) {
  const family = options.family === 6 || options.family === 'IPv6' ? 6 : 4;
  const address = family === 6 ? '::1' : '127.0.0.1';
  return options.all ? [{ address, family }] : { address, family };
}

let warned = false;

/** The configured names as a set, computed again only when the settings change. */
let cached = { key: undefined, names: new Set() };
function configuredNames() {
  const key = ['UNDERSTUDY_HOSTS', ...SETTINGS].map((name) => process.env[name] ?? '').join('\n');
  if (key !== cached.key) cached = { key, names: new Set(configuredHosts(process.env)) };
  if (!cached.names.size && !warned) {
    warned = true;
    process.emitWarning('understudy/resolve: no host name set (UNDERSTUDY_HOSTS, e.g. understudy.test, or AUTH0_DOMAIN) at this lookup; names resolve as usual', 'UnderstudyWarning');
  }
  return cached.names;
}

const isConfigured = (hostname) => typeof hostname === 'string' && configuredNames().has(hostname.toLowerCase());

function install() {
  if (dns.lookup.understudyResolve) return;
  const originalLookup = dns.lookup;
  const lookup = function lookup(hostname, options, callback) {
    if (typeof options === 'function') [callback, options] = [options, {}];
    const normalized = typeof options === 'number' ? { family: options } : (options ?? {});
    if (!isConfigured(hostname)) return originalLookup.call(this, hostname, options, callback);
    const answer = loopback(normalized);
    process.nextTick(() => (normalized.all ? callback(null, answer) : callback(null, answer.address, answer.family)));
    return undefined;
  };
  const originalPromise = dns.promises.lookup;
  const lookupPromise = function lookup(hostname, options) {
    const normalized = typeof options === 'number' ? { family: options } : (options ?? {});
    if (!isConfigured(hostname)) return originalPromise.call(this, hostname, options);
    return Promise.resolve(loopback(normalized));
  };
  // util.promisify(dns.lookup) answers { address, family } as it does for Node's own lookup.
  lookup[promisify.custom] = lookupPromise;
  lookup.understudyResolve = true;
  dns.lookup = lookup;
  dns.promises.lookup = lookupPromise;
}

install();

/** The host names this process resolves to loopback now. */
module.exports = {
  get hosts() {
    return [...configuredNames()];
  },
};
