import type { User } from '../store/records.js';
import type { UserService } from './user-service.js';

/**
 * A proven user's admission, whatever proved who the user is (a code, a magic link, a password, a
 * passkey, a social provider): a blocked user is refused, anyone else has the login counted. Rules
 * about the user that follow the proof belong here, so that no way in can pass them by. The login
 * itself then ends in one place for every flow: oauth/finish-login.ts.
 */
export type LoginAdmission = { ok: true; user: User } | { ok: false; reason: 'blocked' };

export async function admitLogin(deps: { users: Pick<UserService, 'recordLogin'> }, user: User): Promise<LoginAdmission> {
  if (user.blocked) return { ok: false, reason: 'blocked' };
  // The counted user: what comes next (post-login Actions' event.stats) sees this login counted.
  const counted = await deps.users.recordLogin(user.user_id);
  return { ok: true, user: counted ?? user };
}
