import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtures } from './lib/fixtures.mjs';
import { serverKinds, oneToken } from './lib/servers.mjs';
import { freePort, spawnNode, waitFor200, stopAll } from './lib/procs.mjs';
const work = mkdtempSync(join(tmpdir(), 'sc-'));
const fx = fixtures(work);
const kinds = serverKinds(fx, work);
const [dir, out] = process.argv.slice(2);
for (let r = 0; r < 5; r++) {
  const port = await freePort();
  const h = spawnNode('x', ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', out, join(dir, 'dist/understudy.js')], { env: kinds.understudy.env(port, fx.dataDir) });
  await waitFor200(`http://127.0.0.1:${port}/.well-known/openid-configuration`, h);
  await oneToken({ url: `http://127.0.0.1:${port}` }, kinds.understudy);
  await h.stop();
}
await stopAll();
process.exit(0);
