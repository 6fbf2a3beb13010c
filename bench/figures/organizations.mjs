// (12) Organizations: figure 5's page login to an organization (`organization` at /authorize: its
// branding on every screen, the membership check, auto-membership for a new user, org_id in the
// tokens) against the same page login without one, on one server, in alternating rounds; each ratio is
// taken within its round. Every login is a new email; an organization login's ID token must carry the
// organization's org_id and a plain one none, so a server that skipped (or added) the organization
// fails its logins instead of looking fast or slow.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowError } from '../lib/flows.mjs';
import { log } from '../lib/log.mjs';
import { idTokenClaims, understudyPageLogin } from '../lib/logins.mjs';
import { startUnderstudy } from '../lib/servers.mjs';
import { pairedRatios, pairedRounds } from '../lib/paired-rounds.mjs';
import { flowSummary, timedFlow } from '../lib/timed-flows.mjs';

const ORG = 'org_BenchBenchBench1234';

export const organizations = {
  name: 'organizations',
  resultKey: 'organizations',
  async measure({ P, fx, kinds, work }) {
    log(`(12) organization page logins against plain page logins: ${P.loginReps} rounds × ${P.loginMs / 1000} s each, ${P.users} users`);
    const tenantFile = join(work, 'tenant-organizations.json');
    const tenant = structuredClone(fx.tenant);
    for (const client of tenant.clients) if (client.client_id === 'understudy-web') client.organization_usage = 'allow';
    tenant.organizations = [
      {
        name: 'bench-org',
        id: ORG,
        display_name: 'Bench Organization',
        branding: { logo_url: 'https://bench.example/logo.png', colors: { primary: '#ff5500', page_background: '#101820' } },
        connections: [{ name: 'email', assign_membership_on_login: true }],
      },
    ];
    writeFileSync(tenantFile, JSON.stringify(tenant));
    const server = await startUnderstudy('understudy (organizations)', (port) => ({ ...kinds.understudy.env(port, join(work, 'understudy-organizations')), UNDERSTUDY_CONFIG: tenantFile }));
    try {
      let n = 0;
      const login = (which) => async (pool, w) => {
        const i = n++;
        const email = `${which}-${i}-${w}@bench.example`;
        const orgId = idTokenClaims(await understudyPageLogin(pool, email, i, which === 'with' ? { organization: ORG } : {})).org_id;
        if (which === 'with' ? orgId !== ORG : orgId !== undefined) throw new FlowError(`a ${which === 'with' ? 'organization' : 'plain'} login's ID token has org_id ${JSON.stringify(orgId)}`);
      };
      const paired = await pairedRounds({ reps: P.loginReps, warmMs: P.loginWarmMs, ms: P.loginMs, label: 'organization logins', flow: (which, ms) => timedFlow(server, login(which), ms, P.users) });
      return {
        concurrency: P.users,
        flow: 'page logins, a new email each: /authorize?organization=… (branded screens, auto-membership, org_id) → email code → resume → token, against the same login without organization',
        organizationLogins: flowSummary(paired.runs.with),
        plainLogins: flowSummary(paired.runs.without),
        ...pairedRatios(paired),
      };
    } finally {
      await server.handle.stop();
    }
  },
};
