import type { Redis } from 'ioredis';
import { ConfigError } from '../../startup-error.js';
import { StoreUnavailableError } from '../store-errors.js';

/**
 * The Redis store's connection: telling an unreachable Redis from a refused command, turning the one
 * into StoreUnavailableError (503) on every method, connecting at start-up within a bound, and
 * saying goodbye on close.
 */

/** True for failures to reach Redis (as opposed to a command Redis refused or a bug of ours, which stay 500s). */
export function isConnectionError(err: unknown, connected: boolean): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'ReplyError') return /^(LOADING|READONLY|MASTERDOWN|BUSY|TRYAGAIN|CLUSTERDOWN)\b/.test(err.message);
  if (err.name === 'MaxRetriesPerRequestError' || !connected) return true;
  return /Connection is closed|Stream isn't writeable|Command timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN/.test(err.message);
}

export function redisTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return url;
  }
}

/** Every async method, with failures to reach Redis turned into StoreUnavailableError. */
export function guarded<T extends object>(target: T, where: string, connected: () => boolean): T {
  const out = {} as Record<string, unknown>;
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== 'function' || name === 'onMessage' || name === 'close') {
      out[name] = value;
      continue;
    }
    out[name] = async (...args: unknown[]) => {
      try {
        return await (value as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (err) {
        if (err instanceof StoreUnavailableError || !isConnectionError(err, connected())) throw err;
        throw new StoreUnavailableError(`Redis at ${where} is unavailable: ${(err as Error).message}`, { cause: err });
      }
    };
  }
  return out as T;
}

export async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
  } catch {
    // Not connected: nothing to say goodbye to.
  }
  client.disconnect();
}

/** Waits until the client is connected (ioredis keeps retrying meanwhile); start-up stops with a clear message otherwise. */
export async function connectWithin(client: Redis, ms: number, target: string, lastError: () => Error | undefined): Promise<void> {
  let failure: Error | undefined;
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  client.connect().catch((err: Error) => {
    failure = err;
  });
  if (await ready) return;
  client.disconnect();
  const why = (lastError() ?? failure)?.message ?? `no answer within ${ms} ms`;
  throw new ConfigError('UNDERSTUDY_STORE', [`cannot reach Redis at ${target}: ${why}`]);
}
