/**
 * The one error type of the Authentication API and its named constructors. Every protocol failure is
 * thrown as an OAuthError; src/http/error-handler.ts picks the surface that answers it and
 * src/http/error-responses.ts writes it there: JSON for API routes, the error page for browser routes,
 * or a redirect back to the client once its redirect_uri is verified.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unauthorized'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'not_found'
  | 'too_many_requests'
  // Brute-force protection: this identifier is blocked from this address.
  | 'too_many_attempts'
  | 'server_error'
  // The store (Redis) cannot be reached: try again shortly.
  | 'temporarily_unavailable'
  // Auth0's /passwordless/start codes.
  | 'bad.client_id'
  | 'bad.connection'
  | 'bad.email'
  | 'bad.phone_number'
  | 'bad.authParams'
  | 'bad.send'
  | 'bad.request'
  | 'signup_disabled'
  | 'sms_provider_error'
  | 'email_provider_error'
  // A sign-up the tenant's pre-user-registration Action refused.
  | 'extensibility_error'
  // Auth0's embedded-login codes (/co/authenticate, /passwordless/verify).
  | 'unsupported_credential_type'
  | 'blocked_user'
  | 'too_many_attempts'
  | 'invalid_user_password'
  // The MFA API's (docs/research/auth0-mfa.md §1).
  | 'mfa_required'
  | 'expired_token'
  | 'unsupported_challenge_type'
  | 'association_required'
  | 'authorization_pending'
  // POST /otp/challenge: the connection cannot send this code (docs/research/auth0-email-templates.md §2.2).
  | 'invalid_connection';

const defaultStatus: Partial<Record<OAuthErrorCode, number>> = {
  invalid_client: 401,
  invalid_token: 401,
  unauthorized: 401,
  insufficient_scope: 403,
  unauthorized_client: 403,
  access_denied: 403,
  not_found: 404,
  too_many_requests: 429,
  too_many_attempts: 429,
  server_error: 500,
  temporarily_unavailable: 503,
  unsupported_response_type: 400,
};

/** Where an /authorize error may be sent: only set once the client and its redirect_uri are verified. */
export interface ErrorRedirect {
  redirectUri: string;
  responseMode: 'query' | 'fragment' | 'form_post' | 'web_message';
  state?: string | undefined;
}

export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;
  /** Extra response headers, e.g. WWW-Authenticate for invalid_token. */
  readonly headers: Record<string, string>;
  /** Fields the JSON answer carries besides error and error_description (mfa_required's mfa_token). */
  readonly fields: Record<string, unknown>;
  redirect: ErrorRedirect | undefined;

  constructor(
    error: OAuthErrorCode,
    description: string,
    options: { status?: number; headers?: Record<string, string>; redirect?: ErrorRedirect; cause?: unknown; fields?: Record<string, unknown> } = {},
  ) {
    super(description, { cause: options.cause });
    this.name = 'OAuthError';
    this.error = error;
    this.status = options.status ?? defaultStatus[error] ?? 400;
    this.headers = options.headers ?? {};
    this.fields = options.fields ?? {};
    this.redirect = options.redirect;
  }

  get description(): string {
    return this.message;
  }

  toJSON(): Record<string, unknown> & { error: string; error_description: string } {
    return { error: this.error, error_description: this.message, ...this.fields };
  }
}

type ErrorOptions = ConstructorParameters<typeof OAuthError>[2];

const named =
  (code: OAuthErrorCode) =>
  (description: string, options?: ErrorOptions): OAuthError =>
    new OAuthError(code, description, options);

/** `"a" or "b"`, `"a", "b" or "c"`. */
function alternatives(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : (quoted[0] ?? '');
}

/*
 * Named constructors, one per wire error, so that a code is never a free string at a throw site and a
 * description Auth0 words one way is written once. Throw sites read `throw invalidRequest.missing('code')`.
 */
export const invalidRequest = Object.assign(named('invalid_request'), {
  missing: (parameter: string, options?: ErrorOptions): OAuthError =>
    new OAuthError('invalid_request', `Missing required parameter: ${parameter}`, options),
  unknownClient: (clientId: string, options?: ErrorOptions): OAuthError =>
    new OAuthError('invalid_request', `Unknown client: ${clientId}`, options),
  /** A parameter outside its few allowed values: `channel must be "email" or "sms"`. */
  notOneOf: (parameter: string, allowed: readonly string[], options?: ErrorOptions): OAuthError =>
    new OAuthError('invalid_request', `${parameter} must be ${alternatives(allowed)}`, options),
});
export const invalidClient = Object.assign(named('invalid_client'), {
  unknown: (clientId: string): OAuthError => new OAuthError('invalid_client', `Unknown client: ${clientId}`),
});
/** Auth0 answers a refused grant with 403, not RFC 6749's 400. */
export const invalidGrant = (description: string, options?: ErrorOptions): OAuthError =>
  new OAuthError('invalid_grant', description, { status: 403, ...options });
