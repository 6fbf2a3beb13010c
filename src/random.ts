import { randomInt } from 'node:crypto';
import { customAlphabet, nanoid } from 'nanoid';

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
  hex: (bytes) => hexOfLength(bytes * 2),
  // nanoid draws from a pool of random bytes filled a few kilobytes at a time, instead of a system
  // call per token (2.8 % of a token endpoint's CPU); its alphabet is base64url's, so `bytes` random
  // bytes' worth of characters carries the same entropy in the same form.
  token: (bytes = 24) => nanoid(Math.ceil((bytes * 8) / 6)),
};

// nanoid's pool again: ids and page nonces were a system call each (4 % of a page login's CPU). With
// 16 symbols every random byte's low four bits pick one, so each character is uniform, as in hex.
const hexOfLength = customAlphabet('0123456789abcdef');

/** `length` random letters and digits (Auth0's ids: `rol_`, `org_`, `uinv_` and their tickets), drawn from `random`. */
export function randomAlphanumerics(random: Random, length: number): string {
  let out = '';
  while (out.length < length) out += random.token(24).replace(/[^A-Za-z0-9]/g, '');
  return out.slice(0, length);
}
