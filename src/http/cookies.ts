import type { FastifyReply, FastifyRequest } from 'fastify';
import { Signer, type CookieSerializeOptions, type UnsignResult } from '@fastify/cookie';
import { REMEMBER_COOKIE, type RememberedBrowsers } from '../mfa/remembered-browsers.js';

export { REMEMBER_COOKIE };

/**
 * Auth0's browser cookies: `auth0` (the SSO session) and `did` (the device, which binds a login
 * transaction to the browser that started it). Over HTTPS they are `SameSite=None; Secure` with a
 * `_compat` twin for browsers that reject SameSite=None; over plain HTTP (localhost) they are `Lax`,
 * which still reaches same-site iframes such as auth0-spa-js's silent authentication on localhost.
 */
export const SESSION_COOKIE = 'auth0';
export const DEVICE_COOKIE = 'did';


/** The device cookie lives a year, renewed on every /authorize, as Auth0's `did` does. */
const DEVICE_COOKIE_MAX_AGE = 365 * 86400;

export interface CookieJar {
  read(request: FastifyRequest, name: string): string | undefined;
  write(reply: FastifyReply, name: string, value: string, maxAgeSeconds: number): void;
  clear(reply: FastifyReply, name: string): void;
  /** The browser's device id: the one its cookie holds, else a new one from `newId`. */
  deviceId(request: FastifyRequest, newId: () => string): string;
  /** The device cookie, (re)written for a year. */
  keepDevice(reply: FastifyReply, deviceId: string): void;
  /** The SSO session's cookie, kept as long as the session lives (at least a second). */
  keepSession(reply: FastifyReply, session: { id: string; expiresAt: number }, now: number): void;
}

export function createCookieJar(secure: boolean): CookieJar {
  const base: CookieSerializeOptions = { path: '/', httpOnly: true, signed: true };
  const main: CookieSerializeOptions = secure ? { ...base, secure: true, sameSite: 'none' } : { ...base, sameSite: 'lax' };
  // No SameSite at all (false): @fastify/cookie would otherwise default the twin to Lax.
  const compat: CookieSerializeOptions = { ...base, secure: true, sameSite: false };

  const unsign = (request: FastifyRequest, raw: string | undefined): string | undefined => {
    if (!raw) return undefined;
    const result = request.unsignCookie(raw);
    return result.valid && result.value ? result.value : undefined;
  };

  return {
    read(request, name) {
      return unsign(request, request.cookies[name]) ?? (secure ? unsign(request, request.cookies[`${name}_compat`]) : undefined);
    },
    write(reply, name, value, maxAgeSeconds) {
      reply.setCookie(name, value, { ...main, maxAge: maxAgeSeconds });
      if (secure) reply.setCookie(`${name}_compat`, value, { ...compat, maxAge: maxAgeSeconds });
    },
    clear(reply, name) {
      reply.clearCookie(name, main);
      if (secure) reply.clearCookie(`${name}_compat`, compat);
    },
    deviceId(request, newId) {
      return this.read(request, DEVICE_COOKIE) ?? newId();
    },
    keepDevice(reply, deviceId) {
      this.write(reply, DEVICE_COOKIE, deviceId, DEVICE_COOKIE_MAX_AGE);
    },
    keepSession(reply, session, now) {
      this.write(reply, SESSION_COOKIE, session.id, Math.max(1, Math.floor((session.expiresAt - now) / 1000)));
    },
  };
}

/** Whether this request's browser is remembered for a user's second factor (the `auth0-mf` cookie). */
export function rememberedBrowser(request: FastifyRequest, deps: { cookies: CookieJar; rememberedBrowsers: RememberedBrowsers }): (userId: string) => Promise<boolean> {
  const cookie = deps.cookies.read(request, REMEMBER_COOKIE);
  return (userId) => deps.rememberedBrowsers.remembers(cookie, userId);
}

/** How many signed values the cookie signer remembers: the cookies of about a thousand browsers at once. */
const REMEMBERED_VALUES = 2_000;

export interface CookieSigner {
  sign(value: string): string;
  unsign(input: string): UnsignResult;
}

/**
 * @fastify/cookie's HMAC signer, remembering what it signed and verified. A login's requests send the
 * same `did` and `auth0` cookies again and again, and an HMAC for each (a new Hmac with its key every
 * time) was 4 % of a page login's CPU. Only values this signer signed or found valid are remembered, so
 * a forged cookie is checked every time, and the memory is bounded: each table starts over when full.
 */
export function rememberingSigner(secret: string): CookieSigner {
  const signer = new Signer(secret);
  const signedOf = new Map<string, string>();
  const valueOf = new Map<string, string>();
  const remember = (table: Map<string, string>, key: string, value: string): void => {
    if (table.size >= REMEMBERED_VALUES) table.clear();
    table.set(key, value);
  };
  return {
    sign(value) {
      let signed = signedOf.get(value);
      if (signed === undefined) {
        signed = signer.sign(value);
        remember(signedOf, value, signed);
        remember(valueOf, signed, value);
      }
      return signed;
    },
    unsign(input) {
      const value = valueOf.get(input);
      if (value !== undefined) return { valid: true, renew: false, value };
      const result = signer.unsign(input);
      if (result.valid) remember(valueOf, input, result.value);
      return result;
    },
  };
}
