import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/clock.js';
import type { AuthorizationCode, Message, OtpChallenge, Passkey, RefreshToken, Session, Store, Transaction, User } from '../../src/store/types.js';

/**
 * The behaviour every Store must have, whatever keeps the data (memory now; SQLite and Redis later).
 * Run it from a `*.test.ts` file:  storeContract('memory', (clock) => createMemoryStore(clock));
 * The store must read time only from the clock it is given, so expiry is tested by moving the clock.
 */
export function storeContract(name: string, makeStore: (clock: ManualClock) => Promise<Store> | Store): void {
  const T0 = Date.parse('2026-03-01T10:00:00Z');
  const MINUTE = 60_000;

  describe(`Store contract: ${name}`, () => {
    let clock: ManualClock;
    let store: Store;

    beforeEach(async () => {
      clock = createManualClock(T0);
      store = await makeStore(clock);
    });
    afterEach(async () => {
      await store.close();
    });

    const transaction = (overrides: Partial<Transaction> = {}): Transaction => ({
      id: 'txn_1',
      deviceId: 'device_1',
      clientId: 'client_1',
      redirectUri: 'http://localhost:3000/callback',
      responseType: 'code',
      responseMode: 'query',
      scope: 'openid profile',
      audience: undefined,
      clientState: 'client-state',
      nonce: 'n-0S6_WzA2Mj',
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      codeChallengeMethod: 'S256',
      maxAge: undefined,
      prompt: undefined,
      connection: 'email',
      loginHint: undefined,
      uiLocales: undefined,
      identifier: undefined,
      authenticated: undefined,
      createdAt: clock.now(),
      expiresAt: clock.now() + 30 * MINUTE,
      ...overrides,
    });

    const authenticated = (sessionId = 'sess_1'): NonNullable<Transaction['authenticated']> => ({
      userId: 'email|0123456789abcdef01234567',
      connection: 'email',
      authTime: Math.floor(clock.now() / 1000),
      sessionId,
    });

    const challenge = (overrides: Partial<OtpChallenge> = {}): OtpChallenge => ({
      key: 'email:jane@example.com',
      id: 'otp_1',
      codeHash: 'hash-of-code-1',
      attempts: 0,
      exhausted: false,
      createdAt: clock.now(),
      expiresAt: clock.now() + 3 * MINUTE,
      ...overrides,
    });

    const authCode = (overrides: Partial<AuthorizationCode> = {}): AuthorizationCode => ({
      code: 'code_1',
      clientId: 'client_1',
      redirectUri: 'http://localhost:3000/callback',
      userId: 'email|0123456789abcdef01234567',
      scope: 'openid profile email',
      audience: undefined,
      nonce: 'nonce-1',
      codeChallenge: 'challenge',
      codeChallengeMethod: 'S256',
      authTime: Math.floor(clock.now() / 1000),
      maxAgeRequested: false,
      sessionId: 'sess_1',
      expiresAt: clock.now() + MINUTE,
      ...overrides,
    });

    const user = (overrides: Partial<User> = {}): User => ({
      user_id: 'email|0123456789abcdef01234567',
      connection: 'email',
      email: 'jane@example.com',
      email_verified: true,
      name: 'jane@example.com',
      nickname: 'jane',
      picture: 'https://cdn.example/avatar/ja.png',
      identities: [{ provider: 'email', connection: 'email', user_id: '0123456789abcdef01234567', isSocial: false }],
      app_metadata: { plan: 'free' },
      user_metadata: { theme: 'dark' },
      blocked: false,
      created_at: new Date(clock.now()).toISOString(),
      updated_at: new Date(clock.now()).toISOString(),
      logins_count: 0,
      ...overrides,
    });

    const session = (overrides: Partial<Session> = {}): Session => ({
      id: 'sess_1',
      userId: 'email|0123456789abcdef01234567',
      deviceId: 'device_1',
      authTime: Math.floor(clock.now() / 1000),
      clients: ['client_1'],
      createdAt: clock.now(),
      lastActiveAt: clock.now(),
      expiresAt: clock.now() + 72 * 60 * MINUTE,
      ...overrides,
    });

    const refreshToken = (overrides: Partial<RefreshToken> = {}): RefreshToken => ({
      tokenHash: 'rt_hash_1',
      familyId: 'family_1',
      clientId: 'client_1',
      userId: 'email|0123456789abcdef01234567',
      scope: 'openid profile offline_access',
      audience: undefined,
      sessionId: 'sess_1',
      createdAt: clock.now(),
      rotatedAt: undefined,
      expiresAt: clock.now() + 30 * 24 * 60 * MINUTE,
      idleExpiresAt: clock.now() + 15 * 24 * 60 * MINUTE,
      ...overrides,
    });

    // Ids sort in arrival order, as the outbox makes them.
    let messageSeq = 0;
    const message = (overrides: Partial<Message> = {}): Message => {
      messageSeq++;
      return {
        id: `msg_${String(messageSeq).padStart(6, '0')}`,
        channel: 'email',
        to: 'jane@example.com',
        from: 'App <no-reply@understudy.local>',
        subject: 'Welcome to App',
        text: `Your verification code is: ${String(messageSeq).padStart(6, '0')}`,
        html: '<p>code</p>',
        code: String(messageSeq).padStart(6, '0'),
        link: null,
        connection: 'email',
        client_id: 'client_1',
        created_at: new Date(clock.now()).toISOString(),
        expires_at: new Date(clock.now() + 3 * MINUTE).toISOString(),
        ...overrides,
      };
    };

    describe('transactions', () => {
      it('returns a created transaction by id, field for field', async () => {
        const txn = transaction();
        await store.createTransaction(txn);
        expect(await store.getTransaction('txn_1')).toEqual(txn);
        expect(await store.getTransaction('txn_unknown')).toBeUndefined();
      });

      it('applies a patch and returns the updated transaction; unknown ids update nothing', async () => {
        await store.createTransaction(transaction());
        const updated = await store.updateTransaction('txn_1', { identifier: 'jane@example.com', connection: 'sms' });
        expect(updated).toMatchObject({ id: 'txn_1', identifier: 'jane@example.com', connection: 'sms', clientState: 'client-state' });
        expect(await store.getTransaction('txn_1')).toMatchObject({ identifier: 'jane@example.com', connection: 'sms' });
        expect(await store.updateTransaction('txn_unknown', { identifier: 'x' })).toBeUndefined();
        expect(await store.getTransaction('txn_unknown')).toBeUndefined();
      });

      it('forgets a transaction once the clock reaches its expiresAt', async () => {
        await store.createTransaction(transaction({ expiresAt: T0 + 10 * MINUTE }));
        clock.set(T0 + 10 * MINUTE - 1);
        expect(await store.getTransaction('txn_1')).toBeDefined();
        clock.set(T0 + 10 * MINUTE);
        expect(await store.getTransaction('txn_1')).toBeUndefined();
        expect(await store.updateTransaction('txn_1', { identifier: 'late@example.com' })).toBeUndefined();
      });

      it('finishTransaction returns an authenticated transaction once and never again', async () => {
        await store.createTransaction(transaction());
        await store.updateTransaction('txn_1', { authenticated: authenticated() });
        const finished = await store.finishTransaction('txn_1');
        expect(finished).toMatchObject({ id: 'txn_1', authenticated: authenticated() });
        expect(await store.finishTransaction('txn_1')).toBeUndefined();
        expect(await store.getTransaction('txn_1')).toBeUndefined();
      });

      it('finishTransaction refuses an unauthenticated transaction and leaves it in place', async () => {
        await store.createTransaction(transaction());
        expect(await store.finishTransaction('txn_1')).toBeUndefined();
        expect(await store.getTransaction('txn_1')).toMatchObject({ id: 'txn_1', authenticated: undefined });
        expect(await store.finishTransaction('txn_unknown')).toBeUndefined();
      });

      it('finishTransaction refuses an authenticated transaction that has expired', async () => {
        await store.createTransaction(transaction({ authenticated: authenticated(), expiresAt: T0 + MINUTE }));
        clock.set(T0 + MINUTE);
        expect(await store.finishTransaction('txn_1')).toBeUndefined();
      });

      it('lets exactly one of several concurrent finishTransaction calls win', async () => {
        await store.createTransaction(transaction({ authenticated: authenticated() }));
        const results = await Promise.all(Array.from({ length: 8 }, () => store.finishTransaction('txn_1')));
        expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      });

      it('hands out copies: mutating the input or a returned transaction does not change the stored one', async () => {
        const txn = transaction();
        await store.createTransaction(txn);
        txn.scope = 'mutated-after-create';
        const got = (await store.getTransaction('txn_1'))!;
        got.identifier = 'mutated@example.com';
        const updated = (await store.updateTransaction('txn_1', { prompt: 'login' }))!;
        updated.clientState = 'mutated';
        expect(await store.getTransaction('txn_1')).toMatchObject({ scope: 'openid profile', identifier: undefined, clientState: 'client-state', prompt: 'login' });
      });
    });

    describe('OTP challenges', () => {
      it('recordOtpAttempt counts each attempt and returns the count after counting', async () => {
        await store.replaceOtpChallenge(challenge());
        expect((await store.recordOtpAttempt('email:jane@example.com'))?.attempts).toBe(1);
        expect((await store.recordOtpAttempt('email:jane@example.com'))?.attempts).toBe(2);
        const third = await store.recordOtpAttempt('email:jane@example.com');
        expect(third).toMatchObject({ key: 'email:jane@example.com', id: 'otp_1', codeHash: 'hash-of-code-1', attempts: 3, exhausted: false });
      });

      it('recordOtpAttempt finds nothing for a key without a challenge', async () => {
        await store.replaceOtpChallenge(challenge());
        expect(await store.recordOtpAttempt('email:other@example.com')).toBeUndefined();
        expect(await store.recordOtpAttempt('sms:jane@example.com')).toBeUndefined();
      });

      it('counts concurrent attempts without losing any', async () => {
        await store.replaceOtpChallenge(challenge());
        const results = await Promise.all(Array.from({ length: 6 }, () => store.recordOtpAttempt('email:jane@example.com')));
        expect(results.map((r) => r?.attempts).sort()).toEqual([1, 2, 3, 4, 5, 6]);
      });

      it('replacing a challenge invalidates the previous one and starts counting afresh', async () => {
        await store.replaceOtpChallenge(challenge({ id: 'otp_old', codeHash: 'old' }));
        await store.recordOtpAttempt('email:jane@example.com');
        await store.recordOtpAttempt('email:jane@example.com');
        await store.replaceOtpChallenge(challenge({ id: 'otp_new', codeHash: 'new' }));
        const current = await store.recordOtpAttempt('email:jane@example.com');
        expect(current).toMatchObject({ id: 'otp_new', codeHash: 'new', attempts: 1 });
        expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_old')).toBe(false);
        expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_new')).toBe(true);
      });

      it('consumeOtpChallenge succeeds once and only for the current id', async () => {
        await store.replaceOtpChallenge(challenge());
        expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_other')).toBe(false);
        expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_1')).toBe(true);
        expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_1')).toBe(false);
        expect(await store.recordOtpAttempt('email:jane@example.com')).toBeUndefined();
      });

      it('lets exactly one of several concurrent consumers of a challenge win', async () => {
        await store.replaceOtpChallenge(challenge());
        const results = await Promise.all(Array.from({ length: 8 }, () => store.consumeOtpChallenge('email:jane@example.com', 'otp_1')));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('markOtpExhausted makes the challenge refuse consumption and reports it as exhausted', async () => {
        await store.replaceOtpChallenge(challenge());
        await store.markOtpExhausted('email:jane@example.com', 'otp_1');
        expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_1')).toBe(false);
        expect(await store.recordOtpAttempt('email:jane@example.com')).toMatchObject({ id: 'otp_1', exhausted: true });
      });

      it('markOtpExhausted with a superseded id leaves the current challenge usable', async () => {
        await store.replaceOtpChallenge(challenge({ id: 'otp_old' }));
        await store.replaceOtpChallenge(challenge({ id: 'otp_new' }));
        await store.markOtpExhausted('email:jane@example.com', 'otp_old');
        expect(await store.recordOtpAttempt('email:jane@example.com')).toMatchObject({ id: 'otp_new', exhausted: false });
        expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_new')).toBe(true);
      });

      it('a fresh challenge after exhaustion is usable again', async () => {
        await store.replaceOtpChallenge(challenge({ id: 'otp_old' }));
        await store.markOtpExhausted('email:jane@example.com', 'otp_old');
        await store.replaceOtpChallenge(challenge({ id: 'otp_new' }));
        expect(await store.consumeOtpChallenge('email:jane@example.com', 'otp_new')).toBe(true);
      });

      it('keeps challenges for different keys apart', async () => {
        await store.replaceOtpChallenge(challenge({ key: 'email:a@example.com', id: 'otp_a' }));
        await store.replaceOtpChallenge(challenge({ key: 'email:b@example.com', id: 'otp_b' }));
        await store.recordOtpAttempt('email:a@example.com');
        await store.markOtpExhausted('email:a@example.com', 'otp_a');
        expect(await store.recordOtpAttempt('email:b@example.com')).toMatchObject({ id: 'otp_b', attempts: 1, exhausted: false });
        expect(await store.consumeOtpChallenge('email:b@example.com', 'otp_a')).toBe(false);
        expect(await store.consumeOtpChallenge('email:b@example.com', 'otp_b')).toBe(true);
      });
    });

    describe('authorization codes', () => {
      it('returns a saved code once and never again', async () => {
        const saved = authCode();
        await store.saveAuthorizationCode(saved);
        expect(await store.consumeAuthorizationCode('code_1')).toEqual(saved);
        expect(await store.consumeAuthorizationCode('code_1')).toBeUndefined();
      });

      it('returns undefined for a code that was never saved', async () => {
        await store.saveAuthorizationCode(authCode());
        expect(await store.consumeAuthorizationCode('code_2')).toBeUndefined();
      });

      it('refuses a code once the clock reaches its expiresAt', async () => {
        await store.saveAuthorizationCode(authCode({ code: 'code_live', expiresAt: T0 + MINUTE }));
        await store.saveAuthorizationCode(authCode({ code: 'code_dead', expiresAt: T0 + MINUTE }));
        clock.set(T0 + MINUTE - 1);
        expect(await store.consumeAuthorizationCode('code_live')).toMatchObject({ code: 'code_live' });
        clock.set(T0 + MINUTE);
        expect(await store.consumeAuthorizationCode('code_dead')).toBeUndefined();
      });

      it('lets exactly one of several concurrent consumers win', async () => {
        await store.saveAuthorizationCode(authCode());
        const results = await Promise.all(Array.from({ length: 10 }, () => store.consumeAuthorizationCode('code_1')));
        const winners = results.filter((r) => r !== undefined);
        expect(winners).toHaveLength(1);
        expect(winners[0]).toMatchObject({ code: 'code_1', userId: 'email|0123456789abcdef01234567' });
      });

      it('keeps the fields that are undefined or false as they were saved', async () => {
        const saved = authCode({ nonce: undefined, audience: 'https://api.example', codeChallenge: undefined, codeChallengeMethod: undefined, maxAgeRequested: true });
        await store.saveAuthorizationCode(saved);
        const got = await store.consumeAuthorizationCode('code_1');
        expect(got?.nonce).toBeUndefined();
        expect(got?.codeChallenge).toBeUndefined();
        expect(got).toMatchObject({ audience: 'https://api.example', maxAgeRequested: true });
      });
    });

    describe('users', () => {
      it('inserts a user and finds it by id and by connection + identifier', async () => {
        const jane = user();
        const stored = await store.insertUser(jane, 'jane@example.com');
        expect(stored).toEqual(jane);
        expect(await store.getUser(jane.user_id)).toEqual(jane);
        expect(await store.findUser('email', 'jane@example.com')).toEqual(jane);
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
    });

    describe('user administration', () => {
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

      it('reset forgets everything', async () => {
        await store.createTransaction(transaction());
        await store.replaceOtpChallenge(challenge());
        await store.saveAuthorizationCode(authCode());
        await store.insertUser(user(), 'jane@example.com');
        await store.createSession(session());
        await store.saveRefreshToken(refreshToken());
        await store.appendMessage(message());
        await store.reset();
        expect(await store.getTransaction('txn_1')).toBeUndefined();
        expect(await store.recordOtpAttempt('email:jane@example.com')).toBeUndefined();
        expect(await store.consumeAuthorizationCode('code_1')).toBeUndefined();
        expect(await store.listUsers()).toEqual([]);
        expect(await store.findUser('email', 'jane@example.com')).toBeUndefined();
        expect(await store.getSession('sess_1')).toBeUndefined();
        expect(await store.getRefreshToken('rt_hash_1')).toBeUndefined();
        expect(await store.listMessages({})).toEqual([]);
      });
    });

    describe('passkeys', () => {
      const passkey = (overrides: Partial<Passkey> = {}): Passkey => ({
        id: 'cred_1',
        userId: 'auth0|aaaaaaaaaaaaaaaaaaaaaaaa',
        publicKey: 'pQECAyYgASFYIK',
        counter: 0,
        transports: ['internal'],
        deviceType: 'singleDevice',
        backedUp: false,
        aaguid: '00000000-0000-0000-0000-000000000000',
        createdAt: '2026-03-01T10:00:00.000Z',
        lastUsedAt: undefined,
        ...overrides,
      });

      it('saves a passkey once: a second save with the same id is refused and changes nothing', async () => {
        expect(await store.savePasskey(passkey())).toBe(true);
        expect(await store.savePasskey(passkey({ userId: 'auth0|bbbbbbbbbbbbbbbbbbbbbbbb' }))).toBe(false);
        expect(await store.findPasskey('cred_1')).toEqual(passkey());
        expect(await store.findPasskey('cred_unknown')).toBeUndefined();
      });

      it('lists one user\'s passkeys or all of them, oldest first, as copies', async () => {
        await store.savePasskey(passkey({ id: 'cred_a' }));
        await store.savePasskey(passkey({ id: 'cred_b', userId: 'auth0|bbbbbbbbbbbbbbbbbbbbbbbb' }));
        await store.savePasskey(passkey({ id: 'cred_c' }));
        expect((await store.listPasskeys('auth0|aaaaaaaaaaaaaaaaaaaaaaaa')).map((p) => p.id)).toEqual(['cred_a', 'cred_c']);
        const all = await store.listPasskeys();
        expect(all.map((p) => p.id)).toEqual(['cred_a', 'cred_b', 'cred_c']);
        all[0]!.counter = 99;
        expect((await store.findPasskey('cred_a'))?.counter).toBe(0);
        expect(await store.listPasskeys('auth0|nobody')).toEqual([]);
      });

      it('updatePasskeyCounter records the counter and the time of use; unknown ids answer false', async () => {
        await store.savePasskey(passkey());
        expect(await store.updatePasskeyCounter('cred_1', 7, '2026-03-01T11:00:00.000Z')).toBe(true);
        expect(await store.findPasskey('cred_1')).toMatchObject({ counter: 7, lastUsedAt: '2026-03-01T11:00:00.000Z' });
        expect(await store.updatePasskeyCounter('cred_unknown', 1, '2026-03-01T11:00:00.000Z')).toBe(false);
      });

      it('deletePasskey removes it once; deleteUser and reset remove a user\'s passkeys', async () => {
        await store.savePasskey(passkey({ id: 'cred_a' }));
        expect(await store.deletePasskey('cred_a')).toBe(true);
        expect(await store.deletePasskey('cred_a')).toBe(false);
        expect(await store.findPasskey('cred_a')).toBeUndefined();

        const jane = user({ user_id: 'auth0|aaaaaaaaaaaaaaaaaaaaaaaa' });
        await store.insertUser(jane, 'jane@example.com');
        await store.savePasskey(passkey({ id: 'cred_b' }));
        await store.savePasskey(passkey({ id: 'cred_c', userId: 'auth0|bbbbbbbbbbbbbbbbbbbbbbbb' }));
        await store.deleteUser(jane.user_id);
        expect((await store.listPasskeys()).map((p) => p.id)).toEqual(['cred_c']);
        await store.reset();
        expect(await store.listPasskeys()).toEqual([]);
      });

      it('a transaction keeps its WebAuthn challenge, and a patch replaces it', async () => {
        await store.createTransaction(transaction());
        await store.updateTransaction('txn_1', { webauthnChallenge: 'challenge-one' });
        expect((await store.getTransaction('txn_1'))?.webauthnChallenge).toBe('challenge-one');
        await store.updateTransaction('txn_1', { webauthnChallenge: 'challenge-two' });
        expect((await store.getTransaction('txn_1'))?.webauthnChallenge).toBe('challenge-two');
      });
    });

    describe('refresh tokens', () => {
      it('returns a saved token by its hash, field for field; unknown hashes find nothing', async () => {
        const saved = refreshToken();
        await store.saveRefreshToken(saved);
        expect(await store.getRefreshToken('rt_hash_1')).toEqual(saved);
        expect(await store.getRefreshToken('rt_hash_unknown')).toBeUndefined();
      });

      it('forgets a token once the clock reaches its absolute expiresAt', async () => {
        await store.saveRefreshToken(refreshToken({ expiresAt: T0 + 10 * MINUTE, idleExpiresAt: T0 + 60 * MINUTE }));
        clock.set(T0 + 10 * MINUTE - 1);
        expect(await store.getRefreshToken('rt_hash_1')).toBeDefined();
        clock.set(T0 + 10 * MINUTE);
        expect(await store.getRefreshToken('rt_hash_1')).toBeUndefined();
      });

      it('forgets a token once the clock reaches its idleExpiresAt, and touching it pushes that out', async () => {
        await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_idle', idleExpiresAt: T0 + 10 * MINUTE }));
        await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_touched', idleExpiresAt: T0 + 10 * MINUTE }));
        clock.set(T0 + 5 * MINUTE);
        await store.touchRefreshToken('rt_touched', T0 + 15 * MINUTE);
        clock.set(T0 + 10 * MINUTE);
        expect(await store.getRefreshToken('rt_idle')).toBeUndefined();
        expect(await store.getRefreshToken('rt_touched')).toMatchObject({ idleExpiresAt: T0 + 15 * MINUTE });
        clock.set(T0 + 15 * MINUTE);
        expect(await store.getRefreshToken('rt_touched')).toBeUndefined();
      });

      it('markRefreshTokenRotated returns the token as it was and keeps the first rotation time', async () => {
        await store.saveRefreshToken(refreshToken());
        const first = await store.markRefreshTokenRotated('rt_hash_1', T0 + 1000);
        expect(first).toMatchObject({ tokenHash: 'rt_hash_1', rotatedAt: undefined });
        const second = await store.markRefreshTokenRotated('rt_hash_1', T0 + 5000);
        expect(second?.rotatedAt).toBe(T0 + 1000);
        expect((await store.getRefreshToken('rt_hash_1'))?.rotatedAt).toBe(T0 + 1000);
        expect(await store.markRefreshTokenRotated('rt_hash_unknown', T0)).toBeUndefined();
      });

      it('of several concurrent rotations exactly one sees the token unrotated', async () => {
        await store.saveRefreshToken(refreshToken());
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.markRefreshTokenRotated('rt_hash_1', T0 + i)));
        expect(results.filter((r) => r !== undefined && r.rotatedAt === undefined)).toHaveLength(1);
      });

      it('revokeRefreshTokenFamily deletes every token of the family and nothing else', async () => {
        await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_a1', familyId: 'family_a' }));
        await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_a2', familyId: 'family_a' }));
        await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_b1', familyId: 'family_b' }));
        await store.revokeRefreshTokenFamily('family_a');
        expect(await store.getRefreshToken('rt_a1')).toBeUndefined();
        expect(await store.getRefreshToken('rt_a2')).toBeUndefined();
        expect(await store.getRefreshToken('rt_b1')).toBeDefined();
      });

      it("revokeRefreshTokensOf deletes a user's tokens, or only those for one client", async () => {
        await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_u1_c1', userId: 'u1', clientId: 'c1', familyId: 'f1' }));
        await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_u1_c2', userId: 'u1', clientId: 'c2', familyId: 'f2' }));
        await store.saveRefreshToken(refreshToken({ tokenHash: 'rt_u2_c1', userId: 'u2', clientId: 'c1', familyId: 'f3' }));
        await store.revokeRefreshTokensOf('u1', 'c1');
        expect(await store.getRefreshToken('rt_u1_c1')).toBeUndefined();
        expect(await store.getRefreshToken('rt_u1_c2')).toBeDefined();
        await store.revokeRefreshTokensOf('u1');
        expect(await store.getRefreshToken('rt_u1_c2')).toBeUndefined();
        expect(await store.getRefreshToken('rt_u2_c1')).toBeDefined();
      });

      it('hands out copies: mutating a saved or returned token does not change the stored one', async () => {
        const saved = refreshToken();
        await store.saveRefreshToken(saved);
        saved.scope = 'mutated-after-save';
        const got = (await store.getRefreshToken('rt_hash_1'))!;
        got.rotatedAt = 1;
        expect(await store.getRefreshToken('rt_hash_1')).toMatchObject({ scope: 'openid profile offline_access', rotatedAt: undefined });
      });
    });

    describe('sessions', () => {
      it('creates, reads, updates and deletes a session', async () => {
        const s = session();
        await store.createSession(s);
        expect(await store.getSession('sess_1')).toEqual(s);
        const updated = await store.updateSession('sess_1', { clients: ['client_1', 'client_2'], lastActiveAt: T0 + MINUTE });
        expect(updated).toMatchObject({ id: 'sess_1', userId: s.userId, clients: ['client_1', 'client_2'], lastActiveAt: T0 + MINUTE });
        expect(await store.getSession('sess_1')).toEqual(updated);
        await store.deleteSession('sess_1');
        expect(await store.getSession('sess_1')).toBeUndefined();
        expect(await store.updateSession('sess_1', { lastActiveAt: T0 })).toBeUndefined();
      });

      it('finds nothing for unknown ids, and deleting an unknown id is harmless', async () => {
        await store.createSession(session());
        expect(await store.getSession('sess_unknown')).toBeUndefined();
        expect(await store.updateSession('sess_unknown', { lastActiveAt: T0 })).toBeUndefined();
        await store.deleteSession('sess_unknown');
        expect(await store.getSession('sess_1')).toBeDefined();
      });

      it('forgets a session once the clock reaches its expiresAt', async () => {
        await store.createSession(session({ expiresAt: T0 + 60 * MINUTE }));
        clock.set(T0 + 60 * MINUTE - 1);
        expect(await store.getSession('sess_1')).toBeDefined();
        clock.set(T0 + 60 * MINUTE);
        expect(await store.getSession('sess_1')).toBeUndefined();
        expect(await store.updateSession('sess_1', { lastActiveAt: clock.now() })).toBeUndefined();
      });

      it('hands out copies: mutating a returned session does not change the stored one', async () => {
        await store.createSession(session());
        const got = (await store.getSession('sess_1'))!;
        got.clients.push('client_mutated');
        const updated = (await store.updateSession('sess_1', { lastActiveAt: T0 + 1 }))!;
        updated.clients.push('client_mutated_too');
        expect((await store.getSession('sess_1'))?.clients).toEqual(['client_1']);
      });

      it('listSessions returns the live sessions oldest first, as copies', async () => {
        await store.createSession(session({ id: 'sess_old', createdAt: T0 - MINUTE }));
        await store.createSession(session({ id: 'sess_new', createdAt: T0, expiresAt: T0 + 10 * MINUTE }));
        const listed = await store.listSessions();
        expect(listed.map((s) => s.id)).toEqual(['sess_old', 'sess_new']);
        expect(listed[0]).toEqual(session({ id: 'sess_old', createdAt: T0 - MINUTE }));
        listed[0]!.clients.push('client_mutated');
        expect((await store.getSession('sess_old'))?.clients).toEqual(['client_1']);
        clock.set(T0 + 10 * MINUTE);
        expect((await store.listSessions()).map((s) => s.id)).toEqual(['sess_old']);
      });
    });

    describe('messages', () => {
      it('lists appended messages newest first', async () => {
        const first = message();
        const second = message({ to: '+15551234567', channel: 'sms', subject: null, html: null, connection: 'sms' });
        const third = message();
        for (const m of [first, second, third]) await store.appendMessage(m);
        expect(await store.listMessages({})).toEqual([third, second, first]);
      });

      it('filters by recipient and by channel', async () => {
        const emailJane = message({ to: 'jane@example.com' });
        const emailJohn = message({ to: 'john@example.com' });
        const smsJane = message({ to: '+15551234567', channel: 'sms', connection: 'sms' });
        const emailJane2 = message({ to: 'jane@example.com' });
        for (const m of [emailJane, emailJohn, smsJane, emailJane2]) await store.appendMessage(m);
        expect((await store.listMessages({ to: 'jane@example.com' })).map((m) => m.id)).toEqual([emailJane2.id, emailJane.id]);
        expect((await store.listMessages({ channel: 'sms' })).map((m) => m.id)).toEqual([smsJane.id]);
        expect((await store.listMessages({ channel: 'email' })).map((m) => m.id)).toEqual([emailJane2.id, emailJohn.id, emailJane.id]);
        expect(await store.listMessages({ to: 'jane@example.com', channel: 'sms' })).toEqual([]);
        expect(await store.listMessages({ to: 'nobody@example.com' })).toEqual([]);
      });

      it('`after` returns only messages newer than the given one, combined with the other filters', async () => {
        const m1 = message({ to: 'jane@example.com' });
        const m2 = message({ to: 'john@example.com' });
        const m3 = message({ to: 'jane@example.com' });
        const m4 = message({ to: 'jane@example.com' });
        for (const m of [m1, m2, m3, m4]) await store.appendMessage(m);
        expect((await store.listMessages({ after: m2.id })).map((m) => m.id)).toEqual([m4.id, m3.id]);
        expect((await store.listMessages({ after: m1.id, to: 'jane@example.com' })).map((m) => m.id)).toEqual([m4.id, m3.id]);
        expect(await store.listMessages({ after: m4.id })).toEqual([]);
      });

      it('`after` an id that was cleared away returns every message appended since', async () => {
        const old = message();
        await store.appendMessage(old);
        await store.clearMessages();
        const fresh = message();
        await store.appendMessage(fresh);
        expect((await store.listMessages({ after: old.id })).map((m) => m.id)).toEqual([fresh.id]);
      });

      it('clearMessages empties the mailbox', async () => {
        await store.appendMessage(message());
        await store.appendMessage(message({ channel: 'sms', to: '+15551234567' }));
        await store.clearMessages();
        expect(await store.listMessages({})).toEqual([]);
        expect(await store.listMessages({ channel: 'sms' })).toEqual([]);
      });

      it('keeps every field of a message, nulls included', async () => {
        const sms = message({ channel: 'sms', to: '+15551234567', subject: null, html: null, client_id: null, link: null, connection: 'sms' });
        await store.appendMessage(sms);
        expect(await store.listMessages({})).toEqual([sms]);
      });
    });
  });
}
