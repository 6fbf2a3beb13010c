// (4b) Password grant: Cypress's loginByAuth0Api body (password-realm, JSON) against a database user,
// at the token figure's concurrency. Each token is a scrypt check, a login counted, an ID token and an
// access token: two RS256 signatures. Its own tenant file, so the other figures' tenant is untouched.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { API } from '../lib/fixtures.mjs';
import { hammer, warmUp } from '../lib/load.mjs';
import { log } from '../lib/log.mjs';
import { cpuMs } from '../lib/procs.mjs';
import { startUnderstudy } from '../lib/servers.mjs';
import { median, round } from '../lib/stats.mjs';

export const passwordGrant = {
  name: 'password',
  resultKey: 'passwordGrant',
  async measure({ P, kinds, work }) {
    log(`(4b) password grant: ${P.tokenReps} rounds × ${P.tokenS} s at ${P.tokenConnections} connections (after ${P.tokenWarm} warm-up tokens)`);
    const db = 'Username-Password-Authentication';
    const client = { id: 'bench-fixture', secret: 'bench-fixture-secret' };
    const tenantFile = join(work, 'tenant-password.json');
    writeFileSync(tenantFile, JSON.stringify({
      tenant: { friendly_name: 'Understudy Bench', default_directory: db },
      clients: [{ name: 'Bench Fixture', client_id: client.id, client_secret: client.secret, app_type: 'regular_web', grant_types: ['http://auth0.com/oauth/grant-type/password-realm', 'password'] }],
      connections: [{ name: db, strategy: 'auth0' }],
      resourceServers: [{ identifier: API, name: 'Bench API', scopes: [{ value: 'read:bench' }] }],
      users: [{ connection: db, email: 'fixture@bench.example', password: 'correct horse battery' }],
      rate_limits: false,
    }));
    const { handle, url: origin } = await startUnderstudy('understudy (password grant)', (port) => ({ ...kinds.understudy.env(port, join(work, 'understudy-data')), UNDERSTUDY_CONFIG: tenantFile }));
    const url = `${origin}/oauth/token`;
    const body = JSON.stringify({ grant_type: 'http://auth0.com/oauth/grant-type/password-realm', realm: db, username: 'fixture@bench.example', password: 'correct horse battery', audience: API, scope: 'openid profile email', client_id: client.id, client_secret: client.secret });
    const headers = { 'content-type': 'application/json' };
    const first = await request(url, { method: 'POST', headers, body });
    const text = await first.body.text();
    if (first.statusCode !== 200 || !JSON.parse(text).id_token) throw new Error(`password grant answered ${first.statusCode}: ${text.slice(0, 300)}`);
    await warmUp({ url, body, headers, connections: P.tokenConnections, count: P.tokenWarm });
    const runs = [];
    for (let r = 0; r < P.tokenReps; r++) {
      const cpu0 = cpuMs(handle.pid);
      const res = await hammer({ url, body, headers, connections: P.tokenConnections, seconds: P.tokenS });
      res.cpuUsPerToken = ((cpuMs(handle.pid) - cpu0) * 1000) / res.ok;
      runs.push(res);
      log(`  round ${r + 1}: ${round(res.perSecond)}/s${res.non2xx || res.errors ? `, ${res.non2xx} non-2xx, ${res.errors} errors` : ''}`);
    }
    await handle.stop();
    return {
      label: 'Understudy, password-realm grant (Cypress loginByAuth0Api body)',
      perSecond: round(median(runs.map((x) => x.perSecond))),
      p50: round(median(runs.map((x) => x.p50)), 1),
      p99: round(median(runs.map((x) => x.p99)), 1),
      cpuUsPerToken: round(median(runs.map((x) => x.cpuUsPerToken))),
      failed: runs.reduce((n, x) => n + x.non2xx + x.errors, 0),
      runs: runs.map((x) => ({ perSecond: round(x.perSecond), p50: x.p50, p99: x.p99, cpuUsPerToken: round(x.cpuUsPerToken), non2xx: x.non2xx, errors: x.errors })),
    };
  },
};
