import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { SPA } from '../support/flows.js';
import { token } from '../support/api.js';

/**
 * Deep JSON is refused with a 400 before it reaches a service (Authentication API and Management API
 * shapes alike), and a refused write leaves nothing behind: the user reads as before.
 */
const nested = (depth: number, leaf = '1'): string => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
const nestedObject = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('deep JSON', () => {
  let t: TestApp;
  let bearer: string;
  let userId: string;
  beforeEach(async () => {
    t = await buildTestApp({ tenant: { ...(await import('../../src/config/default-tenant.js')).defaultTenant, users: [{ connection: 'email', email: 'deep@example.com', user_id: 'email|0000000000000000000000dd' }] } });
    userId = 'email|0000000000000000000000dd';
    const m2m = await token(t.app, { grant_type: 'client_credentials', client_id: 'understudy-m2m', client_secret: 'understudy-m2m-secret', audience: `${t.issuer}api/v2/` });
    bearer = m2m.json().access_token;
  });
  afterEach(() => t.app.close());

  const json = (method: 'POST' | 'PATCH', url: string, payload: string, auth?: string) =>
    t.app.inject({ method, url, payload, headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) } });

  it('20,000 nested arrays in /passwordless/start and /oauth/token: 400 invalid_request, no 500', async () => {
    for (const url of ['/passwordless/start', '/oauth/token']) {
      const response = await json('POST', url, `{"client_id":${nested(20_000)}}`);
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toEqual({ error: 'invalid_request', error_description: 'The JSON body nests deeper than 32 levels' });
    }
    expect((await t.app.inject('/healthz')).statusCode).toBe(200);
  });

  it('a PATCH with user_metadata 1,900 deep: 400 invalid_body in the Management API shape, and the user reads as before', async () => {
    const url = `/api/v2/users/${encodeURIComponent(userId)}`;
    const get = () => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bearer}` } });
    const before = (await get()).json();
    const refused = await json('PATCH', url, JSON.stringify({ user_metadata: nestedObject(1_900) }), bearer);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: 'The JSON body nests deeper than 32 levels', errorCode: 'invalid_body' });
    const after = await get();
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual(before);
  });

  it('ordinary nesting still loads: 30 levels of metadata, and brackets inside strings do not count', async () => {
    const url = `/api/v2/users/${encodeURIComponent(userId)}`;
    const ok = await json('PATCH', url, JSON.stringify({ user_metadata: { deep: nestedObject(29), note: '[[[[{{{{'.repeat(20) } }), bearer);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().user_metadata.note).toBe('[[[[{{{{'.repeat(20));
    const start = await json('POST', '/passwordless/start', JSON.stringify({ client_id: SPA, connection: 'email', email: 'x@example.com', send: 'code', authParams: { scope: 'openid', state: '{"a":[[[["' } }));
    expect(start.statusCode, start.body).toBe(200);
  });
});
