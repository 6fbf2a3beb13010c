import { normalizeEmail } from '../../users/normalize.js';
import { offeredSocial } from '../login-plan.js';
import { screenUrl } from '../screens.js';
import type { Admit, LoginContext, LoginKit, ScreenOutcome } from '../login-kit.js';

/** Social (and enterprise) logins through the mock provider: its button, then the profile typed in for it. */
export function socialSteps({ deps, go, refuse, finish }: LoginKit) {
  const { tenant, users, authorization } = deps;
  return {
    /** A social button: on to the (mock) provider, when the client has that connection. */
    toProvider(ctx: LoginContext, name: string): ScreenOutcome {
      const social = offeredSocial(tenant, ctx.txn, name);
      return social ? go(screenUrl('social', ctx.txn, { connection: social.name })) : refuse(ctx, 'unknown_connection');
    },

    async fromProvider(ctx: LoginContext, form: { connection: string; email?: string | undefined; name?: string | undefined }, admit: Admit): Promise<ScreenOutcome> {
      // The mock provider creates a user for any address typed in: it counts like any other sign-up step.
      if (!(await admit(form.email))) return refuse(ctx, 'too_many_requests');
      const connection = offeredSocial(tenant, ctx.txn, form.connection);
      if (!connection) return refuse(ctx, 'unknown_connection');
      const email = normalizeEmail(form.email ?? '');
      if (!email) return refuse(ctx, 'invalid_email');
      const user = await users.socialUser(connection, { email, name: form.name?.trim() || undefined });
      await authorization.remember(ctx.txn, email, connection.name);
      return finish(ctx, user);
    },
  };
}
