// Bench-only preload for the memory figure (`node --expose-gc --import <this> dist/understudy.cjs`): on
// SIGUSR2 it runs a full garbage collection and writes the process's memory to HEAP_PROBE_FILE, so the
// figure can tell the heap that is still live (what a leak grows) from what V8 merely keeps reserved
// (what RSS also counts). It changes nothing else: Understudy itself never handles SIGUSR2.
import { writeFileSync } from 'node:fs';

const file = process.env.HEAP_PROBE_FILE;
let probes = 0;
process.on('SIGUSR2', () => {
  globalThis.gc();
  const { heapUsed, heapTotal, rss, external } = process.memoryUsage();
  writeFileSync(file, JSON.stringify({ probe: ++probes, heapUsed, heapTotal, rss, external }));
});
