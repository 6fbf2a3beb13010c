import type { User } from '../../store/records.js';
import { screenUrl } from '../screens.js';
import type { LoginContext, LoginKit, ScreenOutcome } from '../login-kit.js';

/** Identifier First + Biometrics: a passkey login (discoverable, or after the identifier) and passkey-enrollment. */
export function passkeySteps({ deps, profile, go, refuse, finish }: LoginKit) {
  const { passkeys, authorization } = deps;
  return {
    async login(ctx: LoginContext, field: string | undefined, forIdentifier: boolean): Promise<ScreenOutcome> {
      const { txn, connection } = ctx;
      if (!profile.biometrics || !connection || connection.kind !== 'database') return refuse(ctx, 'unknown_connection');
      let owner: User | undefined;
      if (forIdentifier) {
        owner = txn.identifier ? await passkeys.userWithPasskey(connection.name, txn.identifier) : undefined;
        if (!owner) return refuse(ctx, 'passkey_unknown');
      }
      const result = await passkeys.authenticate(txn, field, owner?.user_id);
      if (!result.ok) return refuse(ctx, result.reason);
      const user = owner ?? (await passkeys.user(result.userId));
      // A passkey of another connection's user (or of a deleted user) does not log in here.
      if (!user || user.connection !== connection.name) return refuse(ctx, 'passkey_unknown');
      if (!owner && user.email) await authorization.remember(txn, user.email);
      return finish(ctx, user);
    },

    async enrol(ctx: LoginContext, passkey: string | undefined): Promise<ScreenOutcome> {
      const resume = go(screenUrl('resume', ctx.txn));
      const user = ctx.txn.authenticated && (await passkeys.user(ctx.txn.authenticated.userId));
      if (!user || passkey === undefined) return resume;
      const result = await passkeys.register(ctx.txn, user, passkey);
      return result.ok ? resume : refuse(ctx, result.reason);
    },
  };
}
