import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tooManyRequests } from '../errors.js';
import type { RateLimits } from '../tenant/model.js';
import { DEFAULT_RATE_LIMITS, RATE_LIMITS_OFF } from '../tenant/rate-limits.js';
import { normalizeEmail, normalizePhoneNumber } from '../users/normalize.js';

/**
 * Auth0's request limits, counted by @fastify/rate-limit's stores (one per limit, keys bounded by its
 * LRU). A route counts a request under one or more keys (its IP, its recipient, its user), in order;
 * the first key over its limit answers 429 `too_many_requests`, and every answer carries Auth0's
 * X-RateLimit-Limit / -Remaining / -Reset (UTC epoch seconds) for the tightest key.
 *
 * The plugin's own route hook (`config.rateLimit`, or `fastify.rateLimit()` as a preHandler) runs at
 * most once per request, so a second limit on the same route would be skipped; `createRateLimit` has
 * no such guard, which is why every limit here is built with it.
 */
export type LimitName = keyof RateLimits;

export interface RateLimiter {
  /**
   * Counts the request under each key (undefined keys are skipped) and sets the X-RateLimit headers;
   * throws a 429 OAuthError, carrying the same headers, when a key is over its limit.
   */
  enforce(request: FastifyRequest, reply: FastifyReply, name: LimitName, keys: (string | undefined)[]): Promise<void>;
  /**
   * Whether the limit is on at all, fixed when the app is built (routes skip work such as decoding a
   * token when it is off, or leave out their rate-limit hook).
   */
  active(name: LimitName): boolean;
  /** Forgets every count (the dev API's reset, between tests). */
  reset(): void;
}

export const TOO_MANY_REQUESTS = 'Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.';
const LRU_SIZE = 10_000;

export async function registerRateLimits(app: FastifyInstance, settings: RateLimits | undefined, enabled: boolean): Promise<RateLimiter> {
  const limits = enabled ? (settings ?? DEFAULT_RATE_LIMITS) : RATE_LIMITS_OFF;
  // global: false: nothing is limited unless a route asks; the plugin only lends its stores.
  await app.register(rateLimit, { global: false, cache: LRU_SIZE });
  const pending = new WeakMap<FastifyRequest, string>();

  // One warning per limit and key and window, so an operator learns what tripped and how to tune it.
  const warned = new Map<string, number>();
  const warnOnce = (request: FastifyRequest, name: LimitName, key: string, resetAt: number): void => {
    const id = `${name}\u0000${key}`;
    if ((warned.get(id) ?? 0) > Date.now()) return;
    if (warned.size >= LRU_SIZE) warned.clear();
    warned.set(id, resetAt * 1000);
    const limit = limits[name];
    request.log.warn(
      { limit: name, key, max: limit ? limit.max : undefined, windowSeconds: limit ? limit.windowSeconds : undefined },
      `rate limit ${name} reached for ${key}; answering 429 until the window ends (tune rate_limits in the tenant file, or UNDERSTUDY_RATE_LIMITS=off)`,
    );
  };

  // Each createRateLimit call gets a fresh store of its own, which is also how reset() forgets every count.
  const checkers = new Map<LimitName, ReturnType<FastifyInstance['createRateLimit']>>();
  const build = (): void => {
    for (const name of Object.keys(limits) as LimitName[]) {
      const limit = limits[name];
      if (!limit) continue;
      checkers.set(
        name,
        app.createRateLimit({ max: limit.max, timeWindow: limit.windowSeconds * 1000, keyGenerator: (request) => pending.get(request) ?? '' }),
      );
    }
  };
  build();

  return {
    active: (name) => checkers.has(name),
    reset() {
      build();
      warned.clear();
    },
    async enforce(request, reply, name, keys) {
      const check = checkers.get(name);
      if (!check) return;
      let tightest: { max: number; remaining: number; reset: number } | undefined;
      for (const key of keys) {
        if (!key) continue;
        pending.set(request, key);
        const result = await check(request);
        pending.delete(request);
        if (result.isAllowed) continue;
        const reset = Math.ceil(Date.now() / 1000) + result.ttlInSeconds;
        if (result.isExceeded) {
          warnOnce(request, name, key, reset);
          const headers = {
            'X-RateLimit-Limit': String(result.max),
            'X-RateLimit-Remaining': '0',
            'X-RateLimit-Reset': String(reset),
            'Retry-After': String(Math.max(1, result.ttlInSeconds)),
          };
          throw tooManyRequests(TOO_MANY_REQUESTS, { headers });
        }
        if (!tightest || result.remaining < tightest.remaining) tightest = { max: result.max, remaining: result.remaining, reset };
      }
      // A route may count a request in two steps (its IP first, the recipient once it is known): the
      // headers keep whichever key has the least left.
      const shown = Number(reply.getHeader('X-RateLimit-Remaining'));
      if (tightest && !(shown <= tightest.remaining)) {
        reply.header('X-RateLimit-Limit', String(tightest.max));
        reply.header('X-RateLimit-Remaining', String(tightest.remaining));
        reply.header('X-RateLimit-Reset', String(tightest.reset));
      }
    },
  };
}

/** The rate-limit key of a recipient: an email address or a phone number, compared loosely. */
export function recipientKey(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  // Every spelling of one recipient shares one key: an address lower-cased, a phone number in E.164
  // (+1 (555) 123-4567, +15551234567 and +115551234567 are one number).
  const key = trimmed.includes('@') ? normalizeEmail(trimmed) || trimmed.toLowerCase() : normalizePhoneNumber(trimmed) || trimmed.replace(/[\s().-]/g, '');
  return `to:${key.slice(0, 320)}`;
}

/** The client's address as the plugin keys it: IPv6 by its /64, so one host cannot rotate through its own range. */
export const ipKey = (request: FastifyRequest): string => `ip:${normalizeIP(request.ip)}`;
