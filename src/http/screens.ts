import type { FastifyReply } from 'fastify';
import type { Tenant } from '../tenant/model.js';
import { securePage } from './security-headers.js';
import { chooseLanguage, screenTexts } from '../login/screen-texts.js';
import type { LoginView } from '../login/screens.js';

/**
 * The common view model of every Universal Login page: tenant branding, the application's name and
 * Auth0's page titles ("Enter your email code to log in | <App>").
 */
export type ScreenName = LoginView | ResetView | 'logged-out' | 'error';

/** The reset-password prompt's screens (routes/reset-password.ts), outside any login transaction. */
export type ResetView = 'reset-password-request' | 'reset-password-email' | 'reset-password' | 'reset-password-success' | 'reset-password-error' | 'email-verification-result';

const titles: Record<ScreenName, string> = {
  login: 'Log in',
  'login-id': 'Log in',
  'login-password': 'Enter your password',
  'login-passwordless-email-code': 'Enter your email code to log in',
  'login-passwordless-sms-otp': 'Enter your phone code to log in',
  'social-consent': 'Continue',
  'login-passkey': 'Log in with a passkey',
  'passkey-enrollment': 'Create a passkey',
  signup: 'Sign up',
  'organization-selection': 'Enter your organization',
  'organization-picker': 'Choose an Organization',
  'signup-id': 'Sign up',
  'signup-password': 'Create a password to sign up',
  // The second factor's pages, with Auth0's page titles (docs/research/auth0-mfa.md §3.4).
  'mfa-begin-enroll-options': 'Add another authentication method',
  'mfa-login-options': 'List of other login methods',
  'mfa-otp-enrollment-qr': 'Scan the code to log in using a one-time password',
  'mfa-otp-challenge': 'Enter your one-time password to log in',
  'mfa-sms-enrollment': 'Enter your phone number to log in using a text message',
  'mfa-sms-challenge': 'Enter your phone code to log in',
  'mfa-email-challenge': 'Enter your email code to log in',
  'mfa-push-welcome': 'Install the application',
  'mfa-push-enrollment-qr': 'Scan the code to log in using a push notification',
  'mfa-push-challenge-push': 'Accept the push notification to log in',
  'mfa-webauthn-enrollment': 'Adding Your Security Key',
  'mfa-webauthn-change-key-nickname': 'Name Your Security Key',
  'mfa-webauthn-challenge': 'Verify Your Identity',
  'mfa-recovery-code-enrollment': 'Copy your recovery code for safe keeping',
  'mfa-recovery-code-challenge': 'Enter your recovery code to log in',
  'mfa-recovery-code-challenge-new-code': 'Copy your new recovery code for safe keeping',
  // Auth0's reset-password prompt titles every screen "Reset Password" (docs/research/auth0-database-connections.md §5).
  'reset-password-request': 'Reset Password',
  'reset-password-email': 'Reset Password',
  'reset-password': 'Reset Password',
  'reset-password-success': 'Reset Password',
  'reset-password-error': 'Reset Password',
  'email-verification-result': 'Email Verification',
  'logged-out': 'Logged out',
  error: 'Error',
};

/** What an organization's login shows of it (login/screen-views.ts). */
export interface OrganizationLook {
  displayName: string;
  logoUrl?: string | undefined;
  colors?: { primary: string; page_background: string } | undefined;
}

export function renderScreen(
  reply: FastifyReply,
  tenant: Tenant,
  screen: ScreenName,
  data: Record<string, unknown> & { appName?: string | undefined },
  status = 200,
): FastifyReply | Promise<FastifyReply> {
  const appName = data.appName ?? tenant.friendlyName;
  // An organization's login: its name is the company's, its logo and colours replace the tenant's.
  const organization = data.organization as OrganizationLook | undefined;
  const companyName = organization?.displayName ?? tenant.friendlyName;
  const branding = organization
    ? {
        ...tenant.branding,
        ...(organization.logoUrl ? { logoUrl: organization.logoUrl } : {}),
        ...(organization.colors ? { primaryColor: organization.colors.primary, pageBackground: organization.colors.page_background } : {}),
      }
    : tenant.branding;
  // The tenant's custom text in the language Auth0 would pick (ui_locales, then Accept-Language).
  const lang = chooseLanguage(tenant.enabledLocales, typeof data.uiLocales === 'string' ? data.uiLocales : undefined, reply.request.headers['accept-language']);
  const t = screenTexts(tenant, screen, lang, { clientName: appName, companyName });
  // CSP with nonces, frame-ancestors 'none' and X-Frame-Options: DENY (src/http/security-headers.ts).
  const nonce = securePage(reply, 'screen');
  return reply
    .status(status)
    .header('Cache-Control', 'no-store')
    .type('text/html; charset=utf-8')
    .view(`screens/${screen}`, {
      error: undefined,
      notice: undefined,
      ...data,
      screen,
      appName,
      tenantName: companyName,
      branding,
      initials: initialsOf(companyName),
      pageTitle: t('pageTitle', `${titles[screen]} | ${appName}`),
      lang,
      t,
      nonce,
    });
}

function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return (words.length > 1 ? `${words[0]?.[0]}${words[1]?.[0]}` : name.slice(0, 1)).toUpperCase() || 'U';
}
