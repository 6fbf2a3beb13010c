// The ceiling for a token endpoint on this machine: a bare Fastify route that parses the form,
// checks the client and signs one RS256 JWT with jose (key imported once). No logging, no store.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { importJWK, SignJWT } from 'jose';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}/`;
const jwk = JSON.parse(readFileSync(process.env.KEY_FILE, 'utf8'));
const key = await importJWK({ ...jwk, alg: 'RS256' }, 'RS256');
const kid = jwk.kid ?? 'bench';
const CLIENT_ID = 'bench-m2m';
const SECRET = Buffer.from('bench-m2m-secret');
const AUDIENCE = 'https://bench.example/api';

const app = Fastify({ logger: false });
await app.register(formbody);
const discovery = JSON.stringify({ issuer, token_endpoint: `${issuer}oauth/token`, jwks_uri: `${issuer}.well-known/jwks.json` });
app.get('/.well-known/openid-configuration', async (_req, reply) => reply.type('application/json').send(discovery));
app.post('/oauth/token', async (req, reply) => {
  const body = req.body ?? {};
  const secret = Buffer.from(String(body.client_secret ?? ''));
  if (body.grant_type !== 'client_credentials' || body.client_id !== CLIENT_ID || secret.length !== SECRET.length || !timingSafeEqual(secret, SECRET)) {
    return reply.status(401).send({ error: 'invalid_client' });
  }
  const iat = Math.floor(Date.now() / 1000);
  const accessToken = await new SignJWT({
    iss: issuer, sub: `${CLIENT_ID}@clients`, aud: body.audience ?? AUDIENCE, iat, exp: iat + 86400,
    jti: randomBytes(16).toString('base64url'), scope: 'read:bench', gty: 'client-credentials', azp: CLIENT_ID,
  }).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(key);
  return reply.header('cache-control', 'no-store').send({ access_token: accessToken, token_type: 'Bearer', expires_in: 86400, scope: 'read:bench' });
});
await app.listen({ port, host: '127.0.0.1' });
