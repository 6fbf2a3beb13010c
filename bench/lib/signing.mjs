// The physical limit for any endpoint that signs: RS256 signatures per second that this machine's Node
// crypto achieves in a tight loop, with node:crypto (synchronous, one core) and with jose (WebCrypto,
// which runs the RSA work on libuv's thread pool).
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';

const payload = () => ({
  iss: 'http://127.0.0.1/', sub: 'bench-m2m@clients', aud: 'https://bench.example/api', iat: 1_800_000_000, exp: 1_800_086_400,
  jti: randomBytes(16).toString('base64url'), scope: 'read:bench', gty: 'client-credentials', azp: 'bench-m2m',
});

/** node:crypto RSA-SHA256 over a JWT-sized input, synchronous: exactly one core's worth. */
export function nodeCryptoLoop(jwk, ms) {
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  const input = Buffer.from(`${Buffer.from('{"alg":"RS256","typ":"JWT","kid":"bench"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload())).toString('base64url')}`);
  const end = performance.now() + ms;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 10; i++) sign('sha256', input, key);
    n += 10;
  }
  return n / ((performance.now() - t0) / 1000);
}

/** jose SignJWT (what Understudy and the peers use), `inFlight` signatures outstanding at a time. */
export async function joseLoop(jwk, ms, inFlight = 1) {
  const key = await importJWK({ ...jwk, alg: 'RS256' }, 'RS256');
  const end = performance.now() + ms;
  let n = 0;
  const t0 = performance.now();
  const chain = async () => {
    while (performance.now() < end) {
      await new SignJWT(payload()).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'bench' }).sign(key);
      n++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, chain));
  return n / ((performance.now() - t0) / 1000);
}
