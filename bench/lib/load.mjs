// Fixed-concurrency HTTP load with autocannon (single endpoint, same request every time).
import autocannon from 'autocannon';
import { Pool } from 'undici';

/**
 * POSTs `body` to `url` for `seconds` with `connections` open connections; returns successful
 * responses per second and latency percentiles (ms). Non-2xx answers and socket errors are reported,
 * never counted as throughput.
 */
export async function hammer({ url, body, headers = { 'content-type': 'application/x-www-form-urlencoded' }, connections, seconds, method = 'POST' }) {
  const result = await autocannon({ url, method, body, headers, connections, duration: seconds, pipelining: 1, timeout: 10 });
  const ok = result['2xx'] ?? 0;
  return {
    perSecond: ok / (result.duration || seconds),
    ok,
    non2xx: result.non2xx ?? 0,
    errors: result.errors ?? 0,
    timeouts: result.timeouts ?? 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.average,
  };
}

/**
 * Warm-up: `count` requests through `connections` connections, as fast as they go (autocannon runs
 * for at least a second whatever it is asked, which a quick run cannot spare four times).
 */
export async function warmUp({ url, body, headers = { 'content-type': 'application/x-www-form-urlencoded' }, connections, count, method = 'POST' }) {
  const { origin, pathname, search } = new URL(url);
  const pool = new Pool(origin, { connections });
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      const res = await pool.request({ method, path: `${pathname}${search}`, headers, body });
      await res.body.dump();
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    await pool.close();
  }
}
