// (1) Signing limit: RS256 signatures per second on this machine, the ceiling for every token and login.
import { log } from '../lib/log.mjs';
import { joseLoop, nodeCryptoLoop } from '../lib/signing.mjs';
import { median, round } from '../lib/stats.mjs';

export const signingLimit = {
  name: 'signing',
  resultKey: 'signing',
  async measure({ P, fx }) {
    log(`(1) RS256 signing limit: ${P.signReps} × ${P.signMs} ms per variant`);
    const nodeRuns = [];
    const joseRuns = [];
    const jose8Runs = [];
    for (let r = 0; r < P.signReps; r++) {
      nodeRuns.push(nodeCryptoLoop(fx.jwk, P.signMs));
      joseRuns.push(await joseLoop(fx.jwk, P.signMs, 1));
      jose8Runs.push(await joseLoop(fx.jwk, P.signMs, 8));
    }
    return {
      nodeCryptoPerCore: round(median(nodeRuns)),
      josePerCoreSequential: round(median(joseRuns)),
      jose8InFlight: round(median(jose8Runs)),
      runs: { nodeCrypto: nodeRuns.map((x) => round(x)), jose: joseRuns.map((x) => round(x)), jose8: jose8Runs.map((x) => round(x)) },
    };
  },
};
