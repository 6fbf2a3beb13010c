import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rememberingSigner } from '../../src/http/cookies.js';

/**
 * The cookie signer remembers what it signed and verified, so a login's repeated cookies cost one HMAC
 * each. Remembering must never make a forged cookie pass: the signatures are computed here with
 * node:crypto in the format @fastify/cookie (and cookie-signature) writes, `value.base64(HMAC-SHA256)`
 * without padding, independently of the signer.
 */
const SECRET = 'test-cookie-secret';
const signedHere = (value: string, secret = SECRET): string => `${value}.${createHmac('sha256', secret).update(value).digest('base64').replace(/=/g, '')}`;

describe('the cookie signer', () => {
  it('signs as @fastify/cookie does and reads its own cookies back, the second time from memory too', () => {
    const signer = rememberingSigner(SECRET);
    expect(signer.sign('device-1')).toBe(signedHere('device-1'));
    expect(signer.sign('device-1')).toBe(signedHere('device-1'));
    expect(signer.unsign(signedHere('device-1'))).toEqual({ valid: true, renew: false, value: 'device-1' });
    expect(signer.unsign(signedHere('device-1'))).toEqual({ valid: true, renew: false, value: 'device-1' });
    // Signed elsewhere with the same secret (another replica): verified, then remembered.
    expect(signer.unsign(signedHere('device-2'))).toEqual({ valid: true, renew: false, value: 'device-2' });
    expect(signer.unsign(signedHere('device-2'))).toEqual({ valid: true, renew: false, value: 'device-2' });
  });

  it('refuses a forged cookie after its genuine twin was remembered, every time it is sent', () => {
    const signer = rememberingSigner(SECRET);
    const genuine = signer.sign('session-1');
    expect(signer.unsign(genuine).valid).toBe(true);
    const forgeries = [
      `session-2${genuine.slice('session-1'.length)}`, // another value under the genuine signature
      `${genuine.slice(0, -1)}${genuine.endsWith('A') ? 'B' : 'A'}`, // the signature's last character changed
      signedHere('session-1', 'another-secret'), // signed with another secret
      'session-1', // no signature
    ];
    for (const forged of forgeries) {
      for (let attempt = 0; attempt < 2; attempt++) expect(signer.unsign(forged), forged).toEqual({ valid: false, renew: false, value: null });
    }
    expect(signer.unsign(genuine)).toEqual({ valid: true, renew: false, value: 'session-1' });
  });

  it('stays right after it has forgotten: more values than it remembers, each still read back', () => {
    const signer = rememberingSigner(SECRET);
    const values = Array.from({ length: 5_000 }, (_, i) => `device-${i}`);
    const cookies = values.map((value) => signer.sign(value));
    cookies.forEach((cookie, i) => {
      expect(cookie).toBe(signedHere(values[i]!));
      expect(signer.unsign(cookie)).toEqual({ valid: true, renew: false, value: values[i] });
    });
  });
});
