/**
 * What an Actions host may send the server, checked field by field before anything reads it. The host
 * runs a tenant's code, and that code can reach the IPC channel: a message of another shape, a
 * `done` for an execution the host was never given, or one too large, is not read but answered by
 * replacing the host (actions/action-host.ts).
 */
export type ActionCall = [method: string, ...args: unknown[]];

export type HostMessage =
  | { type: 'loaded'; error: string | undefined }
  | { type: 'log'; id: string | undefined; level: string; line: string }
  | { type: 'done'; id: string; calls: ActionCall[]; error: string | undefined };

/** A console line is cut here; the host cuts it too, but the host is not trusted to. */
export const MAX_LOG_LINE = 4000;
/** `api` calls per execution: far more than any action makes, few enough to read at once. */
export const MAX_CALLS = 1000;
/** The JSON size of one execution's calls (Auth0 caps an ID token's custom claims at 100 KB). */
export const MAX_CALLS_BYTES = 1_000_000;
const LEVELS = new Set(['log', 'info', 'warn', 'error', 'debug']);

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const shortString = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;
const optionalText = (value: unknown, max: number): string | undefined | false =>
  value === undefined ? undefined : typeof value === 'string' ? value.slice(0, max) : false;

/** The message, when it is one the server reads; undefined for anything else. */
export function parseHostMessage(value: unknown): HostMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'loaded': {
      const error = optionalText(value.error, MAX_LOG_LINE);
      return error === false ? undefined : { type: 'loaded', error };
    }
    case 'log': {
      if (typeof value.line !== 'string' || typeof value.level !== 'string' || !LEVELS.has(value.level)) return undefined;
      if (value.id !== undefined && !shortString(value.id, 64)) return undefined;
      return { type: 'log', id: value.id, level: value.level, line: value.line.slice(0, MAX_LOG_LINE) };
    }
    case 'done': {
      if (!shortString(value.id, 64) || !Array.isArray(value.calls) || value.calls.length > MAX_CALLS) return undefined;
      if (!value.calls.every((call) => Array.isArray(call) && shortString(call[0], 100))) return undefined;
      const error = optionalText(value.error, MAX_LOG_LINE);
      if (error === false || JSON.stringify(value.calls).length > MAX_CALLS_BYTES) return undefined;
      return { type: 'done', id: value.id, calls: value.calls as ActionCall[], error };
    }
    default:
      return undefined;
  }
}
