import https from 'node:https';
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';

/**
 * Makes this process trust Understudy's local CA the way node-auth0 needs it: fetch (undici's global
 * dispatcher, for its Management client) and node:https's global agent (jose 4, for its ID token
 * checks). Returns what puts both back as they were.
 */
export function trustLocalCa(caPem: string): () => Promise<void> {
  const previousDispatcher = getGlobalDispatcher();
  const previousAgentCa = https.globalAgent.options.ca;
  const agent = new Agent({ connect: { ca: caPem } });
  setGlobalDispatcher(agent);
  https.globalAgent.options.ca = caPem;
  return async () => {
    setGlobalDispatcher(previousDispatcher);
    https.globalAgent.options.ca = previousAgentCa;
    https.globalAgent.destroy();
    await agent.close();
  };
}
