import type { Logger } from 'pino';
import type { OtpService } from './otp-service.js';

/**
 * What the info log says about one-time codes beyond their sending (the outbox's line): each
 * verification's outcome, the step of a passwordless login that matters (the screens, the
 * passwordless/otp grant and magic links all verify here), with the refusal's reason. The recipient is
 * masked and the code is never written.
 */

/** `j***@example.com`, `+15******67`: enough to tell users apart in a log, not to read their address. */
export function maskRecipient(to: string): string {
  const at = to.lastIndexOf('@');
  if (at > 0) return `${to[0]}***${to.slice(at)}`;
  return to.length > 6 ? `${to.slice(0, 3)}${'*'.repeat(to.length - 5)}${to.slice(-2)}` : '***';
}

/** The same service, logging each verification's outcome at info. */
export function logOtpOutcomes(otp: OtpService, log: Logger): OtpService {
  return {
    issue: (args) => otp.issue(args),
    async verify(args) {
      const outcome = await otp.verify(args);
      const to = maskRecipient(args.recipient);
      const fields = { connection: args.connection, to, outcome: outcome.ok ? 'accepted' : outcome.reason };
      if (outcome.ok) log.info(fields, `passwordless login: code accepted for ${to} (${args.connection})`);
      else log.info(fields, `passwordless login refused: ${outcome.reason.replaceAll('_', ' ')} for ${to} (${args.connection})`);
      return outcome;
    },
    async check(args) {
      const outcome = await otp.check(args);
      const to = maskRecipient(args.recipient);
      log.info({ connection: args.connection, to, outcome: outcome.ok ? 'checked' : outcome.reason }, `passwordless code check for ${to} (${args.connection}): ${outcome.ok ? 'right' : outcome.reason.replaceAll('_', ' ')}`);
      return outcome;
    },
  };
}
