import type { Connection } from '../../tenant/model.js';
import type { User } from '../../store/records.js';
import { databaseIdentifier, shownIdentifier } from '../../users/identifiers.js';
import type { Refusal } from '../refusals.js';
import type { Admit, Form, LoginContext, LoginKit, ScreenOutcome } from '../login-kit.js';

/** Database logins: the password step after login-id, and the Identifier + Password profile's one page. */
export function passwordSteps(kit: LoginKit, toProvider: (ctx: LoginContext, name: string) => ScreenOutcome) {
  const { deps, refuse, finish } = kit;
  const { users, authorization, bruteForce } = deps;

  /** A password check behind brute-force protection: blocked identifiers are refused before the password is looked at. */
  async function checkPassword(connection: Connection, identifier: string, password: string, ip: string): Promise<User | Refusal> {
    const guarded = connection.bruteForceProtection;
    if (guarded && bruteForce.isBlocked(connection.name, identifier, ip)) return 'identifier_blocked';
    const user = await users.checkPassword(connection, identifier, password);
    if (user) {
      if (guarded) bruteForce.recordSuccess(connection.name, identifier, ip);
      return user;
    }
    // The failure that reaches the threshold is still answered as a wrong password; the block shows from the next attempt on.
    if (guarded) bruteForce.recordFailure(connection.name, identifier, ip);
    return 'wrong_password';
  }

  return {
    async password(ctx: LoginContext, password: string, ip: string): Promise<ScreenOutcome> {
      const { txn, connection } = ctx;
      if (!connection || connection.kind !== 'database' || !txn.identifier) return refuse(ctx, 'wrong_password');
      const user = await checkPassword(connection, txn.identifier, password, ip);
      return typeof user === 'string' ? refuse(ctx, user) : finish(ctx, user, true);
    },

    async onePage(ctx: LoginContext, form: Form, ip: string, admit: Admit): Promise<ScreenOutcome> {
      if (form.connection) return toProvider(ctx, form.connection);
      if (!(await admit(form.username))) return refuse(ctx, 'too_many_requests');
      const { txn, connection } = ctx;
      if (!connection || connection.kind !== 'database') return refuse(ctx, 'unknown_connection');
      const identifier = databaseIdentifier(connection, form.username ?? '');
      if (!identifier) return refuse(ctx, connection.username.required ? 'invalid_identifier' : 'invalid_email');
      await authorization.remember(txn, shownIdentifier(identifier));
      const user = await checkPassword(connection, shownIdentifier(identifier), form.password ?? '', ip);
      return typeof user === 'string' ? refuse(ctx, user) : finish(ctx, user);
    },
  };
}
