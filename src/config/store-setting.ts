import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from './config-error.js';

/** `memory` (the default), `sqlite:<path>` (one machine), or `redis://host:port/db` (replicas). */
import type { StoreSetting } from '../store/open-store.js';
export type { StoreSetting };

const FORMS = 'must be memory, sqlite:<path> (sqlite: alone for <data folder>/understudy.db) or redis://host:port/db';

/** The store to open, and which setting chose it (for the start-up banner). */
export interface ChosenStore {
  setting: StoreSetting;
  from: 'UNDERSTUDY_STORE' | 'the tenant file' | 'the default';
  /** UNDERSTUDY_STORE was set and the tenant file's `store` too: the variable won. */
  overridesFile: boolean;
}

export interface StoreParseOptions {
  /** The name a problem is reported under: `UNDERSTUDY_STORE` or the tenant file's `store`. */
  name: string;
  /** `sqlite:` alone means `<dataDir>/understudy.db`. */
  dataDir: string;
  /** A relative `sqlite:` path is resolved from this folder; without it, from the working directory. */
  relativeTo?: string;
}

/**
 * One store setting, from UNDERSTUDY_STORE or the tenant file's `store`, in the same forms:
 * `memory` (or nothing), `sqlite:<path>` (`sqlite:` alone keeps the database in the data folder;
 * `sqlite:///abs/path` is read as `/abs/path`), or `redis://host:port/db` / `rediss://`.
 */
export function parseStoreSetting(value: string, options: StoreParseOptions, problems: string[]): StoreSetting {
  const { name } = options;
  if (value === '' || value.toLowerCase() === 'memory') return { kind: 'memory' };
  if (value.toLowerCase().startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) return { kind: 'sqlite', path: join(options.dataDir, 'understudy.db') };
    return { kind: 'sqlite', path: options.relativeTo !== undefined && !isAbsolute(path) ? resolve(options.relativeTo, path) : path };
  }
  if (/^rediss?:\/\//i.test(value)) {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      // Reported below.
    }
    const db = url?.pathname.replace(/^\//, '') ?? '';
    if (!url?.hostname || (url.port !== '' && !/^\d+$/.test(url.port)) || (db !== '' && !/^\d+$/.test(db)) || url.search || url.hash) {
      problems.push(`${name}: a Redis URL looks like redis://host:port/db (db a number, e.g. redis://localhost:6379/0), got "${hidePassword(value)}"`);
      return { kind: 'memory' };
    }
    return { kind: 'redis', url: value };
  }
  problems.push(`${name}: ${FORMS}, got ${shown(value)}`);
  return { kind: 'memory' };
}

/**
 * The store a start uses: UNDERSTUDY_STORE when it is set, else the tenant file's `store`, else memory.
 * The file's value is checked even when the variable overrides it, so a file that starts in one
 * environment starts in every other. A relative `sqlite:` path in the file is read from the file's folder.
 */
export function chooseStore(
  fromEnv: StoreSetting | undefined,
  file: { raw: unknown; path: string } | undefined,
  dataDir: string,
): ChosenStore {
  const value = file && isRecord(file.raw) ? file.raw.store : undefined;
  let fromFile: StoreSetting | undefined;
  if (value !== undefined && value !== null && file) {
    const problems: string[] = [];
    if (typeof value === 'string') fromFile = parseStoreSetting(value.trim(), { name: 'store', dataDir, relativeTo: dirname(resolve(file.path)) }, problems);
    else problems.push(`store: ${FORMS}, got ${shown(value)}`);
    if (problems.length) throw new ConfigError(file.path, problems);
  }
  if (fromEnv) return { setting: fromEnv, from: 'UNDERSTUDY_STORE', overridesFile: fromFile !== undefined };
  if (fromFile) return { setting: fromFile, from: 'the tenant file', overridesFile: false };
  return { setting: { kind: 'memory' }, from: 'the default', overridesFile: false };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hidePassword(value: string): string {
  return value.replace(/\/\/[^@/]*@/, '//***@');
}

function shown(value: unknown): string {
  return typeof value === 'string' ? `"${hidePassword(value)}"` : (JSON.stringify(value) ?? String(value));
}
