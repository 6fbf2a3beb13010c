// Multi-step login flows driven by an undici Pool: N concurrent virtual users, each running complete
// logins one after another, bounded by a time limit and a count limit. Every step checks its status,
// so a broken flow is counted as an error instead of looking fast.
import { Pool } from 'undici';
import { percentile } from './stats.mjs';

export class FlowError extends Error {}

/** Cookies of one browser: name → value, from Set-Cookie headers (attributes ignored, Max-Age=0 deletes). */
export class CookieJar {
  #cookies = new Map();
  store(setCookie) {
    if (!setCookie) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1).trim());
    }
  }
  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** One HTTP exchange on the pool; returns status, headers and the body as text (always consumed). */
export async function send(pool, { method = 'GET', path, headers = {}, body, jar, expect }) {
  const h = { ...headers };
  if (jar) {
    const cookie = jar.header();
    if (cookie) h.cookie = cookie;
  }
  const res = await pool.request({ method, path, headers: h, body, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const text = await res.body.text();
  if (jar) jar.store(res.headers['set-cookie']);
  if (expect !== undefined && res.statusCode !== expect) {
    throw new FlowError(`${method} ${path.split('?')[0]}: expected ${expect}, got ${res.statusCode}: ${text.slice(0, 200)}`);
  }
  return { status: res.statusCode, headers: res.headers, text };
}

export const form = (fields) => new URLSearchParams(fields).toString();
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
export const JSON_TYPE = { 'content-type': 'application/json' };

/** The path (and query) of a Location header, whether absolute or relative. */
export function locationPath(headers) {
  const loc = headers.location;
  if (!loc) throw new FlowError('redirect without Location');
  const url = new URL(loc, 'http://placeholder.invalid');
  return { path: `${url.pathname}${url.search}`, url };
}

/**
 * Runs `login(pool, worker, iteration)` from `concurrency` virtual users until `durationMs` has passed
 * or `maxLogins` logins have started. Each login's wall time is recorded; a throwing login counts as
 * an error (its time is not recorded). Returns logins/s, p50/p99 and errors.
 */
export async function runFlow({ origin, concurrency, durationMs, maxLogins = Infinity, login }) {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies = [];
  const errors = [];
  let started = 0;
  let errorCount = 0;
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  const worker = async (w) => {
    for (let i = 0; performance.now() < deadline && started < maxLogins; i++) {
      started++;
      const s = performance.now();
      try {
        await login(pool, w, i);
        latencies.push(performance.now() - s);
      } catch (err) {
        errorCount++;
        if (errors.length < 5) errors.push(err.message);
        // A failing server should not turn the run into a busy loop of instant errors.
        if (errorCount > 50 && errorCount > latencies.length) break;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  } finally {
    await pool.close().catch(() => pool.destroy());
  }
  const elapsed = (performance.now() - t0) / 1000;
  return {
    logins: latencies.length,
    errors: errorCount,
    errorSamples: errors,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
