import { webcrypto } from 'node:crypto';
import { EncryptJWT, jwtDecrypt, errors as joseErrors } from 'jose';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import { invalidRequest, mfaError, OAuthError } from '../errors.js';
import type { MfaEnrolment, User } from '../store/records.js';
import type { OtpStore, UserStore } from '../store/types.js';
import type { Client, Tenant } from '../tenant/model.js';
import type { MfaRefusal, MfaService } from '../mfa/mfa-service.js';
import { maskedName } from '../mfa/authenticators.js';
import { isWebAuthnFactor } from '../mfa/webauthn-factor.js';
import { normalizeEmail, normalizePhoneNumber } from '../users/normalize.js';
import type { TokenChanges } from './finish-login.js';
import { deriveKey } from './keys.js';

/**
 * Auth0's MFA API, for logins with no browser (the password grants, the passwordless OTP grant,
 * refresh) and the SDKs' MFA clients (auth0-spa-js `auth0.mfa`, @auth0/auth0-auth-js `mfa`): a grant
 * that owes a second factor answers `mfa_required` with an mfa_token; the client lists, enrols in and
 * challenges authenticators with it, then trades it with the factor for the tokens the grant would
 * have given (docs/research/auth0-mfa.md §1, §2).
 *
 * The mfa_token is sealed (dir + A256GCM under a key of its own) and carries what the tokens need:
 * the user, client, audience, scope and the post-login Actions' changes. It lives 10 minutes and
 * buys tokens once; an oob_code is sealed the same way and names the enrolment it was sent for.
 */
export const MFA_TOKEN_TTL_SECONDS = 600;
const OOB_CODE_TTL_SECONDS = 300;

export interface MfaTicket {
  id: string;
  user: User;
  clientId: string;
  scope: string;
  audience: string | undefined;
  changes: TokenChanges | undefined;
}

/** An authenticator as GET /mfa/authenticators lists it (the `oob_channel` singular, as Auth0 sends it). */
export interface AuthenticatorView {
  id: string;
  authenticator_type: 'otp' | 'oob' | 'recovery-code';
  active: boolean;
  oob_channel?: 'sms' | 'email' | 'auth0';
  name?: string;
}

export interface MfaApi {
  issueToken(grant: { client: Client; user: User; scope: string; audience: string | undefined; changes: TokenChanges | undefined }): Promise<string>;
  /** The ticket behind an mfa_token (Bearer or body), refused when malformed, expired, or another client's. */
  open(token: string | undefined, client?: Client): Promise<MfaTicket>;
  authenticators(ticket: MfaTicket): Promise<AuthenticatorView[]>;
  associate(ticket: MfaTicket, body: { authenticatorTypes: string[]; oobChannels: string[]; phoneNumber?: string | undefined; email?: string | undefined }): Promise<Record<string, unknown>>;
  challenge(ticket: MfaTicket, body: { challengeType: string; authenticatorId?: string | undefined }): Promise<Record<string, unknown>>;
  remove(ticket: MfaTicket, id: string): Promise<void>;
  /** The grants: the factor checked (a new enrolment confirmed), the ticket used up. */
  verifyOtp(ticket: MfaTicket, otp: string): Promise<void>;
  verifyOob(ticket: MfaTicket, oobCode: string, bindingCode: string | undefined): Promise<void>;
  /** A right recovery code is used up: the replacement the response carries. */
  verifyRecoveryCode(ticket: MfaTicket, code: string): Promise<string>;
}

