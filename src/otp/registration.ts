import type { Client, Connection } from '../tenant/model.js';
import type { TriggerFlows } from '../actions/trigger-flows.js';
import type { RequestFacts } from '../actions/action-events.js';
import { channelOf } from './channel.js';

/**
 * A passwordless sign-up, before any code is sent to a recipient who has no user yet: the tenant's
 * pre-user-registration Actions may refuse it with a message for the user. Auth0 then sends no code
 * (and creates no user); its screens move on to the code and show the message later, Understudy shows
 * it at once. Metadata such an action sets is not kept for passwordless users, as in Auth0.
 */
export type SignUpCheck = { ok: true } | { ok: false; message: string };

export async function checkSignUp(
  flows: TriggerFlows,
  args: { connection: Connection; client: Client | undefined; recipient: string; request?: RequestFacts | undefined },
): Promise<SignUpCheck> {
  if (!flows.has('pre-user-registration')) return { ok: true };
  const channel = channelOf(args.connection);
  const outcome = await flows.preUserRegistration({
    user: channel.name === 'sms' ? { phone_number: args.recipient } : { email: args.recipient },
    connection: args.connection,
    connectionName: args.connection.name,
    client: args.client,
    request: args.request,
    transaction: undefined,
  });
  return outcome.refusal ? { ok: false, message: outcome.refusal.description } : { ok: true };
}
