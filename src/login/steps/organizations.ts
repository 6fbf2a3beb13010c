import type { LoginContext, LoginKit, ScreenOutcome } from '../login-kit.js';
import { screenUrl } from '../screens.js';

/**
 * The organizations prompt (docs/research/auth0-organizations.md §4.4): organization-selection asks
 * for an organization's name before the login (pre_login_prompt), organization-picker lets the
 * proven user choose among their organizations after it (post_login_prompt). Either keeps the choice
 * on the login, whose tokens then carry it.
 */
export function organizationSteps(kit: LoginKit) {
  const { deps, go, refuse, profile } = kit;

  return {
    /** organization-selection: a name (Auth0 matches names, never display names). */
    async select(ctx: LoginContext, name: string): Promise<ScreenOutcome> {
      const organization = name.trim() ? await deps.store.findOrganizationByName(name.trim().toLowerCase()) : undefined;
      if (!organization) return kit.keepTyped({ organizationName: name }, refuse(ctx, 'invalid_organization'));
      await deps.authorization.rememberOrganization(ctx.txn, { id: organization.id, name: organization.name });
      return go(screenUrl(profile.identifierFirst ? 'identifier' : 'login', ctx.txn));
    },

    /** organization-picker: one of the user's organizations. */
    async pick(ctx: LoginContext, organizationId: string): Promise<ScreenOutcome> {
      const userId = ctx.txn.authenticated?.userId ?? '';
      const member = organizationId ? await deps.store.getOrganizationMember(organizationId, userId) : undefined;
      const organization = member ? await deps.store.getOrganization(organizationId) : undefined;
      if (!organization) return refuse(ctx, 'invalid_organization');
      await deps.authorization.rememberOrganization(ctx.txn, { id: organization.id, name: organization.name });
      return go(screenUrl('resume', ctx.txn));
    },
  };
}