export function createMfaApi(deps: { tenant: Tenant; mfa: MfaService; store: UserStore & OtpStore; clock: Clock; random: Random; issuer: string; masterSecret: Buffer }): MfaApi {
  const { tenant, mfa, store, clock, random, issuer } = deps;
  const key = webcrypto.subtle.importKey('raw', deriveKey(deps.masterSecret, 'mfa-token'), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const nowSeconds = (): number => Math.floor(clock.now() / 1000);

  const seal = async (payload: Record<string, unknown>, ttl: number): Promise<string> =>
    new EncryptJWT(payload).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).setIssuer(issuer).setIssuedAt(nowSeconds()).setExpirationTime(nowSeconds() + ttl).encrypt(await key);

  async function unseal(token: string, typ: 'mfa' | 'oob', malformed: () => OAuthError): Promise<Record<string, unknown>> {
    try {
      const { payload } = await jwtDecrypt(token, await key, { issuer, currentDate: new Date(clock.now()) });
      if (payload.typ !== typ) throw malformed();
      return payload;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw typ === 'mfa' ? mfaError.expiredToken() : malformed();
      if (err instanceof OAuthError) throw err;
      throw malformed();
    }
  }

  /** The ticket's one use: the key a ticket is consumed under in the one-time store. */
  const ticketKey = (id: string): string => `mfa-token:${id}`;

  /** A ticket that already bought tokens is refused before its factor is checked (the factor stays unspent). */
  async function unused(ticket: MfaTicket): Promise<void> {
    if (!(await store.recordOtpAttempt(ticketKey(ticket.id)))) throw mfaError.malformedToken();
  }

  async function used(ticket: MfaTicket): Promise<void> {
    if (!(await store.consumeOtpChallenge(ticketKey(ticket.id), ticket.id))) throw mfaError.malformedToken();
  }

  const view = (e: MfaEnrolment): AuthenticatorView => {
    const name = maskedName(e);
    if (e.factor === 'otp') return { id: e.id, authenticator_type: 'otp', active: e.confirmed };
    if (e.factor === 'recovery-code') return { id: e.id, authenticator_type: 'recovery-code', active: e.confirmed };
    const channel = e.factor === 'sms' ? 'sms' : e.factor === 'push-notification' ? 'auth0' : 'email';
    return { id: e.id, authenticator_type: 'oob', active: e.confirmed, oob_channel: channel, ...(name ? { name } : {}) };
  };

  /** The user's enrolments of the factors the tenant enabled; WebAuthn keys need a browser, so the MFA API has none. */
  const enrolmentsOf = async (user: User): Promise<MfaEnrolment[]> => (await mfa.enrolments(user)).filter((e) => tenant.mfa.factors.includes(e.factor) && !isWebAuthnFactor(e.factor));

  /** A refused code: Auth0's lock-out once the user's tries ran out, else the factor's own error. */
  const refusal = (reason: MfaRefusal, wrong: () => OAuthError): OAuthError => (reason === 'too_many_failures' ? mfaError.tooManyFailures() : wrong());

  return {
    async issueToken({ client, user, scope, audience, changes }) {
      const id = random.token(16);
      const expiresAt = clock.now() + MFA_TOKEN_TTL_SECONDS * 1000;
      await store.replaceOtpChallenge({ key: ticketKey(id), id, codeHash: '', attempts: 0, exhausted: false, createdAt: clock.now(), expiresAt });
      return seal({ typ: 'mfa', jti: id, sub: user.user_id, cid: client.clientId, scope, ...(audience ? { api: audience } : {}), ...(changes ? { chg: changes } : {}) }, MFA_TOKEN_TTL_SECONDS);
    },

    async open(token, client) {
      if (!token) throw invalidRequest.missing('mfa_token');
      const payload = await unseal(token, 'mfa', mfaError.malformedToken);
      if (client && payload.cid !== client.clientId) throw mfaError.malformedToken();
      const user = typeof payload.sub === 'string' ? await store.getUser(payload.sub) : undefined;
      if (!user || user.blocked) throw mfaError.malformedToken();
      return {
        id: String(payload.jti),
        user,
        clientId: String(payload.cid),
        scope: String(payload.scope ?? ''),
        audience: typeof payload.api === 'string' ? payload.api : undefined,
        changes: payload.chg as TokenChanges | undefined,
      };
    },

    async authenticators(ticket) {
      return (await enrolmentsOf(ticket.user)).map(view);
    },

    async associate(ticket, body) {
      if ((await enrolmentsOf(ticket.user)).some((e) => e.confirmed && e.factor !== 'recovery-code')) throw mfaError.alreadyEnrolled();
      const type = body.authenticatorTypes[0];
      const recoveryCodes = async (): Promise<Record<string, unknown>> => {
        const code = await mfa.ensureRecoveryCode(ticket.user);
        return code ? { recovery_codes: [code] } : {};
      };
      if (type === 'otp' && tenant.mfa.factors.includes('otp')) {
        const { enrolment, uri } = await mfa.beginOtp(ticket.user);
        return { authenticator_type: 'otp', secret: enrolment.secret, barcode_uri: uri, ...(await recoveryCodes()) };
      }
      const channel = body.oobChannels[0];
      if (type === 'oob' && channel === 'sms' && tenant.mfa.factors.includes('sms')) {
        const phone = normalizePhoneNumber(body.phoneNumber ?? '');
        if (!phone) throw invalidRequest('phone_number must be a phone number in E.164 format');
        const begun = await mfa.beginSms(ticket.user, phone, ticket.clientId);
        if (!begun.ok) throw mfaError.notSent();
        return { authenticator_type: 'oob', binding_method: 'prompt', ...(await recoveryCodes()), oob_channel: 'sms', oob_code: await oobCode(ticket, begun.enrolment) };
      }
      if (type === 'oob' && channel === 'email' && tenant.mfa.factors.includes('email')) {
        const email = (await enrolmentsOf(ticket.user)).find((e) => e.factor === 'email' && (!body.email || e.email === normalizeEmail(body.email)));
        if (!email) throw invalidRequest('The email factor needs the user\'s verified email address');
        if (!(await mfa.sendCode(email, ticket.clientId)).ok) throw mfaError.notSent();
        return { authenticator_type: 'oob', binding_method: 'prompt', ...(await recoveryCodes()), oob_channel: 'email', oob_code: await oobCode(ticket, email) };
      }
      if (type === 'oob' && channel === 'auth0' && tenant.mfa.factors.includes('push-notification')) {
        // The device enrols by scanning barcode_uri; the mfa-oob grant is pending until it has.
        const { enrolment, uri } = await mfa.beginPush(ticket.user);
        return { authenticator_type: 'oob', barcode_uri: uri, ...(await recoveryCodes()), oob_channel: 'auth0', oob_code: await oobCode(ticket, enrolment) };
      }
      throw invalidRequest(`Unsupported authenticator: ${type ?? '(none)'}${channel ? ` over ${channel}` : ''}; the tenant enables ${tenant.mfa.factors.join(', ') || 'no factor'}`);
    },

    async challenge(ticket, body) {
      const enrolments = (await enrolmentsOf(ticket.user)).filter((e) => e.confirmed && e.factor !== 'recovery-code');
      if (!enrolments.length) throw mfaError.notEnrolled();
      const types = body.challengeType.split(/\s+/).filter(Boolean);
      const chosen = body.authenticatorId ? enrolments.find((e) => e.id === body.authenticatorId) : enrolments.find((e) => types.includes(e.factor === 'otp' ? 'otp' : 'oob'));
      if (!chosen) throw mfaError.notEnrolled();
      if (chosen.factor === 'otp') {
        if (!types.includes('otp')) throw new OAuthError('unsupported_challenge_type', 'The authenticator does not support the requested challenge types.', { status: 400 });
        return { challenge_type: 'otp' };
      }
      if (!types.includes('oob')) throw new OAuthError('unsupported_challenge_type', 'The authenticator does not support the requested challenge types.', { status: 400 });
      if (chosen.factor === 'push-notification') {
        const push = await mfa.sendPush(chosen);
        return { challenge_type: 'oob', oob_code: await oobCode(ticket, chosen, push.id) };
      }
      if (!(await mfa.sendCode(chosen, ticket.clientId)).ok) throw mfaError.notSent();
      return { challenge_type: 'oob', oob_code: await oobCode(ticket, chosen), binding_method: 'prompt' };
    },

    async remove(ticket, id) {
      if (!(await mfa.remove(ticket.user, id))) throw new OAuthError('not_found', 'Authenticator not found', { status: 404 });
    },

    async verifyOtp(ticket, otp) {
      await unused(ticket);
      const otps = (await enrolmentsOf(ticket.user)).filter((e) => e.factor === 'otp');
      // An enrolment in progress (its first code confirms it), else the newest confirmed one.
      const enrolment = otps.filter((e) => !e.confirmed).at(-1) ?? otps.at(-1);
      if (!enrolment) throw mfaError.notEnrolled();
      const result = await mfa.verify(ticket.user, enrolment, otp);
      if (!result.ok) throw refusal(result.reason, mfaError.invalidOtp);
      await used(ticket);
    },

    async verifyOob(ticket, code, bindingCode) {
      await unused(ticket);
      const payload = await unseal(code, 'oob', mfaError.malformedOobCode);
      if (payload.mt !== ticket.id) throw mfaError.malformedOobCode();
      const enrolment = (await enrolmentsOf(ticket.user)).find((e) => e.id === payload.enr);
      if (!enrolment) throw mfaError.malformedOobCode();
      if (enrolment.factor === 'push-notification') return answeredPush(ticket, enrolment, typeof payload.psh === 'string' ? payload.psh : undefined);
      const result = await mfa.verify(ticket.user, enrolment, bindingCode ?? '');
      if (!result.ok) throw refusal(result.reason, mfaError.invalidBindingCode);
      await used(ticket);
    },

    async verifyRecoveryCode(ticket, code) {
      await unused(ticket);
      if (!(await enrolmentsOf(ticket.user)).some((e) => e.factor === 'recovery-code')) throw mfaError.noRecoveryCode();
      const result = await mfa.useRecoveryCode(ticket.user, code);
      if (!result.ok) throw refusal(result.reason, mfaError.invalidRecoveryCode);
      await used(ticket);
      return result.newCode;
    },
  };

  function oobCode(ticket: MfaTicket, enrolment: MfaEnrolment, pushId?: string): Promise<string> {
    return seal({ typ: 'oob', mt: ticket.id, enr: enrolment.id, ...(pushId ? { psh: pushId } : {}) }, OOB_CODE_TTL_SECONDS);
  }

  /**
   * The mfa-oob grant's polling for push: pending until the device scanned its enrolment code (an
   * oob_code from /mfa/associate) or answered the notification (one from /mfa/challenge).
   */
  async function answeredPush(ticket: MfaTicket, enrolment: MfaEnrolment, pushId: string | undefined): Promise<void> {
    if (pushId === undefined) {
      if (!enrolment.confirmed) throw mfaError.authorizationPending();
    } else {
      const state = mfa.pushState(enrolment, pushId);
      if (state === 'pending') throw mfaError.authorizationPending();
      if (state === 'rejected') throw mfaError.pushRejected();
      if (state !== 'approved' || !(await mfa.usePush(enrolment, pushId))) throw mfaError.malformedOobCode();
    }
    await used(ticket);
  }
}
