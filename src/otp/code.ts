import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Codes are kept only as an HMAC bound to the recipient, so a leaked store reveals no usable code and
 * one recipient's code cannot be replayed for another.
 */
export function hashCode(secret: Buffer, key: string, code: string): string {
  return createHmac('sha256', secret).update(`${key}\u0000${code}`).digest('base64url');
}

/** Constant-time comparison of a submitted code against the stored hash. */
export function codeMatches(secret: Buffer, key: string, submitted: string, storedHash: string): boolean {
  const a = Buffer.from(hashCode(secret, key, submitted));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Users paste codes with spaces or dashes ("123 456"); only the digits count. */
export function cleanSubmittedCode(input: string): string {
  return input.replace(/[\s-]/g, '');
}
