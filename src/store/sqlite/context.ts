import type { Clock } from '../../clock.js';
import { decodeRecord, encodeRecord } from '../json-records.js';
import type { Database } from './driver.js';

/**
 * What each port module of the SQLite store is built from: the open database, the clock, prepared
 * statements, and `atomically` for read-modify-write steps. better-sqlite3 is synchronous, so each
 * method runs to completion on Node's thread; `atomically` also takes the write lock first
 * (BEGIN IMMEDIATE), so another process on the same file cannot interleave.
 */
export interface Statement<R> {
  get(...args: unknown[]): R | undefined;
  all(...args: unknown[]): R[];
  run(...args: unknown[]): { changes: number };
}

/** The JSON column every record table has. */
export type Row = { data: string };

export interface SqliteContext {
  db: Database;
  clock: Clock;
  statement<R = unknown>(sql: string): Statement<R>;
  atomically<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
}

export function createSqliteContext(db: Database, clock: Clock): SqliteContext {
  return {
    db,
    clock,
    statement<R>(sql: string): Statement<R> {
      const prepared = db.prepare(sql);
      return {
        get: (...args) => prepared.get(...args) as R | undefined,
        all: (...args) => prepared.all(...args) as R[],
        run: (...args) => prepared.run(...args),
      };
    },
    atomically(fn) {
      const txn = db.transaction(fn);
      return (...args) => txn.immediate(...args);
    },
  };
}

/** The record in a row's JSON column, or undefined for no row. */
export const parse = <T>(row: Row | undefined): T | undefined => (row ? decodeRecord<T>(row.data) : undefined);
export const json = (value: object): string => encodeRecord(value);
