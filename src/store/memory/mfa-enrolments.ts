import type { MfaEnrolmentStore } from '../types.js';
import { clone, copy, type MemoryContext } from './tables.js';

/**
 * The memory store's MFA enrolments, by id, in enrolment order, indexed by user, and each user's
 * remembered-browser revocation time. An update replaces the record in place, so it keeps its place in the order.
 */
export function memoryMfaEnrolments({ tables }: MemoryContext): MfaEnrolmentStore {
  const { mfaEnrolments, userMfaEnrolments, mfaRememberRevocations } = tables;
  return {
    async saveEnrolment(enrolment) {
      if (mfaEnrolments.has(enrolment.id)) return false;
      mfaEnrolments.set(enrolment.id, clone(enrolment));
      const ids = userMfaEnrolments.get(enrolment.userId) ?? new Set<string>();
      userMfaEnrolments.set(enrolment.userId, ids.add(enrolment.id));
      return true;
    },
    async findEnrolment(id) {
      return copy(mfaEnrolments.get(id));
    },
    async listEnrolments(userId) {
      if (userId === undefined) return [...mfaEnrolments.values()].map((e) => clone(e));
      return [...(userMfaEnrolments.get(userId) ?? [])].map((id) => clone(mfaEnrolments.get(id)!));
    },
    async updateEnrolment(enrolment) {
      const stored = mfaEnrolments.get(enrolment.id);
      if (!stored || stored.userId !== enrolment.userId) return false;
      mfaEnrolments.set(enrolment.id, clone(enrolment));
      return true;
    },
    async deleteEnrolment(id) {
      const stored = mfaEnrolments.get(id);
      if (!stored) return false;
      mfaEnrolments.delete(id);
      userMfaEnrolments.get(stored.userId)?.delete(id);
      return true;
    },
    async revokeRememberedBrowsers(userId, at) {
      mfaRememberRevocations.set(userId, at);
    },
    async rememberedBrowsersRevokedAt(userId) {
      return mfaRememberRevocations.get(userId);
    },
  };
}
