import { LONGEST_LONG_POLL_MS } from '../otp/outbox.js';

/**
 * How long a client may take and how many may be connected at once: without these, one client that
 * sends a body a byte at a time, or opens thousands of idle sockets, holds the server's memory and
 * file descriptors for as long as it likes.
 *
 *   UNDERSTUDY_REQUEST_TIMEOUT   seconds to receive a whole request, headers and body (default 30)
 *   UNDERSTUDY_HEADERS_TIMEOUT   seconds to receive the headers (default 10; at most the request timeout)
 *   UNDERSTUDY_IDLE_TIMEOUT      seconds a socket may stay silent (default 65: longer than a mailbox long poll)
 *   UNDERSTUDY_MAX_CONNECTIONS   open connections at once; the next ones are refused (default 1024)
 */
export interface ConnectionLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 65_000,
  maxConnections: 1024,
};

export function parseConnectionLimits(env: NodeJS.ProcessEnv, problems: string[]): ConnectionLimits {
  const seconds = (name: string, fallbackMs: number, min: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallbackMs;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > 3600) {
      problems.push(`${name}: must be a whole number of seconds from ${min} to 3600, got "${raw}"`);
      return fallbackMs;
    }
    return value * 1000;
  };
  const limits: ConnectionLimits = {
    requestTimeoutMs: seconds('UNDERSTUDY_REQUEST_TIMEOUT', DEFAULT_CONNECTION_LIMITS.requestTimeoutMs, 1),
    headersTimeoutMs: seconds('UNDERSTUDY_HEADERS_TIMEOUT', DEFAULT_CONNECTION_LIMITS.headersTimeoutMs, 1),
    idleTimeoutMs: seconds('UNDERSTUDY_IDLE_TIMEOUT', DEFAULT_CONNECTION_LIMITS.idleTimeoutMs, LONGEST_LONG_POLL_MS / 1000 + 1),
    maxConnections: DEFAULT_CONNECTION_LIMITS.maxConnections,
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    problems.push(`UNDERSTUDY_HEADERS_TIMEOUT: must not be longer than UNDERSTUDY_REQUEST_TIMEOUT (${limits.requestTimeoutMs / 1000} s), got ${limits.headersTimeoutMs / 1000} s`);
  }
  const max = env.UNDERSTUDY_MAX_CONNECTIONS?.trim();
  if (max) {
    if (!/^\d+$/.test(max) || Number(max) < 1 || Number(max) > 1_000_000) problems.push(`UNDERSTUDY_MAX_CONNECTIONS: must be an integer from 1 to 1000000, got "${max}"`);
    else limits.maxConnections = Number(max);
  }
  return limits;
}
