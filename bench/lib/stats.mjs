// Small statistics helpers: every figure in the report is the median of repeated runs.

export function median(values) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (!xs.length) return undefined;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** Nearest-rank percentile of an unsorted array (p in 0..100). */
export function percentile(values, p) {
  if (!values.length) return undefined;
  const xs = Float64Array.from(values).sort();
  const rank = Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1));
  return xs[rank];
}

export const round = (x, digits = 0) => (x === undefined || x === null || Number.isNaN(x) ? undefined : Number(x.toFixed(digits)));
