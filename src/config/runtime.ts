import { isIP } from 'node:net';
import { isLoopbackHost } from '../http/loopback.js';

export { isLoopbackHost };
import { parseConnectionLimits, type ConnectionLimits } from './connection-limits.js';
import { loadKeywordMappings, type KeywordMappings } from './keywords.js';
import { ConfigError } from './config-error.js';
import { parseStoreSetting, type StoreSetting } from './store-setting.js';
import { parseTlsConfig, type TlsConfig } from './tls-options.js';

/**
 * Process settings, read from the environment and the command line exactly once, in src/server.ts.
 * Nothing else in Understudy reads process.env.
 */
export interface RuntimeConfig {
  port: number;
  host: string;
  /** Always ends with '/', as Auth0's `iss`. */
  issuer: string;
  dataDir: string;
  tenantPath: string | undefined;
  devRoutes: boolean;
  logLevel: string;
  /** `pretty` for people, `json` for machines; `auto` picks pretty on a terminal. */
  logFormat: 'auto' | 'pretty' | 'json';
  signingKey: string | undefined;
  /** HTTPS mode; undefined serves plain HTTP. */
  tls: TlsConfig | undefined;
  /** UNDERSTUDY_RATE_LIMITS=off turns every rate limit off (load tests); the tenant file tunes them. */
  rateLimits: boolean;
  /** Which proxies' X-Forwarded-For to believe, in Fastify's `trustProxy` forms; false believes none. */
  trustProxy: TrustProxy;
  /** How many messages the dev mailbox keeps; the oldest go first. */
  mailboxLimit: number;
  /** When set, /_dev/api/* and the mailbox page need `Authorization: Bearer <token>` (the page also takes ?token=). */
  devToken: string | undefined;
  /** UNDERSTUDY_DEV_HOSTS: host names besides the issuer's and loopback that the dev routes answer on. */
  devHosts: string[];
  connections: ConnectionLimits;
  /**
   * UNDERSTUDY_STORE: where users, sessions, codes and the mailbox live. Undefined when unset: then the
   * tenant file's `store` decides, else memory (src/config/store-setting.ts `chooseStore`).
   */
  store: StoreSetting | undefined;
  /** --seed <file> / UNDERSTUDY_SEED: a snapshot (GET /_dev/api/snapshot) loaded at start. */
  seedPath: string | undefined;
  /** --overlay <file> / UNDERSTUDY_OVERLAY: tenant-file keys merged onto the tenant file (config/overlay.ts). */
  overlayPath: string | undefined;
  /** Deploy CLI keyword mappings (config/keywords.ts): --keywords <config.json> / UNDERSTUDY_KEYWORDS, or AUTH0_KEYWORD_REPLACE_MAPPINGS. */
  keywords: KeywordMappings | undefined;
}

export type { StoreSetting } from './store-setting.js';

/** Fastify's trustProxy: every proxy (true), none (false), a hop count, or addresses and CIDR ranges. */
export type TrustProxy = boolean | number | string;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadRuntimeConfig(env: NodeJS.ProcessEnv, argv: string[] = []): RuntimeConfig {
  const problems: string[] = [];
  const args = parseArgs(argv, problems);

  const port = parsePort(env.PORT?.trim() || '4000', problems);
  const host = env.HOST?.trim() || 'localhost';
  const httpsEnv = env.UNDERSTUDY_HTTPS?.trim() ? parseBoolean('UNDERSTUDY_HTTPS', env.UNDERSTUDY_HTTPS.trim(), false, problems) : undefined;
  const tls = parseTlsConfig(
    { flag: args.https === true, https: httpsEnv, hosts: env.UNDERSTUDY_TLS_HOSTS, cert: env.UNDERSTUDY_TLS_CERT, key: env.UNDERSTUDY_TLS_KEY },
    problems,
  );
  const issuer = normalizeIssuer(env.ISSUER_BASE_URL ?? `${tls ? 'https' : 'http'}://localhost:${port}/`, problems);
  if (tls && issuer.startsWith('http:')) problems.push(`ISSUER_BASE_URL: must be https:// in HTTPS mode (--https / UNDERSTUDY_HTTPS), got "${env.ISSUER_BASE_URL}"`);
  // The issuer's own host is always among the names the generated certificate covers.
  if (tls?.source === 'local-ca' && issuer.startsWith('https:')) tls.hosts.push(new URL(issuer).hostname);
  const devRoutes = parseBoolean('UNDERSTUDY_DEV_ROUTES', env.UNDERSTUDY_DEV_ROUTES, true, problems);
  const logLevel = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);

  const logFormat = (env.LOG_FORMAT ?? 'auto').toLowerCase();
  if (logFormat !== 'auto' && logFormat !== 'pretty' && logFormat !== 'json') {
    problems.push(`LOG_FORMAT: must be auto, pretty or json, got "${env.LOG_FORMAT}"`);
  }

  const rateLimits = parseBoolean('UNDERSTUDY_RATE_LIMITS', env.UNDERSTUDY_RATE_LIMITS?.trim(), true, problems);
  const trustProxy = parseTrustProxy(env.UNDERSTUDY_TRUST_PROXY?.trim() ?? '', problems);
  const mailboxLimit = parseMailboxLimit(env.UNDERSTUDY_MAILBOX_LIMIT?.trim() || '1000', problems);
  const devToken = env.UNDERSTUDY_DEV_TOKEN?.trim() || undefined;
  if (devToken !== undefined && devToken.length < 16) problems.push('UNDERSTUDY_DEV_TOKEN: must be at least 16 characters, so it cannot be guessed');
  const devHosts = (env.UNDERSTUDY_DEV_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const name of devHosts) {
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(name) && isIP(name) === 0) problems.push(`UNDERSTUDY_DEV_HOSTS: "${name}" is not a host name (no scheme or port), e.g. understudy,mailbox.example.test`);
  }
  const connections = parseConnectionLimits(env, problems);
  const dataDir = env.UNDERSTUDY_DATA_DIR?.trim() || './.understudy';
  const storeValue = env.UNDERSTUDY_STORE?.trim() ?? '';
  const store = storeValue ? parseStoreSetting(storeValue, { name: 'UNDERSTUDY_STORE', dataDir }, problems) : undefined;

  if (problems.length) throw new ConfigError('the environment', problems);
  const keywords = loadKeywordMappings(args.keywords ?? (env.UNDERSTUDY_KEYWORDS?.trim() || undefined), env.AUTH0_KEYWORD_REPLACE_MAPPINGS);
  return {
    port,
    host,
    issuer,
    dataDir,
    tenantPath: args.config ?? (env.UNDERSTUDY_CONFIG?.trim() || undefined),
    devRoutes,
    logLevel,
    logFormat: logFormat as RuntimeConfig['logFormat'],
    signingKey: env.UNDERSTUDY_SIGNING_KEY?.trim() || undefined,
    tls,
    rateLimits,
    trustProxy,
    mailboxLimit,
    devToken,
    devHosts,
    connections,
    store,
    seedPath: args.seed ?? (env.UNDERSTUDY_SEED?.trim() || undefined),
    keywords,
    overlayPath: args.overlay ?? (env.UNDERSTUDY_OVERLAY?.trim() || undefined),
  };
}

