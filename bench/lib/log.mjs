// Progress lines on stderr, stamped with the seconds since the benchmark started (stdout is the table's).
const t0 = Date.now();

export const log = (line) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
