import type { MfaFactor } from '../store/records.js';

/** Guardian's factors in the order Auth0 lists them (GET /api/v2/guardian/factors). */
export const GUARDIAN_FACTORS: readonly MfaFactor[] = ['sms', 'push-notification', 'otp', 'email', 'duo', 'webauthn-roaming', 'webauthn-platform', 'recovery-code'];

/** The factors a login can be asked for here (src/mfa/). The others are reported at start-up. */
export const EMULATED_FACTORS: readonly MfaFactor[] = ['sms', 'push-notification', 'otp', 'email', 'webauthn-roaming', 'webauthn-platform', 'recovery-code'];

export const NOT_EMULATED_FACTORS: readonly MfaFactor[] = GUARDIAN_FACTORS.filter((factor) => !EMULATED_FACTORS.includes(factor));
