// oidc-provider 9.13.3 configured to issue RS256 JWT access tokens for client_credentials: a resource
// server (resourceIndicators) with accessTokenFormat 'jwt', the bench's RS256 key, the in-memory
// adapter (it warns about it and about Node 20 on stderr).
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const AUDIENCE = 'https://bench.example/api';
const jwk = JSON.parse(readFileSync(process.env.KEY_FILE, 'utf8'));
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'bench-m2m', client_secret: 'bench-m2m-secret', grant_types: ['client_credentials'],
    redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [{ ...jwk, alg: 'RS256', use: 'sig', kid: jwk.kid ?? 'bench' }] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => AUDIENCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: 'read:bench', audience: AUDIENCE, accessTokenTTL: 86400, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
    },
  },
});
provider.listen(port, '127.0.0.1');
