// oauth2-mock-server 8.2.3 as a user would run it: the bench's RS256 key added to its keystore
// (it re-imports the key for every token; that is the package's own behaviour). It accepts any
// client credentials and issues a JWT access token for client_credentials.
import { readFileSync } from 'node:fs';
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.env.PORT);
const server = new OAuth2Server();
const jwk = JSON.parse(readFileSync(process.env.KEY_FILE, 'utf8'));
await server.issuer.keys.add({ ...jwk, alg: 'RS256', use: 'sig', kid: jwk.kid ?? 'bench' });
await server.start(port, '127.0.0.1');
server.issuer.url = `http://127.0.0.1:${port}`;
