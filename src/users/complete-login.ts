import type { User } from '../store/records.js';
import type { UserService } from './user-service.js';

/**
 * Where every login completes, whatever proved who the user is (a code, a magic link, a password, a
 * passkey, a social provider): a blocked user is refused, anyone else has the login counted. Rules
 * that run after a login belong here, so that no way in can pass them by.
 */
export type LoginCompletion = { ok: true; user: User } | { ok: false; reason: 'blocked' };

export async function completeLogin(deps: { users: Pick<UserService, 'recordLogin'> }, user: User): Promise<LoginCompletion> {
  if (user.blocked) return { ok: false, reason: 'blocked' };
  // The counted user: what comes next (post-login Actions' event.stats) sees this login counted.
  const counted = await deps.users.recordLogin(user.user_id);
  return { ok: true, user: counted ?? user };
}
