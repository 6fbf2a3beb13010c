import { invalidQueryString } from './management-error.js';

/**
 * How the Management API pages a list, as node-auth0 reads it. Offset paging (`page`, `per_page`,
 * 50 a page, at most 100): a bare array, or with `include_totals=true` (node-auth0 v5 and later
 * always send it) `{start, limit, [length,] total, <key>}`; a page past the end is an empty list,
 * which is how the SDKs know to stop. Checkpoint paging (`take`, `from`) answers `{<key>, next}`,
 * with no `next` on the last page, whether or not include_totals was sent.
 */
export type Query = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
const bounded = (value: string | string[] | undefined, fallback: number, min: number, max: number): number =>
  Math.min(Math.max(Number(first(value) ?? fallback) || fallback, min), max);

/** `withLength`: the page's own length too, as Auth0's users, clients and connections lists carry it. */
export function offsetList<T>(query: Query, key: string, all: readonly T[], options: { withLength?: boolean } = {}): T[] | Record<string, unknown> {
  const perPage = bounded(query.per_page, 50, 1, 100);
  const page = Math.max(Number(first(query.page) ?? 0) || 0, 0);
  const slice = all.slice(page * perPage, page * perPage + perPage);
  if (first(query.include_totals) !== 'true') return slice;
  return { start: page * perPage, limit: perPage, ...(options.withLength ? { length: slice.length } : {}), total: all.length, [key]: slice };
}

export const wantsCheckpoint = (query: Query): boolean => query.take !== undefined || query.from !== undefined;

/** The page starting at `from` (an opaque cursor this module made), with the cursor of the next. */
export function checkpointPage<T>(query: Query, all: readonly T[]): { items: T[]; next: string | undefined } {
  const take = bounded(query.take, 50, 1, 100);
  const from = first(query.from);
  let start = 0;
  if (from) {
    start = Number(Buffer.from(from, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw invalidQueryString('Query validation error: from is not a cursor this API gave');
  }
  const items = all.slice(start, start + take);
  const end = start + items.length;
  return { items, next: end < all.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}
