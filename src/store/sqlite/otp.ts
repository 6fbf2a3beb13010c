import type { OtpChallenge } from '../records.js';
import type { OtpStore } from '../types.js';
import { json, parse, type Row, type SqliteContext } from './context.js';

/** The SQLite store's OTP challenges (table `otp_challenges`), counted and consumed under the write lock. */
export function sqliteOtp({ statement, atomically }: SqliteContext): OtpStore {
  const put = statement('INSERT OR REPLACE INTO otp_challenges (key, expires_at, data) VALUES (?, ?, ?)');
  const get = statement<Row>('SELECT data FROM otp_challenges WHERE key = ?');
  const remove = statement('DELETE FROM otp_challenges WHERE key = ?');

  const recordOtpAttempt = atomically((key: string): OtpChallenge | undefined => {
    const challenge = parse<OtpChallenge>(get.get(key));
    if (!challenge) return undefined;
    challenge.attempts += 1;
    put.run(key, challenge.expiresAt, json(challenge));
    return challenge;
  });
  const markOtpExhausted = atomically((key: string, id: string): void => {
    const challenge = parse<OtpChallenge>(get.get(key));
    if (challenge?.id !== id) return;
    challenge.exhausted = true;
    put.run(key, challenge.expiresAt, json(challenge));
  });
  const consumeOtpChallenge = atomically((key: string, id: string): boolean => {
    const challenge = parse<OtpChallenge>(get.get(key));
    if (challenge?.id !== id || challenge.exhausted) return false;
    remove.run(key);
    return true;
  });

  return {
    async replaceOtpChallenge(challenge) {
      put.run(challenge.key, challenge.expiresAt, json(challenge));
    },
    async recordOtpAttempt(key) {
      return recordOtpAttempt(key);
    },
    async markOtpExhausted(key, id) {
      markOtpExhausted(key, id);
    },
    async consumeOtpChallenge(key, id) {
      return consumeOtpChallenge(key, id);
    },
  };
}
