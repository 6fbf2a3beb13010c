import { beforeEach, expect, it } from 'vitest';
import type { Store } from '../../../src/store/types.js';
import { mfaEnrolment, type PortContract } from './fixtures.js';

/** The StoreLifecycle contract. Reset empties every port. */
export const lifecycleContract: PortContract = {
  port: 'StoreLifecycle',
  concern: 'lifecycle',
  cases(subject) {
    const { transaction, challenge, authCode, user, session, refreshToken, message, passkey } = subject.records;
    let store: Store;
    beforeEach(() => {
      ({ store } = subject);
    });

    it('reset forgets everything', async () => {
      await store.createTransaction(transaction());
      await store.replaceOtpChallenge(challenge());
      await store.saveAuthorizationCode(authCode());
      await store.insertUser(user(), 'jane@example.com');
      await store.createSession(session());
      await store.saveRefreshToken(refreshToken());
      await store.appendMessage(message());
      await store.savePasskey(passkey());
      await store.saveEnrolment(mfaEnrolment());
      await store.revokeRememberedBrowsers(mfaEnrolment().userId, 1);
      await store.reset();
      expect(await store.getTransaction('txn_1')).toBeUndefined();
      expect(await store.recordOtpAttempt('email:jane@example.com')).toBeUndefined();
      expect(await store.consumeAuthorizationCode('code_1')).toBeUndefined();
      expect(await store.listUsers()).toEqual([]);
      expect(await store.findUser('email', 'jane@example.com')).toBeUndefined();
      expect(await store.getSession('sess_1')).toBeUndefined();
      expect(await store.getRefreshToken('rt_hash_1')).toBeUndefined();
      expect(await store.listMessages({})).toEqual([]);
      expect(await store.listPasskeys()).toEqual([]);
      expect(await store.listEnrolments()).toEqual([]);
      expect(await store.rememberedBrowsersRevokedAt(mfaEnrolment().userId)).toBeUndefined();
    });
  },
};
