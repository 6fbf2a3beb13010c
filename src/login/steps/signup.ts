import { LegacyApiError, type DatabaseRefusal } from '../../errors.js';
import { isUsername } from '../../users/identifiers.js';
import { normalizeEmail } from '../../users/normalize.js';
import type { LoginContext, LoginKit, ScreenOutcome } from '../login-kit.js';
import type { Refusal } from '../refusals.js';
import { screenUrl } from '../screens.js';

/**
 * Sign-up on the login screens, as Auth0's signup-id and signup-password prompts run it: the email
 * (and username) first, kept on the login; then the password, which the database sign-up checks
 * against the connection's policy and the existing users. The new user is then logged in, through
 * the same end as every login (post-login Actions, a second factor), to the application.
 */
/** How the sign-up screens word what the database sign-up refuses (Auth0's signup-password error keys). */
const SIGNUP_REFUSAL: Record<DatabaseRefusal, Refusal> = {
  invalid_signup: 'signup_email_in_use',
  user_exists: 'signup_email_in_use',
  password_strength: 'signup_password_too_weak',
  password_no_user_info: 'signup_password_personal',
  password_dictionary: 'signup_password_common',
  signup_disabled: 'signup_disabled',
  invalid_connection: 'signup_refused',
  invalid_body: 'signup_refused',
  refused_by_action: 'signup_refused',
};

export function signupSteps(kit: LoginKit) {
  const { deps, go, refuse, keepTyped } = kit;

  /**
   * The identity both sign-up forms take: the email, and the username where the connection has them,
   * checked and kept on the login; or the refusal, with what was typed.
   */
  async function identity(ctx: LoginContext, form: { email: string; username: string }): Promise<{ email: string; username: string | undefined } | { refused: ScreenOutcome }> {
    const typed = { email: form.email, username: form.username };
    const email = normalizeEmail(form.email);
    if (!email) return { refused: keepTyped(typed, refuse(ctx, form.email.trim() ? 'signup_invalid_email' : 'signup_no_email')) };
    const connection = ctx.connection!;
    const username = connection.username.required ? form.username.trim() : undefined;
    if (connection.username.required && !username) return { refused: keepTyped(typed, refuse(ctx, 'signup_no_username')) };
    if (username && !isUsername(connection, username)) return { refused: keepTyped(typed, refuse(ctx, 'signup_invalid_username')) };
    await deps.authorization.remember(ctx.txn, email);
    if (username) await deps.authorization.rememberSignupUsername(ctx.txn, username);
    return { email, username };
  }

  const steps = {
    /** signup-id: the email, and the username where the connection has them. */
    async identify(ctx: LoginContext, form: { email: string; username: string }): Promise<ScreenOutcome> {
      const given = await identity(ctx, form);
      return 'refused' in given ? given.refused : go(screenUrl('signup-password', ctx.txn));
    },

    /** signup (Identifier + Password): the email (and username) and the password from one page. */
    async combined(ctx: LoginContext, form: { email: string; username: string; password: string }): Promise<ScreenOutcome> {
      const given = await identity(ctx, form);
      if ('refused' in given) return given.refused;
      const remembered = { ...ctx, txn: { ...ctx.txn, identifier: given.email, ...(given.username ? { signupUsername: given.username } : {}) } };
      return keepTyped({ email: form.email, username: form.username }, await steps.password(remembered, form.password));
    },

    /** signup-password: the password; the user is created and logged in. */
    async password(ctx: LoginContext, password: string): Promise<ScreenOutcome> {
      if (!password) return refuse(ctx, 'signup_no_password');
      let created;
      try {
        created = await deps.signUp({
          clientId: ctx.txn.clientId,
          connection: ctx.txn.connection,
          email: ctx.txn.identifier!,
          username: ctx.txn.signupUsername,
          password,
          profile: {},
          request: ctx.request,
        });
      } catch (err) {
        if (!(err instanceof LegacyApiError)) throw err;
        const refusal = SIGNUP_REFUSAL[err.reason];
        const outcome = refuse(ctx, refusal);
        // A refusal the screens have no words for (an Action's, above all) shows the sign-up's own message.
        return refusal === 'signup_refused' && outcome.kind === 'show' ? { ...outcome, message: err.message } : outcome;
      }
      return kit.finish(ctx, created.user);
    },
  };
  return steps;
}
