/**
 * Records as JSON text for the stores that keep text (SQLite rows, Redis strings). Plain JSON drops
 * a field whose value is undefined, but callers tell `rotatedAt: undefined` from a missing field
 * (the memory store keeps both), so top-level undefined values travel as a marker.
 */
const UNDEFINED = '\u0000undefined';

export function encodeRecord(record: object): string {
  return JSON.stringify(record, function (this: unknown, _key, value: unknown) {
    return value === undefined && this === record ? UNDEFINED : value;
  });
}

export function decodeRecord<T>(text: string): T {
  const record = JSON.parse(text) as Record<string, unknown>;
  for (const key of Object.keys(record)) if (record[key] === UNDEFINED) record[key] = undefined;
  return record as T;
}
