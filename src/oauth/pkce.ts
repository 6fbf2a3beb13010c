import { createHash, timingSafeEqual } from 'node:crypto';

/** RFC 7636. Auth0 advertises both methods; `plain` is the default when a challenge comes without one. */
export type PkceMethod = 'S256' | 'plain';

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function verifyPkce(verifier: string | undefined, challenge: string, method: PkceMethod): boolean {
  if (!verifier || !VERIFIER.test(verifier)) return false;
  const expected = Buffer.from(challenge);
  const actual = Buffer.from(method === 'S256' ? s256(verifier) : verifier);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A challenge as /authorize must receive it: base64url of a SHA-256 (43 chars) or a plain verifier. */
export function isWellFormedChallenge(challenge: string, method: PkceMethod): boolean {
  return method === 'S256' ? /^[A-Za-z0-9_-]{43}$/.test(challenge) : VERIFIER.test(challenge);
}
