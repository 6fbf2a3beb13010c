import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.js';
import { SPA, exchangeCode, passwordlessLogin } from '../support/flows.js';
import { httpLogin, jwksKid, startServer } from '../support/http-login.js';
import type { Snapshot } from '../../src/dev/snapshot.js';

/**
 * Snapshots: GET /_dev/api/snapshot exports the users (and on request the sessions and keys), and
 * `--seed <file>` rebuilds an environment from one: same users, same `sub`s, and with the keys the
 * same `kid`, also after /_dev/api/reset.
 */
const dir = mkdtempSync(join(tmpdir(), 'understudy-snapshot-'));
const DEV_TOKEN = 'snapshot-test-dev-token';
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshots', () => {
  let exported: Snapshot;
  const subs = new Map<string, string>();

  it('exports the users, and with ?include=sessions,keys the live sessions and, to a request with the dev token, the keys', async () => {
    const keyless = await buildTestApp();
    try {
      // No dev token configured: the private keys are never served.
      const refused = await keyless.app.inject('/_dev/api/snapshot?include=sessions,keys');
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({ error: 'access_denied', error_description: expect.stringMatching(/^include=keys needs the dev token: start Understudy with UNDERSTUDY_DEV_TOKEN=/) });
      expect(refused.body).not.toContain('signing_jwk');
    } finally {
      await keyless.app.close();
    }
    const t = await buildTestApp({ app: { devToken: DEV_TOKEN } });
    const bearer = { authorization: `Bearer ${DEV_TOKEN}` };
    try {
      for (const email of ['ada@example.com', 'grace@example.com']) {
        const { callback, verifier } = await passwordlessLogin(t.app, { identifier: email });
        const token = await exchangeCode(t.app, { client_id: SPA, code: callback.searchParams.get('code')!, code_verifier: verifier });
        subs.set(email, String(decodeJwt(token.json().id_token).sub));
      }
      const plain = await t.app.inject({ url: '/_dev/api/snapshot', headers: bearer });
      expect(plain.statusCode).toBe(200);
      expect(plain.json()).toMatchObject({ format: 'understudy-snapshot', version: 1, passkeys: [] });
      expect(plain.json().users.map((u: { email: string }) => u.email)).toEqual(['ada@example.com', 'grace@example.com']);
      expect(plain.json().sessions).toBeUndefined();
      expect(plain.json().keys).toBeUndefined();

      const full = await t.app.inject({ url: '/_dev/api/snapshot?include=sessions,keys', headers: bearer });
      exported = full.json();
      expect(exported.sessions?.map((s) => s.userId)).toEqual([subs.get('ada@example.com'), subs.get('grace@example.com')]);
      expect(exported.keys).toMatchObject({ signing_jwk: { kty: 'RSA' }, master_secret: expect.any(String) });

      const bad = await t.app.inject({ url: '/_dev/api/snapshot?include=passwords', headers: bearer });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ error: 'invalid_request' });
    } finally {
      await t.app.close();
    }
  });

  it('--seed rebuilds the environment: same users and subs, same kid, and /_dev/api/reset keeps them', async () => {
    const file = join(dir, 'snapshot.json');
    writeFileSync(file, JSON.stringify(exported));
    const kidOfSnapshot = await (async () => {
      const t = await buildTestApp();
      try {
        return (await t.app.inject('/.well-known/jwks.json')).json().keys[0].kid as string;
      } finally {
        await t.app.close();
      }
    })();
    const server = await startServer({ UNDERSTUDY_DATA_DIR: join(dir, 'fresh-data'), ISSUER_BASE_URL: 'http://understudy.test/' }, ['--seed', file]);
    try {
      expect(server.output()).toContain(`seeded from   ${file} (2 users, 2 sessions, keys)`);
      expect(await jwksKid(server.base)).toBe(kidOfSnapshot);
      const login = await httpLogin('grace@example.com', server.base);
      expect(login.sub).toBe(subs.get('grace@example.com'));

      expect((await fetch(`${server.base}/_dev/api/reset`, { method: 'POST' })).status).toBe(204);
      const after = (await (await fetch(`${server.base}/_dev/api/snapshot`)).json()) as Snapshot;
      expect(after.users.map((u) => u.user_id).sort()).toEqual([...subs.values()].sort());
    } finally {
      await server.stop();
    }
  }, 90_000);

  it('a snapshot file that is not one stops start-up, naming the setting and the problem', async () => {
    const file = join(dir, 'not-a-snapshot.json');
    writeFileSync(file, JSON.stringify({ users: 'everyone' }));
    await expect(startServer({ UNDERSTUDY_DATA_DIR: join(dir, 'data-bad'), UNDERSTUDY_SEED: file })).rejects.toThrow(
      /exited \(2\)[\s\S]*--seed \/ UNDERSTUDY_SEED[\s\S]*format: must be "understudy-snapshot"[\s\S]*users: must be an array/,
    );
  }, 60_000);
});
