import { randomBytes, randomInt } from 'node:crypto';

/** Randomness is injected so tests can pin codes and ids when they need to. */
export interface Random {
  /** A string of `length` decimal digits, uniformly distributed (leading zeros allowed). */
  digits(length: number): string;
  /** `bytes` random bytes as lower-case hex. */
  hex(bytes: number): string;
  /** An unguessable URL-safe token. */
  token(bytes?: number): string;
}

export const cryptoRandom: Random = {
  digits(length) {
    let out = '';
    for (let i = 0; i < length; i++) out += String(randomInt(10));
    return out;
  },
  hex: (bytes) => randomBytes(bytes).toString('hex'),
  token: (bytes = 24) => randomBytes(bytes).toString('base64url'),
};