export const unauthorizedClient = Object.assign(named('unauthorized_client'), {
  grantNotAllowed: (grantType: string, options?: ErrorOptions): OAuthError =>
    new OAuthError('unauthorized_client', `Grant type '${grantType}' not allowed for the client.`, options),
});
export const unsupportedGrantType = (grantType: string): OAuthError =>
  new OAuthError('unsupported_grant_type', `Unsupported grant type: ${grantType}`);
export const unsupportedResponseType = named('unsupported_response_type');
export const invalidScope = named('invalid_scope');
export const accessDenied = Object.assign(named('access_denied'), {
  unknownAudience: (audience: string, options?: ErrorOptions): OAuthError =>
    new OAuthError('access_denied', `Service not found: ${audience}`, options),
});
export const unauthorized = Object.assign(named('unauthorized'), {
  /** Auth0's words for a login by a user an administrator has blocked. */
  userBlocked: (options?: ErrorOptions): OAuthError => new OAuthError('unauthorized', 'user is blocked', options),
});
export const loginRequired = named('login_required');
export const consentRequired = named('consent_required');
export const interactionRequired = named('interaction_required');
export const invalidToken = named('invalid_token');
export const insufficientScope = named('insufficient_scope');
export const notFound = named('not_found');
export const tooManyRequests = named('too_many_requests');
export const tooManyAttempts = named('too_many_attempts');
export const invalidConnection = named('invalid_connection');
export const serverError = (description: string, options?: ErrorOptions): OAuthError =>
  new OAuthError('server_error', description, { status: 500, ...options });
export const temporarilyUnavailable = named('temporarily_unavailable');

/**
 * For the few places that carry a code decided elsewhere, e.g. an /authorize refusal re-sent to the
 * client's redirect_uri with the code it was raised with.
 */
/**
 * The MFA API's errors, in Auth0's words (docs/research/auth0-mfa.md §1). `required` carries the
 * mfa_token the client continues with.
 */
export const mfaError = {
  required: (mfaToken: string): OAuthError => new OAuthError('mfa_required', 'Multifactor authentication required', { status: 403, fields: { mfa_token: mfaToken } }),
  malformedToken: (): OAuthError => new OAuthError('invalid_grant', 'Malformed mfa_token', { status: 403 }),
  expiredToken: (): OAuthError => new OAuthError('expired_token', 'mfa_token is expired', { status: 401 }),
  invalidOtp: (): OAuthError => new OAuthError('invalid_grant', 'Invalid otp_code.', { status: 403 }),
  invalidBindingCode: (): OAuthError => new OAuthError('invalid_grant', 'Invalid binding_code.', { status: 403 }),
  malformedOobCode: (): OAuthError => new OAuthError('invalid_grant', 'Malformed oob_code', { status: 403 }),
  invalidRecoveryCode: (): OAuthError => new OAuthError('invalid_grant', 'Invalid recovery_code.', { status: 403 }),
  noRecoveryCode: (): OAuthError => new OAuthError('unsupported_challenge_type', 'User does not have a recovery-code.', { status: 403 }),
  tooManyFailures: (): OAuthError => new OAuthError('invalid_request', 'Too many failed codes. Wait for some minutes before retrying.', { status: 429 }),
  notEnrolled: (): OAuthError => new OAuthError('unsupported_challenge_type', 'User is not enrolled. You can use /mfa/associate endpoint to enroll the first authenticator.', { status: 400 }),
  alreadyEnrolled: (): OAuthError => new OAuthError('access_denied', 'User is already enrolled.', { status: 403 }),
  notSent: (): OAuthError => new OAuthError('invalid_request', "We couldn't send the code. Please try again later.", { status: 502 }),
  /** A push not answered yet (or a device that has not scanned its enrolment code): poll again. */
  authorizationPending: (): OAuthError => new OAuthError('authorization_pending', 'Authorization pending: please repeat the request in a few seconds.', { status: 400 }),
  pushRejected: (): OAuthError => new OAuthError('access_denied', 'MFA Authorization rejected.', { status: 400 }),
};

export const oauthError = (code: OAuthErrorCode, description: string, options?: ErrorOptions): OAuthError =>
  new OAuthError(code, description, options);

/**
 * Auth0's refusals at /co/authenticate (auth0/docs articles/_includes/_co_authenticate_errors.md):
 * their statuses differ from the same codes elsewhere, so each is written out here.
 */
export const crossOriginAuthError = {
  invalidRequest: (description: string): OAuthError => new OAuthError('invalid_request', description, { status: 400 }),
  /** Auth0 documents no words for an unknown client here; these are POST /passwordless/verify's. */
  unknownClient: (): OAuthError => new OAuthError('unauthorized_client', 'invalid client', { status: 403 }),
  /** The client's "Allow Cross-Origin Authentication" is off. */
  notAllowed: (): OAuthError => new OAuthError('unauthorized_client', 'Cross origin login not allowed.', { status: 401 }),
  unsupportedCredentialType: (description: string): OAuthError => new OAuthError('unsupported_credential_type', description, { status: 400 }),
  accessDenied: (description: string): OAuthError => new OAuthError('access_denied', description, { status: 403 }),
  blockedUser: (): OAuthError => new OAuthError('blocked_user', 'Blocked user', { status: 403 }),
  tooManyAttempts: (description: string): OAuthError => new OAuthError('too_many_attempts', description, { status: 429 }),
} as const;

