import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { ConfigError } from '../../startup-error.js';

/**
 * The SQLite driver (better-sqlite3, an optional dependency loaded only when `UNDERSTUDY_STORE=sqlite:`
 * asks for it) and opening the database file with the store's durability settings.
 *
 * Durability: WAL with synchronous=NORMAL. A commit has been written to the WAL file (the operating
 * system's page cache) before better-sqlite3 returns, so a `kill -9` of the process loses nothing
 * that was acknowledged; only a power cut or kernel crash can drop the last commits (never corrupt the
 * file). FULL would add an fsync per commit for that case, at a cost on every login write.
 */
export const SQLITE_DRIVER = 'better-sqlite3@12.11.1';

export type Database = BetterSqlite3.Database;
type DatabaseConstructor = new (filename: string, options?: BetterSqlite3.Options) => Database;

/**
 * better-sqlite3, imported only now: a machine that could not build it still runs the memory store.
 * (`load` is for tests, to play a machine without it.)
 */
export async function loadSqliteDriver(load: () => Promise<unknown> = () => import('better-sqlite3')): Promise<DatabaseConstructor> {
  try {
    const mod = (await load()) as { default: DatabaseConstructor };
    return mod.default;
  } catch (err) {
    throw new ConfigError('UNDERSTUDY_STORE', [
      `sqlite: needs the optional dependency ${SQLITE_DRIVER}, which is not installed or did not build on this machine ` +
        `(${(err as Error).message.split('\n')[0]}). Install it with \`npm install ${SQLITE_DRIVER}\` (it compiles SQLite, which needs ` +
        'python3, make and a C++ compiler), or use UNDERSTUDY_STORE=memory or redis://.',
    ]);
  }
}

/** Opens (and creates, with its folder) the database file; a file that cannot be opened stops start-up. */
export function openDatabase(Driver: DatabaseConstructor, file: string): Database {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Driver(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Another process on the same file waits for the write lock instead of failing at once.
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (err) {
    throw new ConfigError('UNDERSTUDY_STORE', [`cannot open the SQLite database ${file}: ${(err as Error).message}`]);
  }
}
