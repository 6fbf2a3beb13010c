import type { MfaEnrolmentStore } from '../types.js';
import { copy, type MemoryContext } from './tables.js';

/**
 * The memory store's MFA enrolments, by id, in enrolment order, and each user's remembered-browser
 * revocation time. An update replaces the record in place, so it keeps its place in the order.
 */
export function memoryMfaEnrolments({ tables }: MemoryContext): MfaEnrolmentStore {
  const { mfaEnrolments, mfaRememberRevocations } = tables;
  return {
    async saveEnrolment(enrolment) {
      if (mfaEnrolments.has(enrolment.id)) return false;
      mfaEnrolments.set(enrolment.id, structuredClone(enrolment));
      return true;
    },
    async findEnrolment(id) {
      return copy(mfaEnrolments.get(id));
    },
    async listEnrolments(userId) {
      return [...mfaEnrolments.values()].filter((e) => userId === undefined || e.userId === userId).map((e) => structuredClone(e));
    },
    async updateEnrolment(enrolment) {
      const stored = mfaEnrolments.get(enrolment.id);
      if (!stored || stored.userId !== enrolment.userId) return false;
      mfaEnrolments.set(enrolment.id, structuredClone(enrolment));
      return true;
    },
    async deleteEnrolment(id) {
      return mfaEnrolments.delete(id);
    },
    async revokeRememberedBrowsers(userId, at) {
      mfaRememberRevocations.set(userId, at);
    },
    async rememberedBrowsersRevokedAt(userId) {
      return mfaRememberRevocations.get(userId);
    },
  };
}
