import type { Connection } from '../../tenant/model.js';
import { normalizeEmail } from '../../users/normalize.js';
import { databaseIdentifier, shownIdentifier } from '../../users/identifiers.js';
import { CHANNELS, channelOf, type Channel, type ChannelName } from '../../otp/channel.js';
import { E164, normalizePhoneNumber } from '../../users/normalize.js';
import { sendCode, verifyCode, type CodeRefusal } from '../../otp/passwordless-codes.js';
import { checkSignUp } from '../../otp/registration.js';
import { homeRealm } from '../login-plan.js';
import type { Refusal } from '../refusals.js';
import { CHALLENGE, screenUrl } from '../screens.js';
import type { Admit, Form, LoginContext, LoginKit, ScreenOutcome } from '../login-kit.js';

const NOT_SENT: Record<ChannelName, Refusal> = { email: 'email_not_sent', sms: 'sms_not_sent' };
const INVALID_IDENTIFIER: Record<ChannelName, Refusal> = { email: 'invalid_email', sms: 'invalid_phone' };
const CODE_REFUSAL: Record<CodeRefusal, Refusal> = {
  wrong_code: 'wrong_code',
  no_code: 'wrong_code',
  expired: 'expired',
  too_many_attempts: 'too_many_attempts',
  signup_disabled: 'signup_disabled',
  blocked: 'blocked',
};

/** How a code travels: a passwordless connection's own channel; on a database connection, by the recipient (a phone number is texted). */
export function codeChannel(connection: Connection, recipient: string): Channel {
  return connection.kind === 'database' ? (E164.test(recipient) ? CHANNELS.sms : CHANNELS.email) : channelOf(connection);
}

/**
 * Identifier First: login-id's identifier, sent on to the connection's next step (home-realm
 * discovery, the password, or a passwordless code), and the passwordless challenge that follows.
 */
export function identifierSteps(kit: LoginKit, toProvider: (ctx: LoginContext, name: string) => ScreenOutcome) {
  const { deps, profile, go, refuse, signIn } = kit;
  const { tenant, users, authorization, passkeys } = deps;

  async function sendChallenge(ctx: LoginContext, connection: Connection, recipient: string): Promise<Refusal | undefined> {
    const channel = codeChannel(connection, recipient);
    const sent = await sendCode(deps, { client: ctx.client, connection, recipient, channel });
    return sent.ok ? undefined : NOT_SENT[channel.name];
  }

  /**
   * A database connection's one-time code (authentication_methods.email_otp, or phone_otp for a phone
   * number), sent as every passwordless code, then its challenge screen.
   */
  async function databaseCode(ctx: LoginContext, connection: Connection, recipient: string): Promise<ScreenOutcome> {
    const notSent = await sendChallenge(ctx, connection, recipient);
    return notSent ? refuse(ctx, notSent) : go(screenUrl(CHALLENGE[codeChannel(connection, recipient).name], ctx.txn));
  }

  return {
    /** The password screen's "Email me a code instead", where the database connection has email_otp. */
    async emailCodeInstead(ctx: LoginContext): Promise<ScreenOutcome> {
      const { connection, txn } = ctx;
      const email = normalizeEmail(txn.identifier ?? '');
      if (!connection || connection.kind !== 'database' || !connection.authenticationMethods.emailOtp || !email) return go(screenUrl('password', txn));
      return databaseCode(ctx, connection, email);
    },

    async identify(ctx: LoginContext, form: Form, admit: Admit): Promise<ScreenOutcome> {
      if (form.connection) return toProvider(ctx, form.connection);
      // An identifier sends a code (or starts a password login), so it counts; a social button does not.
      if (!(await admit(form.username))) return refuse(ctx, 'too_many_requests');
      const { txn, connection } = ctx;
      if (!connection) return refuse(ctx, 'unknown_connection');
      const input = form.username ?? '';
      const realm = homeRealm(tenant, ctx.client, normalizeEmail(input));
      if (realm) {
        await authorization.remember(txn, normalizeEmail(input));
        return go(screenUrl('social', txn, { connection: realm.name }));
      }

      if (connection.kind === 'database') {
        // phone_otp: a phone number (not a username) logs in with a texted code.
        const phone = connection.authenticationMethods.phoneOtp && !input.includes('@') && (!connection.username.required || input.trim().startsWith('+')) ? normalizePhoneNumber(input, 'US') : '';
        if (phone) {
          await authorization.remember(txn, phone);
          return databaseCode(ctx, connection, phone);
        }
        const identifier = databaseIdentifier(connection, input);
        if (!identifier) return refuse(ctx, connection.username.required ? 'invalid_identifier' : 'invalid_email');
        await authorization.remember(txn, shownIdentifier(identifier));
        // Codes only (authentication_methods: email_otp on, password off): the code goes out at once.
        if ('email' in identifier && connection.authenticationMethods.emailOtp && !connection.authenticationMethods.password) return databaseCode(ctx, connection, identifier.email);
        const withPasskey = profile.biometrics && 'email' in identifier && (await passkeys.userWithPasskey(connection.name, identifier.email));
        return go(screenUrl(withPasskey ? 'passkey' : 'password', txn));
      }

      const channel = channelOf(connection);
      const recipient = channel.normalize(input, 'US');
      if (!recipient) return refuse(ctx, INVALID_IDENTIFIER[channel.name]);
      const existing = await users.findPasswordlessUser(connection, recipient);
      if (!existing && connection.disableSignup) return refuse(ctx, 'signup_disabled');
      if (existing?.blocked) return refuse(ctx, 'blocked');
      if (!existing) {
        const signUp = await checkSignUp(deps.flows, { connection, client: ctx.client, recipient, request: ctx.request });
        if (!signUp.ok) return { kind: 'show', ctx, refusal: 'signup_refused', ...(signUp.message ? { message: signUp.message } : {}) };
      }
      const notSent = await sendChallenge(ctx, connection, recipient);
      if (notSent) return refuse(ctx, notSent);
      await authorization.remember(txn, recipient);
      return go(screenUrl(CHALLENGE[channel.name], txn));
    },

    async challenge(ctx: LoginContext, form: { resend: boolean; code: string }, admit: Admit): Promise<ScreenOutcome> {
      const { txn, connection } = ctx;
      if (form.resend) {
        if (!(await admit(txn.identifier))) return refuse(ctx, 'too_many_requests');
        if (!connection || !txn.identifier) return refuse(ctx, 'wrong_code');
        const notSent = await sendChallenge(ctx, connection, txn.identifier);
        return notSent ? refuse(ctx, notSent) : { kind: 'show', ctx, notice: 'code_resent' };
      }
      if (!connection || !txn.identifier) return refuse(ctx, 'wrong_code');
      const login = await verifyCode(deps, { connection, recipient: txn.identifier, code: form.code });
      return login.ok ? signIn(ctx, login.user) : refuse(ctx, CODE_REFUSAL[login.reason]);
    },
  };
}
