// scratch: first token after spawn, alternating builds given as dirs
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtures } from './lib/fixtures.mjs';
import { serverKinds } from './lib/servers.mjs';
import { freePort, spawnNode, waitFor200, stopAll } from './lib/procs.mjs';
import { oneToken } from './lib/servers.mjs';
const work = mkdtempSync(join(tmpdir(), 'sc-'));
const fx = fixtures(work);
const kinds = serverKinds(fx, work);
const dirs = process.argv.slice(2);
const N = Number(process.env.N ?? 16);
const res = Object.fromEntries(dirs.map((d) => [d, []]));
for (let r = 0; r < N; r++) {
  for (const d of r % 2 ? [...dirs].reverse() : dirs) {
    const port = await freePort();
    const t0 = performance.now();
    const h = spawnNode('x', [join(d, 'dist/understudy.js')], { env: kinds.understudy.env(port, fx.dataDir) });
    await waitFor200(`http://127.0.0.1:${port}/.well-known/openid-configuration`, h);
    await oneToken({ url: `http://127.0.0.1:${port}` }, kinds.understudy);
    res[d].push(performance.now() - t0);
    await h.stop();
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
for (const d of dirs) console.log(d, med(res[d]).toFixed(1));
await stopAll();
process.exit(0);
