import { policyLines } from '../users/password-policy.js';
import { RESET_REQUEST_PATH } from './screens.js';
import { findConnection, type Tenant } from '../tenant/model.js';
import { channelOf } from '../otp/channel.js';
import type { PasskeyService } from './passkeys.js';
import type { LoginContext } from './login-service.js';
import { socialButtons } from './login-plan.js';
import { isMfaScreen, screenUrl, screenView, type LoginView, type MfaScreen, type PageScreen } from './screens.js';
import { createMfaViews } from './mfa-views.js';
import type { MfaService } from '../mfa/mfa-service.js';
import type { AuthorizationService } from './authorization-service.js';
import type { OrganizationStore, UserStore } from '../store/types.js';

/**
 * What each login screen's template is given (its view model), built from the login context. A
 * passkey screen draws the WebAuthn options it renders, which binds the ceremony to the transaction;
 * a screen with nothing to show for this login sends the browser on instead.
 */
export type ScreenView = { kind: 'redirect'; location: string } | { kind: 'page'; view: LoginView; data: Record<string, unknown> };

/** What a screen's URL (not its transaction) says: the social screen's connection. */
export interface ScreenParams {
  connection?: string | undefined;
}

type Data = Record<string, unknown>;

export function createScreenViews(deps: {
  tenant: Tenant;
  passkeys: PasskeyService;
  devRoutes: boolean;
  mfa: MfaService;
  authorization: Pick<AuthorizationService, 'updateMfa'>;
  store: Pick<OrganizationStore, 'getOrganization' | 'listUserOrganizations'> & Pick<UserStore, 'getUser'>;
}): (screen: PageScreen, ctx: LoginContext, params?: ScreenParams) => Promise<ScreenView> {
  const { tenant, passkeys } = deps;
  const mfaViews = createMfaViews(deps);
  const biometrics = tenant.prompts.webauthnPlatformFirstFactor;
  // The identifier field starts with what was entered before, else the application's login_hint.
  const username = ({ txn }: LoginContext): string => txn.identifier ?? txn.loginHint ?? '';
  const socialsOf = (ctx: LoginContext): Data[] => socialButtons(tenant, ctx.txn).map((s) => ({ name: s.name, displayName: s.displayName, strategy: s.strategy }));

  const models: { [S in Exclude<PageScreen, MfaScreen>]: (ctx: LoginContext, params: ScreenParams) => Promise<Data | string> } = {
    async identifier(ctx) {
      const { txn, connection } = ctx;
      // Identifier First + Biometrics: "Continue with a passkey" (a discoverable credential) on the database login.
      const webauthnOptions = biometrics && connection?.kind === 'database' ? JSON.stringify(await passkeys.authenticationOptions(txn)) : undefined;
      return {
        identifierKind: !connection || connection.kind === 'social' ? null : connection.username.required ? 'username' : connection.kind === 'database' && connection.authenticationMethods.phoneOtp ? 'email-or-phone' : channelOf(connection).identifierKind,
        // "Don't have an account? Sign up" where the database connection takes sign-ups.
        signupHref: connection?.kind === 'database' && !connection.disableSignup ? screenUrl('signup-id', txn) : undefined,
        socials: socialsOf(ctx),
        webauthnOptions,
        username: username(ctx),
      };
    },
    'email-challenge': async (ctx) => challenge(ctx),
    'sms-challenge': async (ctx) => challenge(ctx),
    // "Forgot password?" opens the reset-password request for this login (routes/reset-password.ts).
    password: async ({ txn, connection }) => ({
      identifier: txn.identifier,
      forgotPasswordHref: `${RESET_REQUEST_PATH}?state=${encodeURIComponent(txn.id)}`,
      // authentication_methods.email_otp: a code by email instead of the password.
      emailCode: connection?.kind === 'database' && connection.authenticationMethods.emailOtp && (txn.identifier ?? '').includes('@'),
    }),
    login: async (ctx) => ({
      database: ctx.connection?.kind === 'database',
      signupHref: ctx.connection?.kind === 'database' && !ctx.connection.disableSignup ? screenUrl('signup', ctx.txn) : undefined,
      usernames: ctx.connection?.username.required === true,
      socials: socialsOf(ctx),
      username: username(ctx),
    }),
    async passkey({ txn }) {
      const owner = txn.identifier ? await passkeys.userWithPasskey(txn.connection, txn.identifier) : undefined;
      if (!owner) return screenUrl('password', txn);
      return {
        identifier: txn.identifier,
        webauthnOptions: JSON.stringify(await passkeys.authenticationOptions(txn, owner.user_id)),
        passwordHref: screenUrl('password', txn),
      };
    },
    async 'passkey-enrollment'({ txn }) {
      const user = txn.authenticated ? await passkeys.user(txn.authenticated.userId) : undefined;
      if (!user) return screenUrl('resume', txn);
      return { identifier: user.email ?? txn.identifier, webauthnOptions: JSON.stringify(await passkeys.registrationOptions(txn, user)) };
    },
    // Sign-up: the email (and the username where the connection has them), then the password under the policy.
    'signup-id': async (ctx) => ({
      usernames: ctx.connection?.username.required === true,
      email: ctx.txn.identifier ?? ctx.txn.loginHint ?? '',
      username: ctx.txn.signupUsername ?? '',
      loginHref: screenUrl('identifier', ctx.txn),
    }),
    // The organizations prompt: the name before the login, or one of the user's organizations after it.
    'organization-selection': async () => ({ organizationName: '' }),
    async 'organization-picker'({ txn }) {
      const userId = txn.authenticated?.userId ?? '';
      const user = await deps.store.getUser(userId);
      const organizations = await Promise.all((await deps.store.listUserOrganizations(userId)).slice(0, 20).map((id) => deps.store.getOrganization(id)));
      return {
        identifier: user?.email ?? user?.name,
        organizations: organizations.flatMap((o) => (o ? [{ id: o.id, displayName: o.display_name ?? o.name, logoUrl: o.branding?.logo_url }] : [])),
      };
    },
    // Identifier + Password: the email (and username) and the password on one page.
    signup: async (ctx) => ({
      usernames: ctx.connection?.username.required === true,
      email: ctx.txn.identifier ?? ctx.txn.loginHint ?? '',
      username: ctx.txn.signupUsername ?? '',
      loginHref: screenUrl('login', ctx.txn),
      policy: ctx.connection ? policyLines(ctx.connection.passwordPolicy) : [],
    }),
    'signup-password': async (ctx) => ({
      identifier: ctx.txn.identifier,
      editHref: screenUrl('signup-id', ctx.txn),
      policy: ctx.connection ? policyLines(ctx.connection.passwordPolicy) : [],
    }),
    async social({ txn }, params) {
      const name = params.connection ?? '';
      const connection = findConnection(tenant, name);
      return {
        connection: name,
        providerName: connection?.displayName ?? name,
        // Home-realm discovery brings the email typed on login-id along.
        email: (txn.identifier?.includes('@') ? txn.identifier : undefined) ?? txn.loginHint ?? `jane.doe@${(connection?.strategy ?? 'example').replace(/-oauth2$/, '')}.example`,
        name: 'Jane Doe',
        backHref: screenUrl('identifier', txn),
      };
    },
  };

  function challenge({ txn, connection }: LoginContext): Data {
    return {
      identifier: txn.identifier,
      codeLength: connection?.otp.length ?? 6,
      mailboxHref: deps.devRoutes ? `/_dev/mailbox?to=${encodeURIComponent(txn.identifier ?? '')}` : undefined,
    };
  }

  return async (screen, ctx, params = {}) => {
    const model = isMfaScreen(screen) ? await mfaViews(screen, ctx) : await models[screen](ctx, params);
    if (typeof model === 'string') return { kind: 'redirect', location: model };
    const { txn } = ctx;
    // Every screen: the application's name, the language hint, and where its form posts.
    // An organization's login wears its branding and name (Auth0: it overrides the tenant's on every screen).
    const organization = txn.organization ? await deps.store.getOrganization(txn.organization.id) : undefined;
    const common = {
      ...(organization ? { organization: { displayName: organization.display_name ?? organization.name, logoUrl: organization.branding?.logo_url, colors: organization.branding?.colors } } : {}),
      appName: ctx.client?.name,
      uiLocales: txn.uiLocales,
      state: txn.id,
      action: screenUrl(screen, txn),
      editHref: screenUrl('identifier', txn),
    };
    return { kind: 'page', view: screenView(screen), data: { ...common, ...model } };
  };
}
