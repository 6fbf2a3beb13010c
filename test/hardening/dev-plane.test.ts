import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../support/app.js';
import { SPA } from '../support/flows.js';
import { post } from '../support/api.js';

/**
 * A web page cannot drive the dev control plane: cross-site forms and text/plain bodies (which need no
 * CORS preflight) are refused, a foreign Origin cannot change state, and a request for another Host
 * (DNS rebinding) reads nothing. The mailbox page, tests and curl keep working.
 */
const ISSUER = 'http://understudy.test/';
const EVIL = 'http://evil.example';

describe('the dev plane against a web page', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({ issuer: ISSUER, app: { devHosts: ['understudy-svc'] } });
  });
  afterEach(() => t.app.close());

  const state = async () => ({
    fixed: (await t.app.inject('/_dev/api/fixed-codes')).json(),
    clock: (await t.app.inject('/_dev/api/clock')).json(),
    messages: (await t.app.inject('/_dev/api/messages')).json().messages.length,
  });
  const refused = (response: LightMyRequestResponse, status: number) => {
    expect(response.statusCode, response.body).toBe(status);
    expect(response.json().error).toBe(status === 415 ? 'invalid_request' : 'access_denied');
  };

  it('a cross-site form (match=*&code=000000), a text/plain reset and a foreign-Origin clock move change nothing', async () => {
    expect((await post(t.app, '/passwordless/start', { client_id: SPA, connection: 'email', email: 'kept@example.com', send: 'code' })).statusCode).toBe(200);
    const before = await state();
    const form = { 'content-type': 'application/x-www-form-urlencoded', origin: EVIL };
    refused(await t.app.inject({ method: 'POST', url: '/_dev/api/fixed-codes', payload: 'match=*&code=000000', headers: form }), 403);
    // The same form with no Origin (an old browser, a privacy extension): still not JSON.
    refused(await t.app.inject({ method: 'POST', url: '/_dev/api/fixed-codes', payload: 'match=*&code=000000', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
    refused(await t.app.inject({ method: 'POST', url: '/_dev/api/reset', payload: '{}', headers: { 'content-type': 'text/plain', origin: EVIL } }), 403);
    refused(await t.app.inject({ method: 'POST', url: '/_dev/api/reset', payload: 'x', headers: { 'content-type': 'text/plain' } }), 415);
    // A bodiless POST is a "simple" request a page can send with fetch(mode: 'no-cors'): its Origin gives it away.
    refused(await t.app.inject({ method: 'POST', url: '/_dev/api/reset', headers: { origin: EVIL } }), 403);
    refused(await t.app.inject({ method: 'POST', url: '/_dev/api/reset', headers: { origin: 'null' } }), 403);
    refused(await t.app.inject({ method: 'POST', url: '/_dev/api/clock', payload: JSON.stringify({ advance_seconds: 86400 }), headers: { 'content-type': 'application/json', origin: EVIL } }), 403);
    refused(await t.app.inject({ method: 'DELETE', url: '/_dev/api/messages', headers: { origin: 'http://understudy.test.evil.example' } }), 403);
    expect(await state()).toEqual(before);
  });

  it('a rebound Host reads nothing: not the snapshot with keys, not the mailbox', async () => {
    for (const url of ['/_dev/api/snapshot?include=keys', '/_dev/api/messages', '/_dev/mailbox', '/_dev/api/clock']) {
      const response = await t.app.inject({ method: 'GET', url, headers: { host: 'rebind.attacker.test' } });
      expect(response.statusCode, url).toBe(403);
      expect(response.body).not.toContain('signing');
      expect(response.body).not.toContain('"messages"');
    }
    refused(await t.app.inject({ method: 'POST', url: '/_dev/api/reset', headers: { host: 'rebind.attacker.test:4000' } }), 403);
  });

  it('behind a trusted proxy, a rebound page cannot pass itself off with X-Forwarded-Host', async () => {
    await t.app.close();
    t = await buildTestApp({ issuer: ISSUER, app: { trustProxy: true } });
    for (const headers of [{ host: 'rebind.attacker.test', 'x-forwarded-host': 'localhost' }, { host: 'localhost:4000', 'x-forwarded-host': 'rebind.attacker.test' }]) {
      const response = await t.app.inject({ method: 'GET', url: '/_dev/api/snapshot?include=keys', headers });
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(response.body).not.toContain('signing');
    }
    expect((await t.app.inject({ method: 'GET', url: '/_dev/api/clock', headers: { host: 'localhost:4000', 'x-forwarded-host': 'localhost:4100' } })).statusCode).toBe(200);
  });

  it('answers on the issuer host, loopback names and UNDERSTUDY_DEV_HOSTS, and takes JSON from their origins and from programs', async () => {
    for (const host of ['understudy.test', 'localhost:4000', '127.0.0.1:4000', '[::1]:4000', 'app.localhost', 'understudy-svc:4000']) {
      expect((await t.app.inject({ method: 'GET', url: '/_dev/api/clock', headers: { host } })).statusCode, host).toBe(200);
    }
    const json = { 'content-type': 'application/json' };
    for (const origin of [undefined, 'http://understudy.test', 'http://localhost:4000', 'http://127.0.0.1:3000', 'http://understudy-svc:4000']) {
      const headers = origin ? { ...json, origin } : json;
      const added = await t.app.inject({ method: 'POST', url: '/_dev/api/fixed-codes', payload: JSON.stringify({ match: '*@e2e.test', code: '123456' }), headers });
      expect(added.statusCode, String(origin)).toBe(201);
      expect((await t.app.inject({ method: 'DELETE', url: '/_dev/api/fixed-codes', headers: origin ? { origin } : {} })).statusCode).toBe(204);
    }
    expect((await t.app.inject({ method: 'POST', url: '/_dev/api/reset', headers: { origin: 'http://localhost:4000' } })).statusCode).toBe(204);
  });
});
