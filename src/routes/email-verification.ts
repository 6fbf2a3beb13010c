import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/app-deps.js';
import { queryWith } from '../http/route-schemas.js';
import { renderScreen } from '../http/screens.js';
import { VERIFY_PATH } from '../database/email-verification.js';
import { findClient } from '../tenant/model.js';
import { isWebUrl } from '../tenant/web-url.js';

/**
 * The verification email's link (database/email-verification.ts): the user's email verified, then
 * Auth0's email-verification-result screen, or the ticket's result URL with Auth0's query (`success`,
 * `message`, and the `email` unless includeEmailInRedirect is off).
 */
const VERIFIED = 'Your email was verified. You can continue using the application.';

export async function emailVerificationRoutes(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { tenant, emailVerification } = deps;

  app.get(VERIFY_PATH, { config: { page: true }, schema: { querystring: queryWith(['ticket']) } }, async (request, reply) => {
    const ticket = typeof request.query.ticket === 'string' ? request.query.ticket : undefined;
    const outcome = await emailVerification.verify(ticket);
    if (!outcome.ok) {
      const title = outcome.reason === 'expired' ? 'Link Expired' : 'Invalid Link';
      const description = outcome.reason === 'used' ? 'This link has already been used.' : 'User account does not exist or the verification code is invalid.';
      return renderScreen(reply, tenant, 'email-verification-result', { title, description, failed: true }, 400);
    }
    if (outcome.resultUrl && isWebUrl(outcome.resultUrl)) {
      // Auth0's query, in its order (docs/research/auth0-email-templates.md), before any #fragment.
      const target = new URL(outcome.resultUrl);
      target.searchParams.set('supportSignUp', 'true');
      target.searchParams.set('supportForgotPassword', 'true');
      if (outcome.emailForRedirect) target.searchParams.set('email', outcome.emailForRedirect);
      target.searchParams.set('message', VERIFIED);
      target.searchParams.set('success', 'true');
      target.searchParams.set('code', 'success');
      return reply.redirect(target.toString());
    }
    const appName = outcome.clientId ? findClient(tenant, outcome.clientId)?.name : undefined;
    return renderScreen(reply, tenant, 'email-verification-result', {
      appName,
      title: 'Email Verified',
      description: outcome.alreadyVerified ? 'This email address was already verified.' : 'Your email address was successfully verified.',
      failed: false,
    });
  });
}
