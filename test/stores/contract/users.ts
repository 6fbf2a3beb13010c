import { beforeEach, expect, it } from 'vitest';
import type { RefreshTokenStore, SessionStore, UserStore } from '../../../src/store/types.js';
import type { PortContract } from './fixtures.js';

/**
 * The UserStore contract. Users are unique per connection + identifier, found by id or identifier,
 * patched without partial writes, listed in creation order, and deleted with what hangs off them.
 */
export const usersContract: PortContract = {
  port: 'UserStore',
  concern: 'users',
  cases(subject) {
    const { user, session, refreshToken } = subject.records;
    // Deleting a user reaches into its sessions and refresh tokens.
    let store: UserStore & SessionStore & RefreshTokenStore;
    beforeEach(() => {
      ({ store } = subject);
    });

    it('inserts a user and finds it by id and by connection + identifier', async () => {
      const jane = user();
      const stored = await store.insertUser(jane, 'jane@example.com');
      expect(stored).toEqual(jane);
      expect(await store.getUser(jane.user_id)).toEqual(jane);
      expect(await store.findUser('email', 'jane@example.com')).toEqual(jane);
    });

    it('finds a user by an alias too (a database user\'s username), which another user cannot take; deleting the user frees it', async () => {
      const db = 'Username-Password-Authentication';
      const jane = user({ user_id: 'auth0|aaaaaaaaaaaaaaaaaaaaaaaa', connection: db, username: 'jane_d' });
      await store.insertUser(jane, 'jane@example.com', ['username|jane_d']);
      expect(await store.findUser(db, 'username|jane_d')).toEqual(jane);
      expect(await store.findUser(db, 'jane@example.com')).toEqual(jane);
      // An alias already taken stays with its owner.
      await store.insertUser(user({ user_id: 'auth0|bbbbbbbbbbbbbbbbbbbbbbbb', connection: db, email: 'john@example.com' }), 'john@example.com', ['username|jane_d']);
      expect((await store.findUser(db, 'username|jane_d'))?.user_id).toBe(jane.user_id);
      expect(await store.deleteUser(jane.user_id)).toBe(true);
      expect(await store.findUser(db, 'username|jane_d')).toBeUndefined();
    });

    it('finds nothing for an unknown id, identifier or connection', async () => {
      await store.insertUser(user(), 'jane@example.com');
      expect(await store.getUser('email|ffffffffffffffffffffffff')).toBeUndefined();
      expect(await store.findUser('email', 'john@example.com')).toBeUndefined();
      expect(await store.findUser('sms', 'jane@example.com')).toBeUndefined();
    });

    it('insertUser is idempotent per connection + identifier and returns the user already stored', async () => {
      const first = await store.insertUser(user({ user_id: 'email|aaaaaaaaaaaaaaaaaaaaaaaa' }), 'jane@example.com');
      const second = await store.insertUser(user({ user_id: 'email|bbbbbbbbbbbbbbbbbbbbbbbb', name: 'Other' }), 'jane@example.com');
      expect(first.user_id).toBe('email|aaaaaaaaaaaaaaaaaaaaaaaa');
      expect(second).toEqual(first);
      expect(await store.getUser('email|bbbbbbbbbbbbbbbbbbbbbbbb')).toBeUndefined();
      expect((await store.findUser('email', 'jane@example.com'))?.user_id).toBe('email|aaaaaaaaaaaaaaaaaaaaaaaa');
    });

    it('concurrent inserts of the same identifier all return the one stored user', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.insertUser(user({ user_id: `email|${String(i).repeat(24)}` }), 'race@example.com')),
      );
      expect(new Set(results.map((u) => u.user_id)).size).toBe(1);
      expect((await store.findUser('email', 'race@example.com'))?.user_id).toBe(results[0]?.user_id);
    });

    it('the same identifier on another connection is another user', async () => {
      await store.insertUser(user({ user_id: 'email|aaaaaaaaaaaaaaaaaaaaaaaa', connection: 'email' }), 'jane@example.com');
      const other = await store.insertUser(
        user({ user_id: 'auth0|bbbbbbbbbbbbbbbbbbbbbbbb', connection: 'Username-Password-Authentication' }),
        'jane@example.com',
      );
      expect(other.user_id).toBe('auth0|bbbbbbbbbbbbbbbbbbbbbbbb');
      expect((await store.findUser('email', 'jane@example.com'))?.user_id).toBe('email|aaaaaaaaaaaaaaaaaaaaaaaa');
      expect((await store.findUser('Username-Password-Authentication', 'jane@example.com'))?.user_id).toBe('auth0|bbbbbbbbbbbbbbbbbbbbbbbb');
    });

    it('updateUser applies a patch, returns the updated user, and refuses unknown ids', async () => {
      const jane = user();
      await store.insertUser(jane, 'jane@example.com');
      const updated = await store.updateUser(jane.user_id, { logins_count: 1, last_login: '2026-03-01T10:05:00.000Z', app_metadata: { plan: 'pro' } });
      expect(updated).toMatchObject({ user_id: jane.user_id, email: 'jane@example.com', logins_count: 1, last_login: '2026-03-01T10:05:00.000Z', app_metadata: { plan: 'pro' } });
      expect(await store.getUser(jane.user_id)).toEqual(updated);
      expect(await store.findUser('email', 'jane@example.com')).toEqual(updated);
      expect(await store.updateUser('email|ffffffffffffffffffffffff', { logins_count: 5 })).toBeUndefined();
      expect(await store.getUser('email|ffffffffffffffffffffffff')).toBeUndefined();
    });

    it('hands out copies: mutating inputs or returned users does not change the stored user', async () => {
      const jane = user();
      const inserted = await store.insertUser(jane, 'jane@example.com');
      jane.name = 'mutated input';
      jane.app_metadata.plan = 'mutated input';
      inserted.nickname = 'mutated insert result';
      inserted.identities[0]!.user_id = 'mutated';

      const got = (await store.getUser(jane.user_id))!;
      got.user_metadata.theme = 'mutated get result';
      got.identities.push({ provider: 'x', connection: 'x', user_id: 'x', isSocial: true });
      const found = (await store.findUser('email', 'jane@example.com'))!;
      found.email = 'mutated@example.com';
      const patch = { app_metadata: { plan: 'pro' } };
      const updated = (await store.updateUser(jane.user_id, patch))!;
      patch.app_metadata.plan = 'mutated patch';
      updated.logins_count = 99;

      expect(await store.getUser(jane.user_id)).toEqual(user({ app_metadata: { plan: 'pro' } }));
    });

    it('listUsers returns every user in creation order, as copies', async () => {
      await store.insertUser(user({ user_id: 'email|aaaaaaaaaaaaaaaaaaaaaaaa', email: 'a@example.com' }), 'a@example.com');
      await store.insertUser(user({ user_id: 'email|bbbbbbbbbbbbbbbbbbbbbbbb', email: 'b@example.com' }), 'b@example.com');
      const listed = await store.listUsers();
      expect(listed.map((u) => u.email)).toEqual(['a@example.com', 'b@example.com']);
      listed[0]!.name = 'mutated';
      expect((await store.getUser('email|aaaaaaaaaaaaaaaaaaaaaaaa'))?.name).toBe('jane@example.com');
    });

    it('deleteUser removes the user, its identifier, its sessions and its refresh tokens; unknown ids answer false', async () => {
      const jane = user();
      await store.insertUser(jane, 'jane@example.com');
      await store.createSession(session());
      await store.saveRefreshToken(refreshToken());
      expect(await store.deleteUser(jane.user_id)).toBe(true);
      expect(await store.getUser(jane.user_id)).toBeUndefined();
      expect(await store.findUser('email', 'jane@example.com')).toBeUndefined();
      expect(await store.getSession('sess_1')).toBeUndefined();
      expect(await store.getRefreshToken('rt_hash_1')).toBeUndefined();
      expect(await store.deleteUser(jane.user_id)).toBe(false);
      // The identifier is free again.
      const again = await store.insertUser(user({ user_id: 'email|cccccccccccccccccccccccc' }), 'jane@example.com');
      expect(again.user_id).toBe('email|cccccccccccccccccccccccc');
    });

    it('a write that fails leaves the record as it was: an updateUser whose patch cannot be stored changes neither the user nor its identifier', async () => {
      const jane = user();
      await store.insertUser(jane, 'jane@example.com');
      const before = await store.getUser(jane.user_id);
      // A value no backend can store: reading it throws (as a deeply nested or hostile value would).
      const unstorable = { get theme(): never { throw new Error('cannot be serialised'); } };
      await expect(store.updateUser(jane.user_id, { email: 'jane.new@example.com', user_metadata: unstorable as unknown as Record<string, unknown> })).rejects.toThrow();
      expect(await store.getUser(jane.user_id)).toEqual(before);
      expect((await store.findUser('email', 'jane@example.com'))?.user_id).toBe(jane.user_id);
      expect(await store.findUser('email', 'jane.new@example.com')).toBeUndefined();
    });

    it('updateUser with a new email moves the identifier: the new address finds the user, the old one nothing', async () => {
      const jane = user();
      await store.insertUser(jane, 'jane@example.com');
      await store.updateUser(jane.user_id, { email: 'jane.new@example.com' });
      expect((await store.findUser('email', 'jane.new@example.com'))?.user_id).toBe(jane.user_id);
      expect(await store.findUser('email', 'jane@example.com')).toBeUndefined();
    });
  },
};
