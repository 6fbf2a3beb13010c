import type { Eta } from 'eta';
import type { Client, Connection, Tenant } from '../tenant/model.js';
import type { OtpService, OtpVerification } from './otp-service.js';
import type { Outbox } from './outbox.js';
import { composeMessage } from './message-templates.js';
import type { Channel } from './channel.js';
import { DeliveryError } from '../dev/delivery-faults.js';
import type { User } from '../store/records.js';
import type { UserService } from '../users/user-service.js';
import { admitLogin } from '../users/login-admission.js';

/**
 * The two passwordless steps every surface shares (the screens, /passwordless/start, the OTP grant,
 * magic links), without any HTTP: send a code (issue it, compose the message, hand it to the outbox)
 * and verify one (check it, find or create its user, complete the login). Both answer with a reason
 * instead of throwing; each surface words the reasons its own way.
 */
export interface PasswordlessDeps {
  tenant: Tenant;
  eta: Eta;
  otp: OtpService;
  outbox: Outbox;
  users: UserService;
}

export type SendOutcome = { ok: true } | { ok: false; reason: 'delivery_failed'; detail: string };

export async function sendCode(
  deps: Pick<PasswordlessDeps, 'tenant' | 'eta' | 'otp' | 'outbox'>,
  args: {
    client: Client | undefined;
    connection: Connection;
    recipient: string;
    /** A magic link carrying the code, sent instead of the code itself. */
    linkFor?: ((code: string) => string) | undefined;
    /** A database connection's channel (email_otp or phone_otp); a passwordless connection has its own. */
    channel?: Channel | undefined;
  },
): Promise<SendOutcome> {
  const { client, connection, recipient } = args;
  const issued = await deps.otp.issue({ connection: connection.name, recipient, length: connection.otp.length, ttlSeconds: connection.otp.timeStepSeconds });
  const link = args.linkFor ? args.linkFor(issued.code) : null;
  try {
    await deps.outbox.send(
      composeMessage(deps.eta, { tenant: deps.tenant, client, connection, to: recipient, code: link ? null : issued.code, link, expiresAt: issued.expiresAt, channel: args.channel }),
    );
    return { ok: true };
  } catch (err) {
    // A failed delivery (a dev fault, a template that does not render) is a refusal, not a crash.
    if (!(err instanceof DeliveryError)) throw err;
    return { ok: false, reason: 'delivery_failed', detail: err.message };
  }
}

export type CodeRefusal = Exclude<OtpVerification, { ok: true }>['reason'] | 'signup_disabled' | 'blocked';

/** Checks the code and, when it is right, logs its recipient in (created on first login unless sign-up is off). */
export async function verifyCode(
  deps: Pick<PasswordlessDeps, 'otp' | 'users'>,
  args: { connection: Connection; recipient: string; code: string },
): Promise<{ ok: true; user: User } | { ok: false; reason: CodeRefusal }> {
  const { connection, recipient, code } = args;
  const verified = await deps.otp.verify({ connection: connection.name, recipient, code });
  if (!verified.ok) return verified;
  const user = await deps.users.passwordlessUser(connection, recipient);
  if (!user) return { ok: false, reason: 'signup_disabled' };
  return admitLogin(deps, user);
}