type Args = { config?: string; https?: boolean; seed?: string; keywords?: string; overlay?: string };
type FileArg = 'config' | 'seed' | 'keywords' | 'overlay';

/** The options that take a file: `--name <file>` or `--name=<file>`, and what to say when the file is missing. */
const FILE_ARGS: Record<string, { key: FileArg; needs: string }> = {
  '--config': { key: 'config', needs: 'a file path' },
  '-c': { key: 'config', needs: 'a file path' },
  '--seed': { key: 'seed', needs: 'a snapshot file (GET /_dev/api/snapshot writes one)' },
  '--overlay': { key: 'overlay', needs: 'a file of tenant-file keys to merge onto the tenant file' },
  '--keywords': { key: 'keywords', needs: 'a Deploy CLI config.json with AUTH0_KEYWORD_REPLACE_MAPPINGS' },
};

function parseArgs(argv: string[], problems: string[]): Args {
  const out: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const file = FILE_ARGS[name];
    if (file) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (!value) problems.push(`${name === '-c' ? '--config' : name}: needs ${file.needs}`);
      else out[file.key] = value;
    } else if (arg === '--https') {
      out.https = true;
    } else {
      problems.push(`${arg}: unknown argument (known: --config <tenant.yaml>, --overlay <file>, --keywords <config.json>, --https, --seed <snapshot.json>)`);
    }
  }
  return out;
}

function parsePort(value: string, problems: string[]): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`PORT: must be an integer from 0 to 65535, got "${value}"`);
    return 0;
  }
  return port;
}

function parseBoolean(name: string, value: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  problems.push(`${name}: must be true or false, got "${value}"`);
  return fallback;
}

/**
 * UNDERSTUDY_TRUST_PROXY in the forms Fastify's trustProxy takes: true/false, a hop count, or a
 * comma-separated list of addresses, CIDR ranges and proxy-addr's names (loopback, linklocal, uniquelocal).
 */
function parseTrustProxy(value: string, problems: string[]): TrustProxy {
  if (value === '') return false;
  if (/^(true|yes|on)$/i.test(value)) return true;
  if (/^(false|no|off)$/i.test(value)) return false;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !isProxyAddress(e));
  if (bad.length) {
    problems.push(`UNDERSTUDY_TRUST_PROXY: must be true, false, a hop count, or addresses and CIDR ranges separated by commas; not understood: ${bad.map((b) => `"${b}"`).join(', ')}`);
    return false;
  }
  return entries.join(',');
}

function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function parseMailboxLimit(value: string, problems: string[]): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > 1_000_000) {
    problems.push(`UNDERSTUDY_MAILBOX_LIMIT: must be an integer from 1 to 1000000, got "${value}"`);
    return 1000;
  }
  return limit;
}

export function normalizeIssuer(value: string, problems: string[] = []): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`ISSUER_BASE_URL: must be an absolute http(s) URL, got "${value}"`);
    return value;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`ISSUER_BASE_URL: must use http or https, got "${value}"`);
  }
  if (url.search || url.hash) problems.push(`ISSUER_BASE_URL: must not carry a query or fragment, got "${value}"`);
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return `${url.origin}${path}`;
}