/** Auth0's refusals at POST /passwordless/verify (auth0/docs articles/api/authentication/errors/_passwordless-verify.md). */
export const passwordlessVerifyError = {
  invalidRequest: (description: string): OAuthError => new OAuthError('invalid_request', description, { status: 400 }),
  invalidClient: (): OAuthError => new OAuthError('unauthorized_client', 'invalid client', { status: 403 }),
  wrongCode: (description: string): OAuthError => new OAuthError('invalid_user_password', description, { status: 401 }),
  accessDenied: (description: string): OAuthError => new OAuthError('access_denied', description, { status: 403 }),
  tooManyAttempts: (description: string): OAuthError => new OAuthError('too_many_attempts', description, { status: 429 }),
} as const;

/** Auth0's /passwordless/start refusals: their own `bad.*` codes, not RFC 6749's. */
export const passwordlessStartError = {
  badRequest: named('bad.request'),
  badClientId: named('bad.client_id'),
  badConnection: named('bad.connection'),
  badEmail: named('bad.email'),
  badPhoneNumber: named('bad.phone_number'),
  badAuthParams: named('bad.authParams'),
  badSend: named('bad.send'),
  signupDisabled: named('signup_disabled'),
  smsProviderError: named('sms_provider_error'),
  emailProviderError: named('email_provider_error'),
  /** pre-user-registration refused the sign-up: the action's message for the user. */
  extensibilityError: named('extensibility_error'),
} as const;

/**
 * The database connections' endpoints (/dbconnections/signup, /dbconnections/change_password) answer
 * in Auth0's older envelope, `{name, code, description, statusCode}` (docs/research/auth0-database-connections.md
 * §1.3), which every SDK reads; some answers are a bare `{error}`. The body is sent as written here.
 */
/** Why a database endpoint refused, for the sign-up screens to word it their own way. */
export type DatabaseRefusal = 'invalid_signup' | 'user_exists' | 'invalid_connection' | 'invalid_body' | 'signup_disabled' | 'password_strength' | 'password_no_user_info' | 'password_dictionary' | 'refused_by_action';

export class LegacyApiError extends OAuthError {
  readonly body: Record<string, unknown>;
  readonly reason: DatabaseRefusal;

  constructor(reason: DatabaseRefusal, body: Record<string, unknown>, status = 400) {
    super('invalid_request', typeof body.description === 'string' ? body.description : String(body.message ?? body.error ?? ''), { status });
    this.reason = reason;
    this.body = body;
  }

  override toJSON(): Record<string, unknown> & { error: string; error_description: string } {
    return this.body as Record<string, unknown> & { error: string; error_description: string };
  }
}

const badRequest = (reason: DatabaseRefusal, code: string, description: string): LegacyApiError => new LegacyApiError(reason, { name: 'BadRequestError', code, description, statusCode: 400 });

export const databaseError = {
  /** A sign-up that cannot be made, the user existing included: Auth0 does not say which. */
  invalidSignup: (): LegacyApiError => badRequest('invalid_signup', 'invalid_signup', 'Invalid sign up'),
  /** The same, where the tenant's enable_public_signup_user_exists_error flag lets sign-up say so. */
  userExists: (): LegacyApiError => badRequest('user_exists', 'user_exists', 'The user already exists.'),
  /** An unknown, non-database or disabled connection (Auth0's body for this case is not documented). */
  invalidConnection: (description: string): LegacyApiError => badRequest('invalid_connection', 'invalid_connection', description),
  /** A field the endpoint needs, missing or of the wrong kind. */
  invalidBody: (description: string): LegacyApiError => badRequest('invalid_body', 'invalid_body', description),
  signupDisabled: (): LegacyApiError => new LegacyApiError('signup_disabled', { error: 'public signup is disabled' }),
  /** The connection's password policy (password-sheriff's rules and text). */
  passwordStrength: (rules: unknown, policy: string): LegacyApiError =>
    new LegacyApiError('password_strength', { name: 'PasswordStrengthError', message: 'Password is too weak', code: 'invalid_password', description: rules, policy, statusCode: 400 }),
  passwordNoUserInfo: (): LegacyApiError =>
    new LegacyApiError('password_no_user_info', { name: 'PasswordNoUserInfoError', message: 'Password contains user information', code: 'invalid_password', description: 'Password contains user information', statusCode: 400 }),
  /** password_dictionary (docs/research/auth0-email-templates.md §4). */
  passwordDictionary: (): LegacyApiError =>
    new LegacyApiError('password_dictionary', { name: 'PasswordDictionaryError', message: 'Password is too common', code: 'invalid_password', description: 'Password is not allowed, it might be too common.', statusCode: 400 }),
  /** A pre-user-registration Action's refusal, with its code and its message for the user. */
  refusedByAction: (code: string, description: string): LegacyApiError => badRequest('refused_by_action', code, description),
};
